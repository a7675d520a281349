"""The tablet page for one hand, in headless Chromium with touch: every control large enough and apart, no
Latin letter or digit on the Persian page, every message on screen as it appears, the audit's every score
kept (0 too) online and offline, and «همین مکان است» joining a spot nearby."""

import psycopg2
import pytest

from tests.web.conftest import open_tablet
from tests.web.test_field import _fill_report, _png, assessed, score

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
STEPS = {
    "place": ["point", "audit", "more", "queue"],
    "group": ["session", "point", "audit", "more", "queue"],
}

# Every visible control: its box, and pairs closer than 8 px (neither inside the other).
TARGETS_JS = """() => {
  const selector = "button, a[href], select, textarea, input[type=text], label.tile span, label.score span,"
    + " label.button, .leaflet-marker-icon.leaflet-interactive";
  // Shown: not hidden, and what a finger at its centre touches (not clipped by its panel or the map).
  const shown = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    if (!(r.width > 0 && r.height > 0 && s.visibility !== "hidden")) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return Boolean(hit) && (e.contains(hit) || hit.contains(e)); };
  const targets = [...document.querySelectorAll(selector)].filter(shown)
    .filter((e) => !e.closest(".photos-queued, .count") || e.matches("button"));
  // A box as the finger can reach it: cut to the panels that scroll it.
  const box = (e) => { let r = e.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (!/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowY)) continue;
      const q = p.getBoundingClientRect();
      [left, top, right, bottom] = [Math.max(left, q.left), Math.max(top, q.top), Math.min(right, q.right),
                                    Math.min(bottom, q.bottom)];
    }
    return {left, top, right, bottom, width: right - left, height: bottom - top}; };
  const name = (e) => (e.id ? "#" + e.id : e.tagName.toLowerCase()) + " " +
    (e.getAttribute("aria-label") || e.textContent).trim().slice(0, 30);
  const small = targets.filter((e) => box(e).height >= e.getBoundingClientRect().height - 0.5)
    .map((e) => [name(e), e.getBoundingClientRect()])
    .filter(([, r]) => r.width < 47.5 || r.height < 47.5).map(([n, r]) => `${n} ${r.width}x${r.height}`);
  const close = [];
  for (let i = 0; i < targets.length; i++) for (let j = i + 1; j < targets.length; j++) {
    const [a, b] = [targets[i], targets[j]];
    if (a.contains(b) || b.contains(a)) continue;
    const [p, q] = [box(a), box(b)];
    const dx = Math.max(q.left - p.right, p.left - q.right);
    const dy = Math.max(q.top - p.bottom, p.top - q.bottom);
    if (Math.max(dx, dy) < 7.5) close.push(`${name(a)} / ${name(b)} ${Math.max(dx, dy)}`);
  }
  return {count: targets.length, small, close};
}"""

# The visible text (the English switch aside) and every accessible name, label and hint.
LATIN_JS = """() => {
  const lang = document.querySelector("a.lang");
  const saved = lang.textContent;
  lang.textContent = "";
  const text = document.body.innerText;
  lang.textContent = saved;
  const names = [...document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")]
    .filter((e) => e !== lang)
    .flatMap((e) => ["aria-label", "title", "alt", "placeholder"].map((a) => e.getAttribute(a) || ""));
  const values = [...document.querySelectorAll("input[type=text], textarea, select")].map((e) =>
    e.tagName === "SELECT" ? e.selectedOptions[0]?.textContent || "" : e.value);
  return [text, ...names, ...values, document.title].join(" | ").match(/[A-Za-z0-9].{0,30}/g) || [];
}"""


def _each_view(page):
    """Every mode and step of the page, in turn."""
    for mode, steps in STEPS.items():
        page.click(f"[data-mode-button={mode}]")
        for step in steps:
            page.click(f"[data-step-button={step}]")
            yield mode, step


