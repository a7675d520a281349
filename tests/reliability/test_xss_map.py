"""Stored XSS on the public /map: an area's name (from `safemap import areas`) and a category's label are text
wherever they meet HTML — the area's tooltip, the layer control and the legend — for an anonymous visitor."""

import geopandas as gpd
import psycopg2
import pytest
from shapely.geometry import box

from gis.db import transaction
from gis.places.areas import import_areas
from tests.web.conftest import browser, live_url, page, serve_app  # noqa: F401 (the browser fixtures)
from tests.web.test_map import _open_map

pytestmark = pytest.mark.browser

AREA_NAME = '<img src=x onerror="window.__xss=1">'
CATEGORY_LABEL = '<img src=x onerror="window.__xss_category=1">'


@pytest.fixture
def planted(db_url: str) -> tuple[float, float]:
    """A neighbourhood named with markup just west of the district (through the function the CLI's
    `import areas` calls) and a category labelled with markup; returns the area's centre (lat, lon)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM area) q")
        west, south, north = cur.fetchone()
    middle = (south + north) / 2
    square = box(west - 0.03, middle - 0.01, west - 0.01, middle + 0.01)
    frame = gpd.GeoDataFrame({"code": ["XSS1"], "name": [AREA_NAME]}, geometry=[square], crs=4326)
    with transaction(db_url) as conn:
        import_areas(conn, frame, level="neighbourhood", code_field="code", name_field="name")
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE category SET label_fa = %s"
                " WHERE code = (SELECT code FROM category ORDER BY sort LIMIT 1)",
                (CATEGORY_LABEL,),
            )
    return middle, west - 0.02


def test_an_area_named_with_markup_shows_its_name_and_runs_nothing(page, live_url, planted) -> None:
    lat, lon = planted
    _open_map(page, live_url + "/map")  # anonymous: no token, no session
    x, y = page.evaluate(
        "([lat, lon]) => { const p = safemap.map.latLngToContainerPoint([lat, lon]);"
        " const r = safemap.map.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    page.mouse.move(x, y)
    # Neighbourhoods carry their names as labels: the planted one's shows its markup as text.
    tooltip = page.locator(".leaflet-tooltip", has_text=AREA_NAME).first
    tooltip.wait_for()
    assert tooltip.inner_text().strip() == AREA_NAME

    assert page.locator(".leaflet-control-layers-overlays", has_text=CATEGORY_LABEL).count() == 1
    assert CATEGORY_LABEL in page.inner_text("#sm-legend")
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_function("() => Array.from(document.images).every((image) => image.complete)")
    assert page.evaluate("() => [window.__xss, window.__xss_category]") == [None, None]
