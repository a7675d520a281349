"""The map in headless Chromium: served from 127.0.0.1 only, layers and filters change what it shows,
popups."""

import re

import psycopg2
import pytest

from gis.vocabulary import EVENT_KINDS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(page, viewer_headers):
    """The map as a signed-in viewer sees it, every stage (the public map is tested in test_public_map.py)."""
    page.set_extra_http_headers(viewer_headers)
    return page


def _scalar(db_url: str, query: str, params: tuple = ()) -> object:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def _open_map(page, url: str) -> int:
    page.goto(url)
    page.wait_for_selector("#sm-status[data-mode='spots']", state="attached")
    return _shown(page)


def _shown(page) -> int:
    page.wait_for_function("() => window.safemap && !window.safemap.busy()")
    return int(page.get_attribute("#sm-status", "data-count"))


def _overlay(page, label: str):
    return page.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")


def test_the_map_loads_from_127_0_0_1_only_with_no_console_errors(page, live_url, db_url):
    total = _scalar(db_url, "SELECT count(*) FROM spot WHERE status <> 'merged'")
    response = page.goto(live_url + "/map")
    html = response.text()
    assert _open_map(page, live_url + "/map") == total == page.evaluate("safemap.spots.getLayers().length")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "fa"
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(
        url.startswith(("/static/vendor/", "/static/nav/", "/static/map/")) for url in assets
    ), assets
    assert "http://" not in html and "https://" not in html
    assert page.console_errors == []
    assert page.outside_requests() == []
    assert any("/api/map/spots?" in url for url in page.requests)
    assert (
        page.locator(".leaflet-control-layers-overlays label", has_text=re.compile(r"^\s*محله‌ها\s*$")).count()
        == 1
    )
    assert "شناسایی" in page.inner_text("#sm-legend") and "روشنایی نامناسب" in page.inner_text("#sm-legend")


def test_stage_and_category_overlays_filter_the_spots(page, live_url, db_url):
    total = _open_map(page, live_url + "/map")
    not_first = _scalar(db_url, "SELECT count(*) FROM spot WHERE stage <> 1 AND status <> 'merged'")
    _overlay(page, "شناسایی").uncheck()
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{not_first}'")
    assert 0 < not_first < total
    assert page.evaluate("safemap.spots.getLayers().every((m) => m.spot.stage !== 1)")
    lit = _scalar(db_url, "SELECT count(*) FROM spot WHERE stage <> 1 AND category <> 'poor_lighting'")
    _overlay(page, "روشنایی نامناسب").uncheck()
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{lit}'")
    assert page.evaluate("safemap.spots.getLayers().every((m) => m.spot.category !== 'poor_lighting')")
    _overlay(page, "شناسایی").check()
    _overlay(page, "روشنایی نامناسب").check()
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{total}'")
    assert page.console_errors == [] and page.outside_requests() == []


def _settled(page, action) -> None:
    """Do `action` and wait for the map's moveend: Leaflet drops a zoom asked for while a fly-to animates."""
    page.evaluate("() => { window.smMoved = new Promise((done) => safemap.map.once('moveend', done)); }")
    action()
    page.evaluate("() => window.smMoved")


def test_filters_for_source_time_neighbourhood_and_period(page, live_url, db_url):
    total = _open_map(page, live_url + "/map")
    hotline = _scalar(db_url, "SELECT count(DISTINCT spot_id) FROM report WHERE source = 'hotline_137'")
    page.select_option("#sm-source", "hotline_137")
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{hotline}'")
    nights = _scalar(
        db_url,
        "SELECT count(DISTINCT spot_id) FROM report WHERE source = 'hotline_137' AND time_of_day = 'night'",
    )
    page.select_option("#sm-time_of_day", "night")
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{nights}'")
    assert 0 < nights < hotline < total
    page.select_option("#sm-source", "")
    page.select_option("#sm-time_of_day", "")
    daryacheh = _scalar(
        db_url,
        "SELECT count(*) FROM spot s JOIN area a ON ST_Intersects(a.geom, s.geom) WHERE a.code = '2209'",
    )
    _settled(page, lambda: page.select_option("#sm-area", "2209"))
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{daryacheh}'")
    assert page.evaluate("safemap.map.getZoom()") > 12
    page.select_option("#sm-area", "")
    spring = _scalar(
        db_url,
        "SELECT count(DISTINCT spot_id) FROM report WHERE reported_at >= '2026-03-21 00:00+03:30'"
        " AND reported_at < '2026-06-22 00:00+03:30'",
    )
    page.fill("#sm-since", "۱۴۰۵/۰۱/۰۱")
    page.fill("#sm-until", "۱۴۰۵/۰۳/۳۱")
    page.press("#sm-until", "Enter")
    _settled(page, lambda: page.evaluate("safemap.map.setZoom(10)"))
    page.wait_for_function(f"() => document.querySelector('#sm-status').dataset.count === '{spring}'")
    page.fill("#sm-since", "1405/13/40")
    page.press("#sm-since", "Enter")
    page.wait_for_selector("#sm-status.sm-error")
    assert "since" in page.inner_text("#sm-status") or "تاریخ" in page.inner_text("#sm-status")