@pytest.fixture
def sara_at(browser, live_url, field):
    """Opens the tablet page as sara on a viewport, GPS at the first point."""
    pages = []

    def open_at(viewport: dict):
        page = open_tablet(browser, live_url, field["points"][0], viewport=viewport)
        pages.append(page)
        return page

    yield open_at
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT, PHONE], ids=["1024x768", "768x1024", "phone"])
def test_every_control_is_48_px_and_8_px_apart_in_both_modes(sara_at, field, viewport):
    page = sara_at(viewport)
    # A point, a session point and a photo, so their controls are measured too.
    _fill_report(page, "vacant_lot", "زمین خالی", gps=field["points"][1], context=page.context)
    page.set_input_files(
        "#photos", files=[{"name": "a.png", "mimeType": "image/png", "buffer": _png(400, 300)}]
    )
    page.wait_for_selector("#photo-count[data-count='1']")
    problems = []
    for mode, step in _each_view(page):
        if mode == "group" and step == "point" and not page.locator("#point-list li").count():
            page.locator("#map").click(position={"x": 100, "y": 100})
        found = page.evaluate(TARGETS_JS)
        assert found["count"] > 8
        problems += [f"{mode}/{step}: too small {s}" for s in found["small"]]
        problems += [f"{mode}/{step}: closer than 8 px {c}" for c in found["close"]]
        # The map and the send button are on screen with every step.
        send = "#submit" if mode == "place" else "#record-session"
        for selector in ("#map", send):
            box = page.locator(selector).bounding_box()
            assert box and box["y"] >= 0 and box["y"] + min(box["height"], 48) <= viewport["height"], selector
    assert not problems, "\n".join(problems)
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight + 1")  # no page scroll


@pytest.mark.dated
def test_no_latin_letter_or_digit_on_the_persian_page(tablet, field):
    page = tablet
    _fill_report(page, "vacant_lot", "زمین خالی", gps=field["points"][1], context=page.context)
    score(page, "lighting", 0)
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    page.wait_for_function("() => document.getElementById('lat').value !== ''")  # the next place's position
    latin = []
    for mode, step in _each_view(page):
        latin += [f"{mode}/{step}: {found}" for found in page.evaluate(LATIN_JS)]
    # The zoom buttons and the pin speak Persian too.
    assert page.get_attribute(".leaflet-control-zoom-in", "aria-label") == "بزرگ‌نمایی نقشه"
    assert not latin, "\n".join(latin)


