"""The tablet page at arm's length: a facilitator's three tasks of issue 22 on a 1024×768 touch tablet,
counted and priced with the keystroke-level model, with a screenshot of each step in docs/tablet/.

    python -m tests.perf.bench_tablet

A throwaway cluster under /tmp holds the District 22 demo and the facilitator sara (2201, 2209). Each tap
is counted; before it, a target outside the screen (or outside its scrolling panel) counts a swipe and is
scrolled to. Typed characters are counted; the camera's own shutter is not (the photo is handed to the file
chooser the tap opened). Keystroke-level model: 1.3 s a tap (swipes priced as taps), 0.28 s a typed
character, and 1.35 s of thinking before each tap or swipe.
"""

import math
import shutil
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from gis.db import migrate, transaction
from gis.db.cluster import ensure_cluster, open_cluster
from gis.demo.district import load_demo
from tests.servers import start_uvicorn
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, add_sara

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "tablet"
TABLET = {"width": 1024, "height": 768}
TAP_S, CHAR_S, THINK_S = 1.3, 0.28, 1.35
# Issue 22's figures before the redesign, and its targets.
TASKS = {
    "a": (
        "a new place: GPS, kind, time, nine-criterion audit, one photo, send",
        "18 / 3 / 0 / 46 s",
        "≤ 12 taps, ≤ 40 s, no swipe",
        lambda t: t.taps <= 12 and t.seconds <= 40 and not t.swipes,
    ),
    "b": (
        "a focus-group session with three points",
        "17 / 12 / 20 / 68 s",
        "≤ 60 s, ≤ 2 swipes",
        lambda t: t.seconds <= 60 and t.swipes <= 2,
    ),
    "c": (
        "offline: a place, page reopened offline, sent on reconnect",
        "4 / 3 / 0 / 13 s",
        "opens offline, sent once",
        lambda t: t.sent_once,
    ),
}


@dataclass
class Tally:
    """What one task cost the facilitator."""

    taps: int = 0
    swipes: int = 0
    typed: int = 0
    sent_once: bool = False
    shots: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.taps + self.swipes) * (TAP_S + THINK_S) + self.typed * CHAR_S


