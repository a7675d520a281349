"""The map's analysis overlays in headless Chromium: the density choropleth and the Gi* hotspots load from the
API only when switched on, draw what the API and the database hold, and count only the reader's spots."""

import psycopg2
import pytest

from gis.settings import get_settings
from tests.web.test_map import _open_map, _overlay, _shown

pytestmark = pytest.mark.browser

NEIGHBOURHOOD_SPOTS = """
    SELECT a.code, count(s.id) FROM area a LEFT JOIN spot s ON s.status <> 'merged' AND s.stage >= %s
        AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))
    WHERE a.level = 'neighbourhood' GROUP BY a.code
"""
LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٫−", "0123456789.-", "٬,\u200e\u200f\u061c")


def _rows(db_url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else []


def _number(text: str) -> float:
    return float(text.translate(LATIN))


def _popup(page, selector: str) -> dict[str, str]:
    """The rows of an open analysis popup, heading → cell text."""
    popup = page.locator(selector)
    popup.wait_for()
    return dict(zip(popup.locator("th").all_inner_texts(), popup.locator("td").all_inner_texts()))


def _switch_on(page, label: str, path: str):
    """Check an overlay and return the API's JSON answer it loaded."""
    with page.expect_response(lambda r: path in r.url) as answer:
        _overlay(page, label).check()
    _shown(page)
    assert answer.value.ok
    return answer.value.json()


def _drawn_spots(page) -> dict[str, int]:
    return page.evaluate(
        "Object.fromEntries(safemap.analysis.density.group.getLayers()"
        ".map((l) => [l.feature.id, l.feature.properties.spots]))"
    )


def test_the_density_choropleth_for_a_viewer(page, live_url, db_url, viewer_headers):
    _rows(db_url, "UPDATE area SET population = 25000 WHERE code = '2209'")
    page.set_extra_http_headers(viewer_headers)
    _open_map(page, live_url + "/map")
    assert not any("/api/analysis/" in url for url in page.requests)
    assert not page.locator("#sm-analysis-key").is_visible()
    spot_loads = sum("/api/map/spots?" in url for url in page.requests)
    data = _switch_on(page, "تراکم نقاط (محله‌ها)", "/api/analysis/density")
    everything = dict(_rows(db_url, NEIGHBOURHOOD_SPOTS, (1,)))
    assert len(everything) == 10 == len(data["features"]) == page.evaluate("safemap.analysis.density.count")
    assert _drawn_spots(page) == everything
    assert sum("/api/map/spots?" in url for url in page.requests) == spot_loads  # the spots are not refetched
    key = page.inner_text("#sm-analysis-key")
    assert "نقطه در هر کیلومتر مربع" in key and page.locator("#sm-analysis-key [data-class]").count() >= 2

    page.evaluate(
        "safemap.analysis.density.group.getLayers().find((l) => l.feature.id === '2209').openPopup()"
    )
    rows = _popup(page, ".sm-density[data-area='2209']")
    (name, km2) = _rows(
        db_url, "SELECT name_fa, ST_Area(geom::geography) / 1e6 FROM area WHERE code = '2209'"
    )[0]
    assert name in page.inner_text(".sm-density[data-area='2209'] h3")
    assert rows["تعداد نقطه"] == str(everything["2209"]).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert _number(rows["نقطه در هر کیلومتر مربع"]) == pytest.approx(everything["2209"] / km2, abs=0.006)
    assert rows["جمعیت"] == "۲۵٬۰۰۰"
    assert _number(rows["نقطه در هر ۱۰۰۰ نفر"]) == pytest.approx(everything["2209"] / 25, abs=0.006)
    page.evaluate(
        "safemap.analysis.density.group.getLayers().find((l) => l.feature.id === '2201').openPopup()"
    )
    assert "نقطه در هر ۱۰۰۰ نفر" not in _popup(page, ".sm-density[data-area='2201']")

    _overlay(page, "تراکم نقاط (محله‌ها)").uncheck()
    page.wait_for_selector("#sm-analysis-key", state="detached")
    assert page.evaluate("safemap.analysis.density.group.getLayers().length") == 0
    _switch_on(page, "تراکم نقاط (محله‌ها)", "/api/analysis/density")  # loaded again when switched on again
    assert sum("/api/analysis/density" in url for url in page.requests) == 2
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_public_density_counts_only_spots_past_mapping(page, live_url, db_url):
    _open_map(page, live_url + "/map")
    _switch_on(page, "تراکم نقاط (محله‌ها)", "/api/analysis/density")
    public = dict(_rows(db_url, NEIGHBOURHOOD_SPOTS, (3,)))
    k = get_settings().public_min_count
    assert any(0 < n < k for n in public.values())  # a small count is hidden, not drawn
    assert _drawn_spots(page) == {code: (n if n == 0 or n >= k else None) for code, n in public.items()}
    assert sum(public.values()) < sum(n for _, n in _rows(db_url, NEIGHBOURHOOD_SPOTS, (1,)))
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_hotspot_cells(page, live_url, viewer_headers):
    page.set_extra_http_headers(viewer_headers)
    _open_map(page, live_url + "/map")
    data = _switch_on(page, "کانون‌های داغ (Gi*)", "/api/analysis/hotspots")
    significant = [f["properties"] for f in data["features"] if f["properties"]["hotspot"] != "ns"]
    assert 0 < len(significant) < len(data["features"])
    assert page.evaluate("safemap.analysis.hotspots.group.getLayers().length") == len(significant)
    colours = page.evaluate(
        "safemap.analysis.hotspots.group.getLayers()"
        ".map((l) => [l.feature.properties.hotspot, l.options.fillColor])"
    )
    assert all(colour == {"hot": "#b2182b", "cold": "#2166ac"}[kind] for kind, colour in colours)
    assert "کانون داغ" in page.inner_text("#sm-analysis-key")

    cell = max(significant, key=lambda p: p["gi_z"])
    page.evaluate(
        "(cell) => safemap.analysis.hotspots.group.getLayers()"
        ".find((l) => l.feature.properties.cell === cell).openPopup()",
        cell["cell"],
    )
    rows = _popup(page, f".sm-hotspot[data-cell='{cell['cell']}']")
    assert "کانون داغ" in page.inner_text(f".sm-hotspot[data-cell='{cell['cell']}'] h3")
    assert _number(rows["نقطه در خانه"]) == cell["count"]
    assert _number(rows["امتیاز z"]) == pytest.approx(cell["gi_z"], abs=0.006)
    assert _number(rows["مقدار p"]) == pytest.approx(cell["gi_p"], rel=0.01)

    with page.expect_response(lambda r: "/api/analysis/hotspots?area=2209" in r.url):
        page.select_option("#sm-area", "2209")  # Gi* within the chosen neighbourhood
    _shown(page)
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_analysis_layers_in_english(page, live_url, viewer_headers):
    page.set_extra_http_headers(viewer_headers)
    _open_map(page, live_url + "/map?lang=en")
    _switch_on(page, "Spot density (neighbourhoods)", "/api/analysis/density")
    _switch_on(page, "Hotspots (Gi*)", "/api/analysis/hotspots")
    key = page.inner_text("#sm-analysis-key")
    assert "Spots per km²" in key and "Hot spot (significant at 95%)" in key
    page.evaluate("safemap.analysis.density.group.getLayers()[0].openPopup()")
    rows = _popup(page, ".sm-density")
    assert {"Spots", "Open spots", "Spots per km²"} <= set(rows) and rows["Spots"].isascii()
    assert page.console_errors == [] and page.outside_requests() == []
