"""The map with 100,000 spots: load time and page weight of /map in headless Chromium, pans and zooms, and the
viewport endpoint beside the same query called directly (the physical limit).

    python -m tests.perf.bench_map            # DATABASE_URL's server, else the embedded cluster

Seeds `safemap_bench_map` once (District 22's areas, 100,000 spots, 250,000 reports) and reuses it. The map is
opened as a signed-in viewer, who sees every spot (the public sees only stages 3 and 4, about half).
"""

import os
import statistics
import time

import httpx
import psycopg2

from gis.db import migrate, transaction
from gis.demo.district import load_base_areas
from gis.publish.mapdata import map_spots
from gis.spots import SpotFilter
from gis.users import create_user, get_user, issue_token
from tests.perf.common import (
    Result,
    live_server,
    machine,
    median,
    new_database,
    p95,
    print_results,
    server_url,
)
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

DATABASE = "safemap_bench_map"
SPOTS = int(os.environ.get("BENCH_MAP_SPOTS", "100000"))
# Issue 16's goals for the map.
TARGET_MOVE_MS = 300
TARGET_OPEN_MS = 1500
TARGET_WEIGHT_KIB = 1024
SEED_SQL = """
SELECT setseed(0.22);
-- Half the spots gather around 40 hot places, half spread over the neighbourhoods.
CREATE TEMP TABLE hot AS
SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), 40, 22))).geom AS geom
FROM area WHERE level = 'neighbourhood';
CREATE TEMP TABLE place AS
SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), %(spread)s, 7))).geom AS geom
FROM area WHERE level = 'neighbourhood'
UNION ALL
SELECT ST_Translate(h.geom, 0.004 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()),
                    0.004 * sqrt(-2 * ln(1 - random())) * sin(2 * pi() * random()))
FROM generate_series(1, %(gathered)s) i, LATERAL (SELECT geom FROM hot OFFSET (i %% 40) LIMIT 1) h;
INSERT INTO spot (geom, category, stage, status, title, created_at, updated_at)
SELECT geom,
       (ARRAY['poor_lighting', 'abandoned_building', 'vacant_lot', 'underpass_bridge', 'park_corner',
              'dead_end_alley', 'isolated_stop', 'river_highway_margin', 'offender_gathering', 'other'])
           [1 + floor(random() * 10)::int],
       1 + floor(random() * 4)::int, 'open', 'bench spot', now() - interval '700 days' * random(), now()
FROM place;
UPDATE spot s SET area_id = a.id FROM area a
WHERE a.level = 'neighbourhood' AND ST_Intersects(a.geom, s.geom);
INSERT INTO report (uuid, spot_id, source, geom, category, area_id, time_of_day, reported_at)
SELECT gen_random_uuid(), s.id,
       (ARRAY['mayor', 'focus_group', 'hotline_137', 'field'])[1 + floor(random() * 4)::int],
       ST_Translate(s.geom, (random() - 0.5) * 0.0003, (random() - 0.5) * 0.0003), s.category, s.area_id,
       (ARRAY['day', 'evening', 'night'])[1 + floor(random() * 3)::int], s.created_at + interval '1 day' * n
FROM spot s, generate_series(1, 1 + (s.id %% 4)) n;
INSERT INTO spot_event (spot_id, kind, at) SELECT id, 'created', created_at FROM spot;
UPDATE spot s SET report_count = r.n, source_count = r.sources, priority = r.n + 2 * r.sources
FROM (SELECT spot_id, count(*) AS n, count(DISTINCT source) AS sources FROM report GROUP BY spot_id) r
WHERE r.spot_id = s.id;
"""