def test_a_pan_within_what_is_drawn_asks_nothing_and_a_pan_past_it_draws_the_new_view(page, live_url, db_url):
    """The map asks for more than it shows (as tiles would), so a short pan needs no request; at 1024×768."""
    page.set_viewport_size({"width": 1024, "height": 768})
    _open_map(page, live_url + "/map")
    page.evaluate("safemap.map.setZoom(14, {animate: false})")
    _shown(page)
    asked = sum("/api/map/spots?" in url for url in page.requests)
    page.evaluate("safemap.map.panBy([200, 150], {animate: false})")
    _shown(page)
    assert sum("/api/map/spots?" in url for url in page.requests) == asked
    page.evaluate("safemap.map.panBy([-600, 0], {animate: false})")
    _shown(page)
    assert sum("/api/map/spots?" in url for url in page.requests) == asked + 1
    west, south, east, north = page.evaluate(
        "(() => { const b = safemap.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id FROM spot WHERE status <> 'merged'"
            " AND ST_PointOnSurface(geom) && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
            (west, south, east, north),
        )
        in_view = {row[0] for row in cur.fetchall()}
    assert in_view and in_view <= set(page.evaluate("safemap.spots.getLayers().map((m) => m.spot.id)"))
    assert page.console_errors == [] and page.outside_requests() == []


