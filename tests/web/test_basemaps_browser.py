"""Base maps on the map page in Chromium: an MBTiles, a PMTiles and a GeoTIFF made here, registered as the GIS
office does, each drawn when chosen in the layer control with every request to 127.0.0.1; and the search
box finding a neighbourhood by its local name and a landmark by name."""

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from gis.db import transaction
from gis.places.streets import load_streets
from gis.publish.basemaps import add_basemap
from gis.users import create_user
from tests.basemap_files import make_geotiff, make_mbtiles, make_pmtiles, mvt_tiles
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser


def _drawn(page, name: str) -> None:
    """Wait until base map `name` shows loaded 256-pixel tiles."""
    page.wait_for_function(
        """(name) => [...document.querySelectorAll(`.sm-basemap-${name} img.leaflet-tile-loaded`)]
               .some((img) => img.naturalWidth === 256)""",
        arg=name,
    )


def test_each_local_base_map_is_drawn_from_this_server_when_chosen(page, serve_app, db_url, tmp_path):
    files = {
        "d22-mbtiles": make_mbtiles(tmp_path / "a.mbtiles"),
        "d22-pmtiles": make_pmtiles(tmp_path / "b.pmtiles"),
        "d22-ortho": make_geotiff(tmp_path / "c.tif"),
    }
    with transaction(db_url) as conn:
        for name, path in files.items():
            add_basemap(conn, path, name=name, attribution="© GIS office", folder=tmp_path / "basemaps")
    base = serve_app(db_url)
    page.goto(base + "/map")
    _drawn(page, "d22-mbtiles")  # the first registered is shown at first
    for name in ("d22-pmtiles", "d22-ortho"):
        page.locator(".leaflet-control-layers-base label", has_text=name).locator("input").check()
        _drawn(page, name)
    for name in files:
        assert any(f"/basemaps/{name}/" in url for url in page.requests), name
    none = page.locator(".leaflet-control-layers-base label", has_text="بدون نقشهٔ پایه")
    none.locator("input").check()
    page.wait_for_function("() => !document.querySelector('.sm-basemap')")
    assert page.outside_requests() == []
    assert page.console_errors == []


def test_the_search_box_finds_a_neighbourhood_by_local_name_and_a_landmark(page, live_url):
    page.goto(live_url + "/map")
    page.wait_for_selector(".sm-place-name", state="attached")  # the demo's names and landmarks are drawn
    assert page.locator(".sm-neighbourhood-name", has_text="شهرک صدرا").count() == 1
    assert "tehran-metro-data contributors, ODbL" in page.inner_text(".leaflet-control-attribution")
    search = page.locator(".sm-search-input")
    search.fill("آبشار")
    first = page.locator(".sm-search-result").first
    first.wait_for()
    assert first.locator(".sm-search-label").inner_text() == "امید دژبان"
    assert first.locator(".sm-search-kind").inner_text() == "محله"
    first.click()
    page.wait_for_function(
        """() => { const c = window.safemap.map.getCenter();
                   return c.lng > 51.20 && c.lng < 51.26 && c.lat > 35.74 && c.lat < 35.78; }"""
    )
    search.fill("ايران مال")  # as typed with an Arabic keyboard
    mall = page.locator(".sm-search-result", has_text="ایران مال")
    mall.wait_for()
    assert mall.locator(".sm-search-kind").inner_text() == "نشانه"
    search.press("Enter")
    page.wait_for_function(
        """() => { const c = window.safemap.map.getCenter();
                   return Math.abs(c.lat - 35.7534) < 0.001 && Math.abs(c.lng - 51.1924) < 0.001; }"""
    )
    assert page.outside_requests() == []
    assert page.console_errors == []


def test_a_vector_base_map_is_drawn_by_vectorgrid_from_this_server(page, serve_app, db_url, tmp_path):
    with transaction(db_url) as conn:
        path = make_pmtiles(tmp_path / "areas.pmtiles", vector=mvt_tiles(conn))
        add_basemap(conn, path, name="d22-vector", attribution="", folder=tmp_path / "basemaps")
    base = serve_app(db_url)
    page.goto(base + "/map")
    page.wait_for_function(  # a tile canvas with the areas' outlines drawn on it
        """() => [...document.querySelectorAll('.sm-basemap-d22-vector canvas')].some((canvas) => {
                   const {width, height} = canvas;
                   const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
                   return pixels.some((value, i) => i % 4 === 3 && value > 0);
               })"""
    )
    assert any("/basemaps/d22-vector/12/" in url and ".pbf?v=" in url for url in page.requests)
    assert page.outside_requests() == []
    assert page.console_errors == []


def test_a_loaded_street_layer_is_drawn_and_found_by_the_search_box(page, serve_app, db_url, tmp_path):
    streets = gpd.GeoDataFrame(
        {"name": ["بلوار کاج"], "geometry": [LineString([(51.180, 35.740), (51.190, 35.745)])]},
        crs="EPSG:4326",
    )
    path = tmp_path / "streets.gpkg"
    streets.to_file(path, driver="GPKG")
    with transaction(db_url) as conn:
        load_streets(conn, path)
    page.goto(serve_app(db_url) + "/map")
    page.locator(".sm-search-input").fill("بلوار كاج")  # Arabic ك, as typed
    found = page.locator(".sm-search-result", has_text="بلوار کاج")
    found.wait_for()
    assert found.locator(".sm-search-kind").inner_text() == "خیابان"
    with page.expect_response(lambda r: "/api/streets?bbox=" in r.url and r.ok):
        found.click()  # the map zooms to the street, past zoom 14: the layer loads its viewport
    page.wait_for_function("() => document.querySelectorAll('path.sm-street').length === 1")
    assert page.outside_requests() == []
    assert page.console_errors == []


def test_the_spot_page_map_offers_the_base_maps_and_the_search_box(page, serve_app, db_url, tmp_path):
    with transaction(db_url) as conn:
        tiles = make_mbtiles(tmp_path / "a.mbtiles")
        add_basemap(conn, tiles, name="d22", attribution="", folder=tmp_path / "b")
        create_user(conn, username="office", password="long enough password", role="gis_office")
        cur = conn.cursor()
        cur.execute("SELECT id FROM spot WHERE status <> 'merged' ORDER BY id LIMIT 1")
        spot = cur.fetchone()[0]
    base = serve_app(db_url)
    sign_in(page, base, "office", "long enough password", f"/spots/{spot}")
    page.wait_for_function(  # the spot page's map is drawn from the same base map as the map page's
        """() => [...document.querySelectorAll('#spot-map .sm-basemap-d22 img.leaflet-tile-loaded')]
               .some((img) => img.naturalWidth === 256)"""
    )
    page.locator("#spot-map .sm-search-input").fill("Abshar")
    page.locator("#spot-map .sm-search-result", has_text="امید دژبان").wait_for()
    assert page.outside_requests() == []
    assert page.console_errors == []
