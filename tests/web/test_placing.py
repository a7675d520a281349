"""Placing and drawing spots in Chromium (1440×900 and 1024×768): an address-only import row waits "to be
placed" for staff and is absent for the public; the GIS office drags it into place on the spot page, the
history records the move, and a second tab gets the conflict message. A line and an area drawn on the map page
are saved, shown after a reload, and present in the GeoJSON export and in a vector tile."""

from pathlib import Path

import psycopg2
import pytest
from argon2 import PasswordHasher

from gis import users
from gis.db import transaction
from gis.intake.files import ImportOptions
from gis.intake.files.batch import import_reports
from gis.users import create_user
from tests.tiles.test_tiles import read_tile, tile_of
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-pw"
ADDRESS = "بلوار دریاچه، کوچهٔ بن‌بست سوم"
SIZES = [{"width": 1440, "height": 900}, {"width": 1024, "height": 768}]


@pytest.fixture(params=SIZES, ids=["1440x900", "1024x768"])
def size(request) -> dict:
    return request.param


@pytest.fixture
def office(db_url, monkeypatch, tmp_path) -> dict:
    """The GIS office's account, and the spot one address-only row of a mayor's list made."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    listing = Path(tmp_path) / "letter.csv"
    listing.write_text(f"دسته,محله,نشانی\nروشنایی نامناسب,دریاچه,{ADDRESS}\n", encoding="utf-8")
    with transaction(db_url) as conn:
        create_user(conn, username="office", password=PASSWORD, role="gis_office", full_name="دفتر GIS")
        result = import_reports(conn, listing, ImportOptions(source="mayor", source_ref="نامهٔ ۱۲"))
        assert result.written, result.as_dict()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT spot_id FROM report WHERE address = %s", (ADDRESS,))
        return {"spot": cur.fetchone()[0]}


def _precision(db_url: str, spot_id: int) -> tuple:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT location_precision, version, ST_X(geom), ST_Y(geom) FROM spot WHERE id = %s", (spot_id,)
        )
        return cur.fetchone()


def _wait_map(page) -> None:
    page.wait_for_function("() => window.safemap && !window.safemap.busy()")


def test_an_address_only_row_is_placed_by_dragging_it_on_the_spot_page(
    browser, page, live_url, db_url, office, size
):
    spot = office["spot"]
    page.set_viewport_size(size)
    # The public: no such spot anywhere, not even waiting.
    page.goto(f"{live_url}/map")
    _wait_map(page)
    assert page.locator(f'.sm-pin[data-spot="{spot}"]').count() == 0
    assert page.locator("#to-place").count() == 0
    assert page.request.get(f"{live_url}/spots/{spot}").status == 404

    sign_in(page, live_url, "office", PASSWORD, "/map")
    _wait_map(page)
    page.wait_for_selector(f'#to-place li[data-spot="{spot}"]')
    row = page.locator(f'#to-place li[data-spot="{spot}"]')
    assert ADDRESS in row.inner_text()
    marker = page.locator(f'.sm-pin[data-spot="{spot}"]')
    if marker.count():  # on the map only as a "to be placed" mark, never as a point
        assert "sm-unplaced" in marker.get_attribute("class")

    row.locator("a").click()
    page.wait_for_url(f"{live_url}/spots/{spot}")
    page.wait_for_selector("#spot-map .leaflet-marker-icon")
    assert page.get_attribute("#precision", "data-precision") == "address"
    assert page.inner_text("#shape") == "در انتظار جایابی"  # not coordinates that look exact
    before = _precision(db_url, spot)

    other = browser.new_context(locale="fa-IR", viewport=size).new_page()
    sign_in(other, live_url, "office", PASSWORD, f"/spots/{spot}")
    other.wait_for_selector("#spot-map .leaflet-marker-icon")

    pin = page.locator("#spot-map .leaflet-marker-icon")
    pin.scroll_into_view_if_needed()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda r: r.request.method == "PATCH"):
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y + 30, steps=8)
        page.mouse.up()
    page.wait_for_function("() => document.getElementById('precision')?.dataset.precision === 'placed'")
    after = _precision(db_url, spot)
    assert after[0] == "placed" and after[1] == before[1] + 1
    assert (after[2], after[3]) != (before[2], before[3])
    assert page.locator('#history tr[data-kind="moved"]').count() == 1

    # The second tab read the old version: its move is refused with the conflict message, nothing changes.
    other.fill("#typed input[name=x]", "51.1")
    other.fill("#typed input[name=y]", "35.73")
    other.click("#typed button[type=submit]")
    other.wait_for_function("() => document.getElementById('place-message')?.dataset.state === 'conflict'")
    assert "دوباره بارگذاری" in other.inner_text("#place-message")
    assert _precision(db_url, spot) == after
    other.context.close()
    assert not page.console_errors and not page.outside_requests()


def _draw(page, shape: str, points: list[tuple[float, float]]) -> None:
    """Click the tool, then each point (the last one twice for a line, the first again to close an area)."""
    page.click(f'#draw-tools button[data-shape="{shape}"]')
    for x, y in points:
        page.mouse.click(x, y)
    if shape == "Line":
        page.mouse.click(*points[-1])
    else:
        page.mouse.click(*points[0])
    page.wait_for_selector("#draw-form:not([hidden])")


def test_a_line_and_an_area_drawn_on_the_map_are_spots_everywhere(
    page, live_url, db_url, office, size, tmp_path
):
    page.set_viewport_size(size)
    sign_in(page, live_url, "office", PASSWORD, "/map")
    _wait_map(page)
    page.evaluate("() => window.safemap.map.setView([35.745, 51.105], 17, {animate: false})")
    _wait_map(page)
    box = page.locator("#map, .folium-map").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    saved = {}
    for shape, category, points in (
        ("Line", "poor_lighting", [(cx - 120, cy - 60), (cx - 20, cy - 40), (cx + 60, cy - 80)]),
        (
            "Polygon",
            "vacant_lot",
            [(cx - 80, cy + 20), (cx + 40, cy + 20), (cx + 40, cy + 100), (cx - 80, cy + 90)],
        ),
    ):
        _draw(page, shape, points)
        page.select_option("#draw-form select[name=category]", category)
        page.fill("#draw-form textarea[name=description]", f"{shape} drawn in the browser")
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/reports")):
            page.click("#draw-form button[type=submit]")
        page.wait_for_function("() => document.getElementById('draw-message')?.dataset.state === 'saved'")
        saved[shape] = int(page.get_attribute("#draw-message", "data-spot"))
        page.evaluate("() => document.getElementById('draw-message').dataset.state = ''")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, GeometryType(geom), location_precision FROM spot WHERE id = ANY(%s) ORDER BY id",
            (list(saved.values()),),
        )
        stored = {row[0]: row[1:] for row in cur.fetchall()}
    assert stored == {saved["Line"]: ("LINESTRING", "placed"), saved["Polygon"]: ("POLYGON", "placed")}

    page.reload()
    _wait_map(page)
    page.evaluate("() => window.safemap.map.setView([35.745, 51.105], 17, {animate: false})")
    _wait_map(page)
    for spot in saved.values():  # each is on the map, its shape drawn at this zoom
        page.wait_for_selector(f'.sm-pin[data-spot="{spot}"]', state="attached")
    assert page.locator("path.leaflet-interactive, svg path").count() >= 2

    exported = page.request.get(f"{live_url}/api/exports/geojson?layers=spots").json()
    kinds = {f["properties"]["id"]: f["geometry"]["type"] for f in exported["features"]}
    assert kinds[saved["Line"]] == "LineString" and kinds[saved["Polygon"]] == "Polygon"
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM spot WHERE id = %s",
            (saved["Polygon"],),
        )
        lon, lat = cur.fetchone()
    x, y = tile_of(lon, lat, 15)
    tile = read_tile(page.request.get(f"{live_url}/tiles/15/{x}/{y}.pbf").body(), 15, x, y, tmp_path)
    in_tile = {f["properties"]["mvt_id"]: f["geometry"]["type"] for f in tile["spots"]}
    assert in_tile[saved["Polygon"]] == "Polygon" and in_tile[saved["Line"]] == "LineString"
    assert not page.console_errors and not page.outside_requests()


def test_the_gis_office_drags_a_spot_to_be_placed_on_the_map_page(page, live_url, db_url, office, size):
    spot = office["spot"]
    page.set_viewport_size(size)
    sign_in(page, live_url, "office", PASSWORD, "/map")
    _wait_map(page)
    before = _precision(db_url, spot)
    page.evaluate(
        "([lon, lat]) => window.safemap.map.setView([lat, lon], 18, {animate: false})", [before[2], before[3]]
    )
    _wait_map(page)
    pin = page.locator(f'.sm-pin.sm-unplaced[data-spot="{spot}"]')
    pin.wait_for()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y - 40, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('move-message')?.dataset.state === 'saved'")
    after = _precision(db_url, spot)
    assert (
        after[0] == "placed" and after[1] == before[1] + 1 and (after[2], after[3]) != (before[2], before[3])
    )
    _wait_map(page)
    page.wait_for_selector(f'#to-place li[data-spot="{spot}"]', state="detached")
    assert page.locator(f'.sm-pin.sm-unplaced[data-spot="{spot}"]').count() == 0
    assert not page.console_errors and not page.outside_requests()
