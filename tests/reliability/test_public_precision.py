"""Where the public sees a place: every public route places a spot no finer than its category's setting
(exact for infrastructure, a 250 m grid cell's centre, or only its neighbourhood's point for offender
gatherings), keeps counts below k out of public aggregates, and staff still see the true geometry."""

import csv
import io
import json
import math
from datetime import datetime

import psycopg2
import pytest

from gis.settings import Settings, get_settings
from tests.tiles.test_tiles import read_tile, tile_of

GRID_M = 250.0
K = 5
EXACT = {"poor_lighting", "underpass_bridge", "isolated_stop"}
# Six decimals in GeoJSON, ~0.6 m in a tile at zoom 14: a grid-cell centre read back within this.
SLACK_M = 1.5


def sql(db_url: str, query: str, params: object = ()) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def placements(db_url: str, points: dict[int, tuple[float, float]]) -> dict[int, dict]:
    """For each spot id and the (lon, lat) a route gave: its category, stage, how far the given point is from
    the true place, from the neighbourhood's point, and from the nearest grid-cell centre (metres)."""
    rows = sql(
        db_url,
        """
        SELECT s.id, s.category, s.stage,
               ST_Distance(p::geography, ST_PointOnSurface(s.geom)::geography),
               ST_Distance(p::geography, s.geom::geography),
               (SELECT ST_Distance(p::geography, ST_PointOnSurface(n.geom)::geography)
                FROM area n WHERE n.id = s.area_id),
               ST_X(ST_Transform(p, 32639)), ST_Y(ST_Transform(p, 32639))
        FROM spot s
        JOIN json_each_text(%s::json) g ON g.key::int = s.id,
             ST_SetSRID(ST_MakePoint((g.value::json->>0)::float8, (g.value::json->>1)::float8), 4326) p
        """,
        (json.dumps({str(k): v for k, v in points.items()}),),
    )
    found = {}
    for spot_id, category, stage, from_point, from_geom, from_hood, x, y in rows:
        off_cell = math.hypot(*((v - GRID_M / 2) - GRID_M * round((v - GRID_M / 2) / GRID_M) for v in (x, y)))
        found[spot_id] = {
            "category": category,
            "stage": stage,
            "from_point": from_point,
            "from_geom": from_geom,
            "from_hood": from_hood,
            "off_cell": off_cell,
        }
    assert set(found) == set(points)
    return found


def assert_public(db_url: str, points: dict[int, tuple[float, float]]) -> None:
    """Every point at its category's public precision: never finer, never an unverified spot."""
    assert points, "the route gave no spots to check"
    seen = set()
    for spot_id, place in placements(db_url, points).items():
        assert place["stage"] >= 3, f"spot {spot_id} is unverified (stage {place['stage']})"
        category = place["category"]
        seen.add(category)
        if category in EXACT:
            assert place["from_geom"] < SLACK_M, f"spot {spot_id} ({category}) should be exact"
        elif category == "offender_gathering":
            assert place["from_hood"] is not None and place["from_hood"] < SLACK_M, (
                f"offender gathering {spot_id} placed {place['from_point']:.0f} m from the true place, "
                "not at its neighbourhood's point"
            )
        else:
            assert place["off_cell"] < SLACK_M, (
                f"spot {spot_id} ({category}) placed {place['off_cell']:.1f} m off a {GRID_M:.0f} m cell's"
                f" centre ({place['from_point']:.1f} m from the true place)"
            )
            assert place["from_point"] <= GRID_M / math.sqrt(2) + SLACK_M
    assert "offender_gathering" in seen and seen - EXACT - {"offender_gathering"}, seen


