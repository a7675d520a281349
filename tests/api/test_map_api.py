"""The map's viewport endpoints, its page and each spot's page, over the District 22 demo."""

import re

import psycopg2

from api.pages.map_document import build_map
from gis.spots import PUBLIC_EVENT


def _scalar(db_url: str, query: str) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_viewport_spots_are_light_points_then_clusters_past_the_cap(viewer_client, db_url):
    total = _scalar(db_url, "SELECT count(*) FROM spot WHERE status <> 'merged'")
    body = viewer_client.get("/api/map/spots", params={"zoom": 12}).json()
    assert body["mode"] == "spots" and len(body["features"]) == total
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])
    assert set(body["features"][0]["properties"]) >= {"id", "stage", "category", "report_count", "title"}
    clusters = viewer_client.get("/api/map/spots", params={"zoom": 12, "limit": 10}).json()
    assert clusters["mode"] == "clusters" and 1 < len(clusters["features"]) < total
    assert sum(f["properties"]["count"] for f in clusters["features"]) == total
    coarse = viewer_client.get("/api/map/spots", params={"zoom": 9, "limit": 10}).json()
    assert len(coarse["features"]) < len(clusters["features"])


def test_viewport_spots_keep_to_the_bbox_and_filters(viewer_client, db_url):
    west = _scalar(
        db_url,
        "SELECT count(*) FROM spot WHERE geom && ST_MakeEnvelope(51.09, 35.70, 51.19, 35.79, 4326)"
        " AND stage IN (1, 2)",
    )
    body = viewer_client.get(
        "/api/map/spots", params={"bbox": "51.09,35.70,51.19,35.79", "stage": "1,2"}
    ).json()
    assert len(body["features"]) == west > 0
    assert {f["properties"]["stage"] for f in body["features"]} <= {1, 2}


def test_shapes_come_with_the_points_only_when_zoomed_in(viewer_client, client):
    """Staff get a park corner's shape when zoomed in; the public, which sees it on a grid, never does."""
    near = viewer_client.get("/api/map/spots", params={"zoom": 16, "category": "park_corner"}).json()
    far = viewer_client.get("/api/map/spots", params={"zoom": 12, "category": "park_corner"}).json()
    assert near["features"] and all(f["properties"]["shape"]["type"] == "Polygon" for f in near["features"])
    assert all(f["properties"]["shape"] is None for f in far["features"])
    client.headers.pop("Authorization")
    public = client.get("/api/map/spots", params={"zoom": 16, "category": "park_corner"}).json()["features"]
    assert public and all(f["properties"]["shape"] is None for f in public)


def test_heat_points_weigh_every_report_once(viewer_client, db_url):
    reports = _scalar(db_url, "SELECT count(*) FROM report")
    nights = _scalar(db_url, "SELECT count(*) FROM report WHERE time_of_day = 'night'")
    body = viewer_client.get("/api/map/heat", params={"zoom": 13}).json()
    assert sum(p[2] for p in body["points"]) == reports and body["max"] >= 1
    assert all(35.5 < lat < 36 and 50.9 < lon < 51.4 for lat, lon, _ in body["points"])
    night = viewer_client.get("/api/map/heat", params={"zoom": 13, "time_of_day": "night"}).json()
    assert sum(p[2] for p in night["points"]) == nights < reports


def test_bad_map_parameters_name_the_field(client):
    for path, params, field in (
        ("/api/map/spots", {"bbox": "1,2,3"}, "bbox"),
        ("/api/map/heat", {"source": "radio"}, "source"),
        ("/api/map/spots", {"zoom": 40}, "zoom"),
    ):
        response = client.get(path, params=params)
        assert response.status_code in (400, 422), (path, params)
        assert field in response.text


def test_the_map_page_embeds_areas_but_no_spot_and_no_cdn(client, db_url):
    response = client.get("/map")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="fa" dir="rtl">' in html and '"code": "2210"' in html
    assert "http://" not in html and "https://" not in html
    assert all(
        u.startswith(("/static/vendor/", "/static/nav/", "/static/map/"))
        for u in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    )
    coordinates = _scalar(
        db_url, "SELECT array_agg(to_char(ST_X(ST_PointOnSurface(geom)), 'FM990.000000')) FROM spot"
    )
    assert len(coordinates) > 50 and not [c for c in coordinates if c in html]
    assert '<html lang="en" dir="ltr">' in client.get("/map", params={"lang": "en"}).text
    assert client.get("/", follow_redirects=False).headers["location"] == "/map"


def test_the_vendor_assets_are_served_locally(client):
    for path in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/markercluster/leaflet.markercluster.js",
        "/static/vendor/heat/leaflet-heat.js",
        "/static/vendor/vazirmatn/Vazirmatn-wght.woff2",
        "/static/vendor/fontawesome/webfonts/fa-solid-900.woff2",
    ):
        assert client.get(path).status_code == 200, path


def test_a_basemap_url_adds_a_tile_layer_and_none_keeps_the_areas_only():
    areas = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon",'
        ' "coordinates": [[[51.0, 35.7], [51.2, 35.7], [51.2, 35.8], [51.0, 35.7]]]},'
        ' "properties": {"code": "22", "level": "district",'
        ' "name_fa": "منطقهٔ ۲۲", "name_en": "District 22"}}]}'
    )
    reference = {
        "stages": [{"number": 1, "label_fa": "شناسایی", "label_en": "Identification", "colour": "#d62728"}],
        "categories": [{"code": "other", "label_fa": "سایر", "label_en": "Other", "icon": "question"}],
        "sources": [],
    }
    online = {"name": "online", "label": "OSM", "url": "/tiles/osm/{z}/{x}/{y}.png", "attribution": "© OSM"}
    config = {"lang": "fa", "basemaps": [online], "streets": False, "text": {}}
    with_tiles = build_map(areas_geojson=areas, **reference, basemaps=config)
    assert "safemapBasemaps(" in with_tiles and "/tiles/osm/{z}/{x}/{y}.png" in with_tiles
    assert "safemapBasemaps(" not in build_map(areas_geojson=areas, **reference)


def test_a_spots_page_shows_its_data_and_history_in_persian_or_english(client, db_url):
    spot_id = _scalar(db_url, "SELECT spot_id FROM spot_event WHERE kind = 'stage_changed' LIMIT 1")
    every = _scalar(db_url, f"SELECT count(*) FROM spot_event WHERE spot_id = {spot_id}")
    events = _scalar(
        db_url, f"SELECT count(*) FROM spot_event e WHERE spot_id = {spot_id} AND {PUBLIC_EVENT}"
    )
    assert 0 < events < every  # the public page shows stage moves and public notes, not staff-only events
    title = _scalar(db_url, f"SELECT title FROM spot WHERE id = {spot_id}")
    page = client.get(f"/spots/{spot_id}")
    assert page.status_code == 200 and '<html lang="fa" dir="rtl">' in page.text
    assert title in page.text and "سابقهٔ رویدادها" in page.text and "تغییر مرحله" in page.text
    assert page.text.count("<tr data-kind=") == events
    assert re.search(
        r"۱۴۰۵/\d\d/\d\d".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), page.text
    ) or re.search(r"۱۴۰[۴۵]/[۰-۹]{2}/[۰-۹]{2}", page.text)
    english = client.get(f"/spots/{spot_id}", params={"lang": "en"})
    assert '<html lang="en" dir="ltr">' in english.text and "Stage changed" in english.text
    assert re.search(r"2026-\d\d-\d\d", english.text)
    missing = client.get("/spots/999999")
    assert missing.status_code == 404