# Records every message as it appears: its text, and whether it is on screen at that moment.
WATCH_JS = """() => {
  window.shownMessages = [];
  const area = document.getElementById("message");
  new MutationObserver(() => {
    if (area.hidden) return;
    const r = area.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    window.shownMessages.push({text: area.innerText.trim(), kind: area.dataset.kind,
      onScreen: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
                && area.contains(hit)});
  }).observe(area, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def _messages(page) -> list[dict]:
    return page.evaluate("() => window.shownMessages")


def _wait_message(page, text: str) -> None:
    page.wait_for_function("(t) => window.shownMessages.some((m) => m.text.includes(t))", arg=text)


@pytest.mark.dated
def test_every_message_appears_on_screen_and_a_refusal_marks_its_field(tablet, field):
    page = tablet
    page.set_viewport_size(LANDSCAPE)
    page.evaluate(WATCH_JS)
    # The page's own refusals: no kind chosen, a point outside the neighbourhoods.
    page.click("#submit")
    _wait_message(page, "نوع مکان را انتخاب کنید")
    assert page.get_attribute("#category", "data-invalid") == "true"
    page.context.set_geolocation({"latitude": 35.6, "longitude": 51.0, "accuracy": 8})
    page.click("#gps")
    _wait_message(page, "این نقطه در محله‌های شما نیست")
    # A confirmation.
    _fill_report(page, "vacant_lot", "زمین خالی", gps=field["points"][1], context=page.context)
    page.click("#submit")
    _wait_message(page, "ارسال شد")
    # The server's refusal, in Persian, naming the field: the field's step is shown, the field marked and
    # on screen.
    page.click("[data-mode-button=group]")
    page.fill("#fg-participants", "۵")
    page.fill("#fg-women", "۹")
    page.click("[data-step-button=point]")
    page.locator("#map").click(position={"x": 150, "y": 200})
    page.click("label.tile:has(input[value=vacant_lot])")
    page.click("#add-point")
    page.click("#record-session")
    _wait_message(page, "شمار زنان")
    women = page.locator("#fg-women")
    assert women.get_attribute("aria-invalid") == "true" and women.is_visible()
    box = women.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= LANDSCAPE["height"]
    shown = _messages(page)
    assert len(shown) >= 5 and all(m["onScreen"] for m in shown), shown
    assert not any(ch.isascii() and ch.isalnum() for m in shown for ch in m["text"]), shown


def _stored_audits(db_url: str) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.audit, r.time_of_day FROM report r JOIN app_user u ON u.id = r.created_by"
            " WHERE u.username = 'sara' ORDER BY r.id"
        )
        return cur.fetchall()


AUDIT = {"lighting": 0, "openness": 2, "visibility": 1, "people": 3, "security": 0, "feeling": 1}
NOT_ASSESSED = ("walk_path", "public_transport", "gender_mix")


def _audit_and_send(page, field, n: int) -> None:
    _fill_report(page, "poor_lighting", "کوچهٔ تاریک", gps=field["points"][n], context=page.context)
    page.click("[data-step-button=point]")
    page.click("label.tile:has(input[value=evening])")
    for criterion, value in AUDIT.items():
        score(page, criterion, value)
    score(page, "walk_path", 2)
    score(page, "walk_path", None)  # changed her mind: not assessed after all
    page.click("#submit")


def test_an_audit_keeps_zero_and_not_assessed_online_and_offline(tablet, field, db_url):
    page = tablet
    _audit_and_send(page, field, 1)
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    page.context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    _audit_and_send(page, field, 2)
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    assert len(_stored_audits(db_url)) == 1
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '2'")
    stored = _stored_audits(db_url)
    assert len(stored) == 2
    for audit, time_of_day in stored:
        assert assessed(audit) == AUDIT and time_of_day == "evening"
        assert all(audit.get(key) is None for key in NOT_ASSESSED)
    # The form starts the next place with nothing assessed.
    assert page.locator("#audit input[value='']:checked").count() == 9


def test_this_is_the_same_place_adds_the_observation_to_the_spot_nearby(tablet, db_url):
    page = tablet
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT s.id, ST_Y(s.geom), ST_X(s.geom), s.report_count FROM spot s"
            " JOIN area a ON a.id = s.area_id WHERE a.code = '2209' AND s.status = 'open'"
            " AND GeometryType(s.geom) = 'POINT' ORDER BY s.id LIMIT 1"
        )
        spot, lat, lon, reports = cur.fetchone()
    page.context.set_offline(True)  # the spots nearby came with the page
    page.context.set_geolocation({"latitude": lat + 0.0003, "longitude": lon, "accuracy": 8})  # 33 m north
    page.click("#gps")
    page.wait_for_selector("#nearby:not([hidden])")
    assert "۳۳ متری" in page.inner_text("#nearby-text")
    page.click("#same-place")
    assert page.get_attribute("#same-place", "aria-pressed") == "true"
    page.click("label.tile:has(input[value=vacant_lot])")
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.spot_id FROM report r JOIN app_user u ON u.id = r.created_by WHERE u.username = 'sara'"
        )
        assert cur.fetchall() == [(spot,)]
        cur.execute("SELECT report_count FROM spot WHERE id = %s", (spot,))
        assert cur.fetchone()[0] == reports + 1


def test_the_sign_in_page_is_set_in_vazirmatn(page, live_url):
    page.goto(f"{live_url}/login")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate(
        "() => [...document.fonts].some((f) => f.family.includes('Vazirmatn') && f.status === 'loaded')"
    )


def test_the_audit_reads_in_words_right_to_left_and_left_to_right(tablet, live_url):
    """The scores run from «خیلی بد» to «خوب» in the reading direction; no end means a score by its place."""
    page = tablet
    for lang, worst, best in (("fa", "خیلی بد", "خوب"), ("en", "Very bad", "Good")):
        if lang == "en":
            page.goto(f"{live_url}/field?lang=en")
            page.wait_for_selector("body[data-ready=true]")
        page.click("[data-step-button=audit]")
        row = page.locator("#audit-lighting")
        first = row.locator("label.score").first.bounding_box()
        worst_box = row.locator("label.score", has_text=worst).first.bounding_box()
        best_box = row.locator("label.score[data-score='3']").bounding_box()
        assert row.locator("label.score[data-score='3']").inner_text() == best
        assert first == worst_box
        assert (worst_box["x"] > best_box["x"]) == (lang == "fa")
    assert page.get_attribute("html", "dir") == "ltr" and page.console_errors == []