def test_a_spots_popup_shows_its_data_and_links_to_its_page(page, live_url, db_url):
    _open_map(page, live_url + "/map")
    spot_id, title, reports, stage_fa, category_fa = (
        _scalar(
            db_url,
            f"SELECT {column} FROM spot s JOIN stage st ON st.number = s.stage"
            " JOIN category c ON c.code = s.category ORDER BY s.report_count DESC, s.id LIMIT 1",
        )
        for column in ("s.id", "s.title", "s.report_count", "st.label_fa", "c.label_fa")
    )
    sources = _scalar(
        db_url,
        "SELECT array_agg(DISTINCT so.label_fa) FROM report r JOIN source so"
        " ON so.code = r.source WHERE r.spot_id = %s",
        (spot_id,),
    )
    # Zoom in first and let the viewport refresh settle, so no refetch re-clusters the marker mid-animation.
    page.evaluate(
        """(id) => {
        const marker = safemap.spots.getLayers().find((m) => m.spot.id === id);
        safemap.map.setView(marker.getLatLng(), 18, {animate: false});
    }""",
        spot_id,
    )
    _shown(page)
    page.evaluate(
        """(id) => {
        const marker = safemap.spots.getLayers().find((m) => m.spot.id === id);
        safemap.spots.zoomToShowLayer(marker, () => marker.openPopup());
    }""",
        spot_id,
    )
    popup = page.locator(f".sm-popup[data-spot='{spot_id}']")
    page.wait_for_function(
        "([id, text]) => (document.querySelector(`.sm-popup[data-spot='${id}']`) || {})"
        ".textContent?.includes(text)",
        arg=[spot_id, sources[0]],
    )
    content = popup.inner_text()
    assert title in content and stage_fa in content and category_fa in content
    assert all(source in content for source in sources)
    assert str(reports).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in content
    last_kind = _scalar(
        db_url, "SELECT kind FROM spot_event WHERE spot_id = %s ORDER BY at DESC, id DESC LIMIT 1", (spot_id,)
    )
    assert "آخرین رویداد" in content and EVENT_KINDS[last_kind][0] in content
    assert popup.locator("a").get_attribute("href") == f"/spots/{spot_id}"
    page.goto(live_url + f"/spots/{spot_id}")
    assert page.inner_text("#title") == title
    assert page.locator("#history tbody tr").count() >= 1
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_heatmap_loads_report_points_for_the_viewport(page, live_url, db_url):
    _open_map(page, live_url + "/map")
    assert not any("/api/map/heat" in url for url in page.requests)
    _overlay(page, "نقشهٔ حرارتی").check()
    page.wait_for_function("() => safemap.heat._latlngs.length > 0")
    weights = page.evaluate("safemap.heat._latlngs.reduce((sum, p) => sum + p[2], 0)")
    assert weights == _scalar(db_url, "SELECT count(*) FROM report")
    assert page.evaluate("safemap.map.hasLayer(safemap.heat)")
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_english_switch(page, live_url):
    _open_map(page, live_url + "/map")
    page.click("#sm-lang")
    page.wait_for_url("**/map?lang=en")
    _open_map(page, page.url)
    assert page.get_attribute("html", "dir") == "ltr" and page.get_attribute("html", "lang") == "en"
    assert "Filters" in page.inner_text("#sm-filters") and "spots" in page.inner_text("#sm-status")
    assert page.locator(".leaflet-control-layers-overlays label", has_text="Identification").count() == 1
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_district_opens_whole_between_the_side_panels(page, live_url, db_url):
    west, south, east, north = (
        _scalar(db_url, f"SELECT {f}(geom) FROM area WHERE level = 'district'")
        for f in ("ST_XMin", "ST_YMin", "ST_XMax", "ST_YMax")
    )
    _open_map(page, live_url + "/map")
    left, right, width = (
        page.evaluate("""() => [document.querySelector('.leaflet-top.leaflet-left').offsetWidth,
        document.querySelector('.leaflet-top.leaflet-right').offsetWidth, safemap.map.getSize().x]""")
    )
    corners = page.evaluate(
        """([w, s, e, n]) => [safemap.map.latLngToContainerPoint([s, w]).x,
                                                  safemap.map.latLngToContainerPoint([n, e]).x]""",
        [west, south, east, north],
    )
    assert left <= corners[0] < corners[1] <= width - right
    assert corners[1] - corners[0] > (width - left - right) * 0.8  # and it fills the free part


def test_past_the_cap_the_map_draws_clusters_with_counts_and_a_click_zooms_into_one(page, live_url, db_url):
    """Clusters are circles on a canvas over the neighbourhoods (thousands of DOM icons were too slow to
    zoom): the status counts every spot, and a click on a cluster zooms to it."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot (geom, category, stage, status, title, created_at, updated_at)"
            " SELECT ST_Translate(geom, (i % 40) * 0.0004, (i / 40) * 0.0004), category, stage, status,"
            "        'crowded', now(), now()"
            " FROM (SELECT ST_PointOnSurface(geom) AS geom, category, stage, status FROM spot"
            "       WHERE status <> 'merged' LIMIT 1) s, generate_series(1, 1600) i"
        )
    total = _scalar(db_url, "SELECT count(*) FROM spot WHERE status <> 'merged'")
    page.goto(live_url + "/map")
    page.wait_for_selector("#sm-status[data-mode='clusters']", state="attached")
    assert _shown(page) == total
    assert page.locator(".leaflet-smClusters-pane canvas").count() == 1
    biggest = page.evaluate(
        """(() => { let best;
           safemap.clusters.eachLayer((c) => {
             if (!best || c.options.radius > best.options.radius) best = c;
           });
           const p = safemap.map.latLngToContainerPoint(best.getLatLng()); return [p.x, p.y]; })()"""
    )
    zoom = page.evaluate("safemap.map.getZoom()")
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + biggest[0], box["y"] + biggest[1])
    page.wait_for_function(f"() => safemap.map.getZoom() > {zoom}")
    assert page.console_errors == [] and page.outside_requests() == []