def bench_database() -> str:
    """The seeded database's URL; seeded (or re-seeded when its spot count differs) on first use."""
    url = server_url(DATABASE)
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM spot")
            if cur.fetchone()[0] == SPOTS:
                return url
    except psycopg2.Error:
        pass
    new_database(DATABASE)
    migrate(url)
    started = time.perf_counter()
    print(f"seeding {DATABASE}: District 22, {SPOTS:,} spots …", flush=True)
    with transaction(url) as conn:
        load_base_areas(conn)
        with conn.cursor() as cur:
            cur.execute(SEED_SQL, {"spread": SPOTS // 2, "gathered": SPOTS - SPOTS // 2})
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def viewer_headers(url: str) -> dict[str, str]:
    """A bearer token of the benchmark's viewer, made on first use."""
    with transaction(url) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM app_user WHERE username = 'bench-viewer'")
            known = cur.fetchone() is not None
        user = (
            get_user(conn, "bench-viewer")
            if known
            else create_user(conn, username="bench-viewer", password="bench viewer password", role="viewer")
        )
        return {"Authorization": f"Bearer {issue_token(conn, user.id)[0]}"}


def settle(page) -> None:
    page.wait_for_function(
        "() => window.safemap && window.safemap.state.mode && !window.safemap.busy()", timeout=60_000
    )


def open_map(browser, base: str, headers: dict[str, str]) -> dict:
    """A cold load of /map: ms until the first spots or clusters are drawn, and every byte transferred."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, extra_http_headers=headers)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base + "/map")
    settle(page)
    loaded = page.evaluate("performance.now()")
    weight = page.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((sum, e) => sum + e.transferSize, 0)""")
    html = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize")
    state = page.evaluate("({mode: safemap.state.mode, count: safemap.state.count})")
    return {
        "context": context,
        "page": page,
        "ms": loaded,
        "bytes": weight,
        "html": html,
        "state": state,
        "errors": errors,
    }


def timed_moves(page, moves: list[str]) -> list[float]:
    """Milliseconds from each map move until the new viewport's data is drawn (a move within what is drawn
    asks nothing: Leaflet's moveend comes within the move's own call). The move runs as `void (move)`: panBy
    and setZoom return the map, and Playwright would copy that whole object graph back (0.4–1.7 s a move)."""
    times = []
    for move in moves:
        start = time.perf_counter()
        page.evaluate(f"void ({move})")
        settle(page)
        times.append((time.perf_counter() - start) * 1000)
    return times


def endpoint_vs_direct(
    base: str, url: str, headers: dict[str, str], bbox: list[float], zoom: int, repeat: int = 15
) -> tuple[float, float, int]:
    """Median ms of /api/map/spots and of the same gis call on a direct connection, and the response size."""
    params = {"bbox": ",".join(map(str, bbox)), "zoom": zoom}
    api, direct = [], []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client, psycopg2.connect(url) as conn:
        size = len(client.get("/api/map/spots", params=params).content)
        for _ in range(repeat):
            start = time.perf_counter()
            client.get("/api/map/spots", params=params).raise_for_status()
            api.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            map_spots(conn, SpotFilter(bbox=bbox), zoom=zoom)
            direct.append((time.perf_counter() - start) * 1000)
    return statistics.median(api), statistics.median(direct), size


PANS = [
    "safemap.map.panBy([300, 0], {animate: false})",
    "safemap.map.panBy([0, 250], {animate: false})",
    "safemap.map.panBy([-300, 0], {animate: false})",
    "safemap.map.panBy([0, -250], {animate: false})",
]
# A whole screen away and back: past what is drawn, so each asks the server again.
FAR_PANS = [f"safemap.map.panBy([{x}, 0], {{animate: false}})" for x in (1280, -1280)]


def measure(base: str, headers: dict[str, str], log=print) -> dict:
    """Loads, moves and the heatmap in headless Chromium at 1280×900; every figure in ms (weight in bytes)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        loads = [open_map(browser, base, headers) for _ in range(3)]
        page = loads[0]["page"]
        found = {"loads": loads, "first": loads[0]}
        found["pans"] = timed_moves(page, PANS * 2)
        found["far"] = timed_moves(page, FAR_PANS * 2)
        found["zooms"] = timed_moves(
            page, [f"safemap.map.setZoom({z}, {{animate: false}})" for z in (13, 14, 15, 16, 17)]
        )
        found["deep_state"] = page.evaluate("({mode: safemap.state.mode, count: safemap.state.count})")
        found["deep"] = timed_moves(
            page,
            ["safemap.map.panBy([200, 0], {animate: false})", "safemap.map.panBy([0, 200], {animate: false})"]
            * 3,
        )
        found["deep_far"] = timed_moves(page, FAR_PANS * 2)
        found["heat"] = timed_moves(
            page, ["safemap.map.setZoom(12, {animate: false}), safemap.heat.addTo(safemap.map)"]
        )[0]
        found["district"] = page.evaluate(
            "(() => { const b = safemap.map.getBounds();"
            " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
        )
        found["moves"] = found["pans"] + found["far"] + found["zooms"] + found["deep"] + found["deep_far"]
        for load in loads:
            load["context"].close()
        browser.close()
    return found


def report(found: dict) -> None:
    """The figures as the README shows them."""
    loads, first = found["loads"], found["first"]
    print(f"\n/map with {SPOTS:,} spots, cold cache, 1280×900, 3 loads")
    print(
        "  load time (navigation → first data drawn):"
        f" median {statistics.median(load['ms'] for load in loads):.0f} ms"
        f"  (runs: {', '.join(str(round(load['ms'])) for load in loads)})"
    )
    print(
        f"  page weight (all bytes transferred): {first['bytes'] / 1024:.0f} KiB;"
        f" HTML {first['html'] / 1024:.0f} KiB;"
        f" shown: {first['state']['count']:,} spots as {first['state']['mode']}"
    )
    print(f"  console errors: {len(first['errors'])}")
    for name, key in (("pan at zoom 12 within what is drawn", "pans"), ("pan at zoom 12 by a screen", "far")):
        times = found[key]
        print(f"  {name} → data drawn: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    state = found["deep_state"]
    print(
        f"  zoom 13→17 steps: {', '.join(f'{t:.0f}' for t in found['zooms'])} ms;"
        f" at 17: {state['count']:,} {state['mode']}"
    )
    print(f"  pan at zoom 17 → data drawn: median {statistics.median(found['deep']):.0f} ms")
    print(f"  pan at zoom 17 by a screen → data drawn: median {statistics.median(found['deep_far']):.0f} ms")
    print(f"  heatmap on at zoom 12: {found['heat']:.0f} ms")
    moves = found["moves"]
    print(f"  every move ({len(moves)}): median {median(moves):.0f} ms, p95 {p95(moves):.0f} ms")


def results(found: dict) -> list[Result]:
    """The goals of issue 16 for the map: p95 of every move ≤ 300 ms, open ≤ 1.5 s, weight < 1 MB."""
    opens = [load["ms"] for load in found["loads"]]
    weight = found["first"]["bytes"] / 1024
    return [
        Result(
            "map pan or zoom → data drawn",
            found["moves"],
            target=f"p95 ≤ {TARGET_MOVE_MS} ms",
            met=p95(found["moves"]) <= TARGET_MOVE_MS,
            note=f"{SPOTS:,} spots, Chromium 1280×900; pans within what is drawn median"
            f" {median(found['pans']):.0f} ms, by a screen {median(found['far'] + found['deep_far']):.0f} ms,"
            f" zoom steps 13→17 {', '.join(f'{t:.0f}' for t in found['zooms'])} ms",
        ),
        Result(
            "map open → first data drawn",
            opens,
            target=f"≤ {TARGET_OPEN_MS} ms",
            met=median(opens) <= TARGET_OPEN_MS,
            note=f"cold cache, 3 loads; console errors {len(found['first']['errors'])}",
        ),
        Result(
            "map page weight",
            [weight],
            unit="KiB",
            target=f"< {TARGET_WEIGHT_KIB} KiB",
            met=weight < TARGET_WEIGHT_KIB,
            note=f"HTML {found['first']['html'] / 1024:.0f} KiB",
        ),
    ]


def run(url: str, base: str) -> list[Result]:
    """For bench_all: the map over its own 100,000-spot database and server (`url` and `base` serve the
    tile and feature benchmarks' seed)."""
    map_url = bench_database()
    with live_server(map_url) as map_base:
        found = measure(map_base, viewer_headers(map_url))
    report(found)
    return results(found)


def main() -> None:
    url = bench_database()
    headers = viewer_headers(url)
    print(machine())
    with live_server(url) as base:
        found = measure(base, headers)
        report(found)
        print("\n/api/map/spots vs the same query on a direct connection (median of 15)")
        district = found["district"]
        centre = [(district[0] + district[2]) / 2, (district[1] + district[3]) / 2]
        for zoom, half in ((12, None), (15, 0.01), (17, 0.003)):
            bbox = (
                district
                if half is None
                else [centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half]
            )
            api, direct, size = endpoint_vs_direct(base, url, headers, bbox, zoom)
            print(
                f"  zoom {zoom:>2}: API {api:6.1f} ms, direct {direct:6.1f} ms, ratio {api / direct:4.2f},"
                f" {size / 1024:.0f} KiB"
            )
    print_results(results(found))


if __name__ == "__main__":
    main()