def feature_points(features: list[dict]) -> dict[int, tuple[float, float]]:
    """Spot id -> the (lon, lat) of each point feature."""
    return {
        int(f.get("id") or f["properties"]["id"]): tuple(f["geometry"]["coordinates"][:2])
        for f in features
        if f["geometry"] is not None
    }


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Web Mercator metres (GDAL reads a tile in EPSG:3857) as WGS 84 degrees."""
    radius = 6378137.0
    return math.degrees(x / radius), math.degrees(2 * math.atan(math.exp(y / radius)) - math.pi / 2)


def public_spot_count(db_url: str) -> int:
    return sql(db_url, "SELECT count(*) FROM spot WHERE status <> 'merged' AND stage >= 3")[0][0]


def test_settings_defaults_are_the_documented_ones():
    settings = get_settings()
    assert (settings.public_grid_m, settings.public_min_count) == (GRID_M, K)
    assert set(settings.public_exact_categories.split(",")) == EXACT
    assert settings.public_neighbourhood_categories == "offender_gathering"


def test_spot_list_and_one_spot(client, db_url):
    body = client.get("/api/spots", params={"limit": 10000}).json()
    assert_public(db_url, feature_points(body["features"]))
    assert body["numberMatched"] == public_spot_count(db_url)
    for feature in body["features"][:5]:
        one = client.get(f"/api/spots/{feature['id']}").json()
        assert one["geometry"] == feature["geometry"]


def test_a_small_bbox_around_the_true_place_does_not_find_it(client, db_url):
    """Filtering by a viewport reads the public point too, or a tiny bbox would betray the true one."""
    [(spot_id, lon, lat)] = sql(
        db_url,
        "SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM spot"
        " WHERE stage >= 3 AND status <> 'merged' AND category = 'vacant_lot' ORDER BY id LIMIT 1",
    )
    bbox = f"{lon - 1e-5},{lat - 1e-5},{lon + 1e-5},{lat + 1e-5}"
    assert spot_id not in {
        f["id"] for f in client.get("/api/spots", params={"bbox": bbox}).json()["features"]
    }


def test_map_spots(client, db_url):
    body = client.get("/api/map/spots", params={"zoom": 18}).json()
    assert body["mode"] == "spots"
    assert_public(db_url, feature_points(body["features"]))
    assert all(
        f["properties"]["shape"] is None for f in body["features"] if f["properties"]["category"] not in EXACT
    )


def test_tiles_place_spots_at_the_public_point_only(client, db_url, viewer_headers, tmp_path):
    z = 14
    [(lon, lat)] = sql(
        db_url, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c FROM spot) x"
    )
    x, y = tile_of(lon, lat, z)
    points = {}
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            layers = read_tile(
                client.get(f"/tiles/{z}/{x + dx}/{y + dy}.pbf").content, z, x + dx, y + dy, tmp_path
            )
            for f in layers.get("spots", []):
                if f["geometry"]["type"] == "Point":
                    points[int(f["properties"].get("id") or f["properties"]["mvt_id"])] = lonlat(
                        *f["geometry"]["coordinates"]
                    )
    assert_public(db_url, points)
    # A deep tile over a grid spot's true place holds it for staff, not for the public.
    [(spot_id, true_lon, true_lat)] = sql(
        db_url,
        "SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM spot"
        " WHERE stage >= 3 AND status <> 'merged' AND category = 'vacant_lot' ORDER BY id LIMIT 1",
    )
    z = 20
    x, y = tile_of(true_lon, true_lat, z)
    staff = read_tile(
        client.get(f"/tiles/{z}/{x}/{y}.pbf", headers=viewer_headers).content, z, x, y, tmp_path
    )
    public = read_tile(client.get(f"/tiles/{z}/{x}/{y}.pbf").content, z, x, y, tmp_path / "public")
    assert any(int(f["properties"].get("id") or f["properties"]["mvt_id"]) == spot_id for f in staff["spots"])
    assert "spots" not in public or not public["spots"]


def test_heatmap_cells_are_coarse_and_hold_k_reports(client, db_url, viewer_headers):
    public = client.get("/api/map/heat", params={"zoom": 22}).json()
    assert public["points"] and all(weight >= K for _, _, weight in public["points"])
    cell = GRID_M / 111_320.0
    for lat, lon, _ in public["points"]:
        for value in (lat, lon):
            assert abs(value / cell - 0.5 - round(value / cell - 0.5)) < 0.01, (lat, lon)  # 5 decimals
    staff = client.get("/api/map/heat", params={"zoom": 22}, headers=viewer_headers).json()
    assert min(weight for _, _, weight in staff["points"]) < K  # staff keep every report, where it is


def test_ogc_items_and_extent(client, db_url):
    items = client.get("/ogc/collections/spots/items", params={"limit": 10000}).json()
    points = feature_points(items["features"])
    assert_public(db_url, points)
    one = next(iter(points))
    assert feature_points([client.get(f"/ogc/collections/spots/items/{one}").json()]) == {one: points[one]}
    collection = client.get("/ogc/collections/spots").json()
    [bbox] = collection["extent"]["spatial"]["bbox"]
    lons = [p[0] for p in points.values()]
    lats = [p[1] for p in points.values()]
    assert bbox == pytest.approx([min(lons), min(lats), max(lons), max(lats)], abs=1e-5)
    [(newest_public,)] = sql(
        db_url, "SELECT max(created_at) FROM spot WHERE status <> 'merged' AND stage >= 3"
    )
    end = collection["extent"]["temporal"]["interval"][0][1]
    assert datetime.fromisoformat(end.replace("Z", "+00:00")) == newest_public


def test_exports_for_the_public(client, db_url):
    body = json.loads(client.get("/api/exports/geojson").content)
    assert_public(
        db_url,
        {
            f["properties"]["id"]: tuple(f["geometry"]["coordinates"])
            for f in body["features"]
            if f["geometry"]["type"] == "Point"
        },
    )
    assert all(
        f["geometry"]["type"] == "Point" for f in body["features"] if f["properties"]["category"] not in EXACT
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/api/exports/csv").content.decode("utf-8-sig"))))
    assert len(rows) == public_spot_count(db_url)
    wkt = {int(r["id"]): r["WKT"] for r in rows}
    points = {
        spot_id: tuple(float(v) for v in text.removeprefix("POINT(").removesuffix(")").split())
        for spot_id, text in wkt.items()
        if text.startswith("POINT(")
    }
    assert_public(db_url, points)


def test_public_aggregates_hide_counts_below_k(client, db_url, viewer_headers):
    public = client.get("/api/analysis/density").json()["features"]
    staff = client.get("/api/analysis/density", headers=viewer_headers).json()["features"]
    for feature in public:
        for key in ("spots", "open_spots", "reports"):
            value = feature["properties"][key]
            assert value is None or value == 0 or value >= K, (feature["id"], key, value)
        if feature["properties"]["spots"] is None:
            assert feature["properties"]["spots_per_km2"] is None and feature["properties"]["class"] is None
    assert any(f["properties"]["spots"] is None for f in public)
    assert all(f["properties"]["spots"] is not None for f in staff)
    hot = client.get("/api/analysis/hotspots").json()["features"]
    assert all(f["properties"]["count"] in (None, 0) or f["properties"]["count"] >= K for f in hot)
    for row in client.get("/api/analysis/remediation").json()["by_category"]:
        assert row["resolved"] in (None, 0) or row["resolved"] >= K
        assert row["in_remediation"] in (None, 0) or row["in_remediation"] >= K
        if row["resolved"] is None:
            assert row["median_days_to_resolve"] is None


def test_staff_see_the_true_geometry(client, db_url, viewer_headers):
    body = client.get("/api/spots", params={"limit": 10000}, headers=viewer_headers).json()
    truth = dict(sql(db_url, "SELECT id, ST_AsGeoJSON(geom, 6) FROM spot WHERE status <> 'merged'"))
    assert len(body["features"]) == len(truth)
    assert all(f["geometry"] == json.loads(truth[f["id"]]) for f in body["features"])
    items = client.get("/ogc/collections/spots/items", params={"limit": 10000}, headers=viewer_headers).json()
    assert all(f["geometry"] == json.loads(truth[f["id"]]) for f in items["features"])


def test_viewers_do_not_see_staff_names(client, db_url, viewer_headers):
    """A viewer reads every spot, but who acted is for the roles that may read actors (spot.read_actors)."""
    [(spot_id,)] = sql(db_url, "SELECT spot_id FROM spot_event WHERE actor_name <> '' ORDER BY id LIMIT 1")
    events = client.get(f"/api/spots/{spot_id}", headers=viewer_headers).json()["properties"]["events"]
    assert events and all(e["actor"] is None for e in events)


def test_an_unknown_category_in_the_settings_is_refused():
    with pytest.raises(ValueError, match="offender"):
        Settings(public_neighbourhood_categories="offender,vacant_lot")