class Facilitator:
    """Drives the page as a person does, counting every tap, swipe and character."""

    def __init__(self, page, task: str) -> None:
        self.page, self.task, self.tally = page, task, Tally()

    def _reach(self, selector: str) -> None:
        """Count a swipe per 60 % of a screen the target lies outside what is shown, and scroll it in."""
        box = self.page.locator(selector).first.evaluate(
            """(e) => { const r = e.getBoundingClientRect(); let top = 0, bottom = innerHeight;
                for (let p = e.parentElement; p; p = p.parentElement) {
                  const s = getComputedStyle(p);
                  if (/(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight) {
                    const q = p.getBoundingClientRect();
                    top = Math.max(top, q.top); bottom = Math.min(bottom, q.bottom);
                  } }
                return {top: r.top, bottom: r.bottom, viewTop: top, viewBottom: bottom}; }"""
        )
        outside = max(box["viewTop"] - box["top"], box["bottom"] - box["viewBottom"], 0)
        if outside > 1:
            self.tally.swipes += math.ceil(outside / (0.6 * TABLET["height"]))
            self.page.locator(selector).first.scroll_into_view_if_needed()

    def tap(self, selector: str) -> None:
        self._reach(selector)
        self.page.tap(selector)
        self.tally.taps += 1

    def tap_map(self, dx: float, dy: float) -> None:
        box = self.page.locator("#map").bounding_box()
        self.page.touchscreen.tap(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        self.tally.taps += 1

    def type(self, selector: str, text: str) -> None:
        self.tap(selector)
        self.page.keyboard.type(text)
        self.tally.typed += len(text)

    def photo(self) -> None:
        with self.page.expect_file_chooser() as chooser:
            self.tap("#photo-button")
        chooser.value.set_files(files=[{"name": "place.png", "mimeType": "image/png", "buffer": _png()}])
        self.page.wait_for_selector("#photo-count[data-count='1']")

    def shot(self, name: str) -> None:
        path = SHOTS / f"{self.task}-{len(self.tally.shots) + 1}-{name}.png"
        self.page.screenshot(path=str(path))
        self.tally.shots.append(path.name)


def _png(width: int = 1200, height: int = 900) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = (b"\x00" + bytes((120, 110, 95)) * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _sent(page, count: int) -> None:
    page.wait_for_function(
        "(n) => document.getElementById('sent-count').dataset.count === String(n)", arg=count
    )


def new_place(f: Facilitator) -> None:
    """Standing at the place: the position is taken as the page opens; kind (on to the audit), nine
    criteria, one photo, send."""
    page = f.page
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    f.shot("start")
    f.tap("label.tile:has(input[value=dead_end_alley])")
    f.shot("audit")
    for criterion, score in (
        ("lighting", 0),
        ("openness", 1),
        ("visibility", 1),
        ("people", 0),
        ("security", 0),
        ("walk_path", 2),
        ("public_transport", 1),
        ("gender_mix", 1),
        ("feeling", 1),
    ):
        f.tap(f"#audit-{criterion} label.score[data-score='{score}']")
    f.shot("audit-done")
    f.photo()
    f.tap("#submit")
    _sent(page, 1)
    page.wait_for_function("() => document.getElementById('photos-queued').dataset.count === '0'")
    f.shot("sent")


def focus_group(f: Facilitator) -> None:
    """In a neighbourhood house: the session's numbers, then three points the participants show on the map."""
    page = f.page
    f.tap("[data-mode-button=group]")
    f.type("#fg-participants", "12")
    f.type("#fg-women", "7")
    f.shot("session")
    f.tap("[data-step-button=point]")
    for n, (dx, dy, kind) in enumerate(
        ((0.45, 0.5, "vacant_lot"), (0.55, 0.45, "poor_lighting"), (0.5, 0.58, "dead_end_alley"))
    ):
        f.tap_map(dx, dy)
        f.tap(f"label.tile:has(input[value={kind}])")
        if n == 0:
            f.shot("point-kind")
        f.tap("#add-point")
    f.shot("three-points")
    f.tap("#record-session")
    _sent(page, 2)
    f.shot("sent")


def offline(f: Facilitator, base: str) -> None:
    """No connection: a place is queued, the page is opened again with no connection, and sent once the
    connection is back."""
    page = f.page
    page.goto(f"{base}/field")  # a new visit: the page as it opens
    page.wait_for_selector("body[data-ready=true]")
    page.context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    f.tap("label.tile:has(input[value=vacant_lot])")
    f.tap("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    f.shot("queued")
    page.goto(f"{base}/field")  # reopened from the home screen: one tap
    f.tally.taps += 1
    page.wait_for_selector("body[data-ready=true]")
    f.shot("reopened-offline")
    page.context.set_offline(False)
    _sent(page, 3)
    f.shot("sent")


def _report_count(url: str) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM report r JOIN app_user u ON u.id = r.created_by WHERE u.username = 'sara'"
        )
        return cur.fetchone()[0]


def main() -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="safemap-bench-tablet-"))
    root.chmod(0o755)
    ensure_cluster(root / "pg", "safemap_tablet", fast=True)
    cluster = open_cluster(root / "pg")
    url = cluster.url("safemap_tablet")
    server = None
    try:
        migrate(url)
        with transaction(url) as conn:
            load_demo(conn)
            lat, lon = add_sara(conn)[0]
        server, base = start_uvicorn(url, wait_s=60)
        tallies = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(
                locale="fa-IR",
                viewport=TABLET,
                has_touch=True,
                is_mobile=False,
                permissions=["geolocation"],
                geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
            )
            page = context.new_page()
            page.goto(f"{base}/login?next=%2Ffield")
            page.fill("#username", "sara")
            page.fill("#password", "s3cret-sara")
            page.click("button[type=submit]")
            page.wait_for_selector("body[data-ready=true][data-offline-ready=true]")
            for task, run in (("a", new_place), ("b", focus_group), ("c", lambda f: offline(f, base))):
                f = Facilitator(page, task)
                before = _report_count(url)
                run(f)
                f.tally.sent_once = _report_count(url) == before + (1 if task != "b" else 3)
                tallies[task] = f.tally
            browser.close()
        print(f"\n{'task':<70} {'taps':>5} {'swipes':>6} {'typed':>5} {'model s':>8}  {'before':<20} target")
        for task, (name, before, target, met) in TASKS.items():
            t = tallies[task]
            print(
                f"{task + ') ' + name:<70} {t.taps:>5} {t.swipes:>6} {t.typed:>5} {t.seconds:>8.1f}"
                f"  {before:<20} {target} — {'met' if met(t) else 'NOT MET'}"
            )
            print(f"{'':<4}screenshots: {', '.join(t.shots)}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
