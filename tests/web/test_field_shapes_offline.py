"""The tablet in the field (issues 12 and 14), in Chromium at 1024×768 with touch: a line and an area drawn
offline are queued, sent once online and stored as LineString and Polygon, shown on the map's data, in the
GeoJSON export and in a vector tile; the base map and the neighbourhoods' spots, prepared with their size
shown, come from Cache Storage after an offline reload, with no request reaching the network."""

import psycopg2
import pytest

from gis.db import transaction
from tests.api.test_field_offline import add_field_basemap
from tests.conftest import bearer_headers
from tests.tiles.test_tiles import read_tile, tile_of
from tests.web.conftest import open_tablet

pytestmark = pytest.mark.browser
TABLET_LANDSCAPE = {"width": 1024, "height": 768}


def _tap_shape(page, shape: str, offsets: list[tuple[int, int]]) -> None:
    """Choose the shape, tap its corners around the map's centre (pixels), then «پایان»."""
    page.click("[data-step-button=point]")
    page.tap(f'[data-shape="{shape}"]')
    page.wait_for_selector("#draw-actions:not([hidden])")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in offsets:
        page.touchscreen.tap(cx + dx, cy + dy)
    page.tap("#draw-finish")
    page.wait_for_function("() => document.getElementById('lat').value !== ''")


def _describe(page, category: str, description: str) -> None:
    page.tap(f"label.tile:has(input[value={category}])")
    page.wait_for_selector("#report-form[data-step=audit]")
    page.click("[data-step-button=more]")
    page.fill("#description", description)


@pytest.fixture
def landscape(browser, live_url, field):
    """The tablet page at 1024×768, GPS at the first of the field's points (the map opens there, zoom 16)."""
    page = open_tablet(browser, live_url, field["points"][0], TABLET_LANDSCAPE)
    page.wait_for_function("() => document.getElementById('lat').value !== ''")  # the GPS fix placed
    yield page
    page.context.close()


def test_a_line_and_an_area_drawn_offline_are_sent_once_and_are_spots_everywhere(
    landscape, live_url, db_url, tmp_path
):
    page = landscape
    page.context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    _tap_shape(page, "Line", [(-90, -40), (-20, -60), (50, -30)])
    assert page.locator(".leaflet-marker-icon.pin").count() == 0  # no pin: the line is the place
    _describe(page, "poor_lighting", "خیابان تاریک")
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    _tap_shape(page, "Polygon", [(-60, 30), (40, 30), (40, 100), (-60, 90)])
    _describe(page, "vacant_lot", "زمین بایر")
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '2'")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM report r JOIN app_user u ON u.id = r.created_by WHERE u.username = 'sara'"
        )
        assert cur.fetchone()[0] == 0  # offline: all of it waits on the tablet

    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('queued-count').dataset.count === '0'"
        " && document.getElementById('sent-count').dataset.count === '2'"
    )
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.description, GeometryType(r.geom), r.location_precision, r.spot_id,"
            " GeometryType(s.geom) FROM report r JOIN spot s ON s.id = r.spot_id"
            " JOIN app_user u ON u.id = r.created_by"
            " WHERE u.username = 'sara' ORDER BY r.id"
        )
        stored = cur.fetchall()
    assert [row[:3] for row in stored] == [
        ("خیابان تاریک", "LINESTRING", "placed"),
        ("زمین بایر", "POLYGON", "placed"),
    ]
    line, area = stored[0][3], stored[1][3]
    assert (stored[0][4], stored[1][4]) == ("LINESTRING", "POLYGON")

    with transaction(db_url) as conn:
        viewer = bearer_headers(conn, "shapes-viewer", "viewer")
    shown = page.request.get(f"{live_url}/api/map/spots?zoom=17", headers=viewer)
    assert shown.ok, shown.text()
    shapes = {f["id"]: (f["properties"]["shape"] or {}).get("type") for f in shown.json()["features"]}
    assert shapes[line] == "LineString" and shapes[area] == "Polygon"  # the map draws them at zoom 15+
    exported = page.request.get(f"{live_url}/api/exports/geojson?layers=spots", headers=viewer).json()
    kinds = {f["properties"]["id"]: f["geometry"]["type"] for f in exported["features"]}
    assert kinds[line] == "LineString" and kinds[area] == "Polygon"
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM spot WHERE id = %s", (area,)
        )
        lon, lat = cur.fetchone()
    x, y = tile_of(lon, lat, 15)
    tile = page.request.get(f"{live_url}/tiles/15/{x}/{y}.pbf", headers=viewer).body()
    in_tile = {
        f["properties"]["mvt_id"]: f["geometry"]["type"] for f in read_tile(tile, 15, x, y, tmp_path)["spots"]
    }
    assert in_tile[area] == "Polygon" and in_tile[line] == "LineString"

    page.reload()  # the tablet's own nearby layer now draws them as a line and an area
    page.wait_for_selector("body[data-ready=true]")
    for spot in (line, area):
        page.wait_for_selector(f'path.spot-shape[data-spot="{spot}"]', state="attached")
    assert page.console_errors == []


def test_prepared_offline_the_base_map_and_spots_come_from_the_cache(
    browser, serve_app, db_url, field, tmp_path
):
    add_field_basemap(db_url, tmp_path)
    base = serve_app(db_url)
    page = open_tablet(browser, base, field["points"][0], TABLET_LANDSCAPE)
    try:
        page.click("[data-step-button=queue]")
        page.tap("#offline-prepare")
        page.wait_for_selector("#offline-download:not([hidden])")
        size = page.inner_text("#offline-size")
        assert (
            "کاشی نقشهٔ پایه" in size
            and "مگابایت" in size
            and not any(c.isascii() and c.isdigit() for c in size)
        )
        page.tap("#offline-download")
        page.wait_for_selector("body[data-offline-tiles]")
        assert page.inner_text("#offline-size") == "نقشه و نقطه‌ها برای کار بی‌اینترنت آماده است"
        spots = page.locator(".spot-pin, path.spot-shape").count()
        assert spots > 0

        page.context.set_offline(True)
        network = []
        page.on("response", lambda response: "/basemaps/" in response.url and network.append(response))
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_function(
            "() => document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0"
            " && !document.querySelector('#map img.leaflet-tile:not(.leaflet-tile-loaded)')"
        )
        assert network and all(response.from_service_worker for response in network)
        assert all(response.status == 200 for response in network)
        assert page.locator(".spot-pin, path.spot-shape").count() == spots  # the neighbourhoods' spots
        assert not [error for error in page.console_errors if "/basemaps/" in error]
    finally:
        page.context.close()
