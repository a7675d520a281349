"""Analysis: densities against SQL, Gi* on a planted cluster, time to remediation and audit change."""

import json
import math
import random

import psycopg2
import pytest
import shapely

from gis.db import transaction
from gis.publish.analysis import (
    HotspotSettings,
    audit_change,
    hotspots,
    remediation_by_agency,
    remediation_by_category,
)
from gis.vocabulary import AUDIT_KEYS

# A 6 km square study area east of Tehran's centre; the cluster sits in its north-east quarter.
WEST, SOUTH, SIDE_DEG_LON, SIDE_DEG_LAT = 51.10, 35.70, 0.0664, 0.054
CLUSTER = (51.145, 35.738)


def _plant(url: str, *, background: int, cluster: int, seed: int) -> None:
    rng = random.Random(seed)
    square = (
        f"MULTIPOLYGON((({WEST} {SOUTH}, {WEST + SIDE_DEG_LON} {SOUTH},"
        f" {WEST + SIDE_DEG_LON} {SOUTH + SIDE_DEG_LAT},"
        f" {WEST} {SOUTH + SIDE_DEG_LAT}, {WEST} {SOUTH})))"
    )
    points = [
        (WEST + rng.random() * SIDE_DEG_LON, SOUTH + rng.random() * SIDE_DEG_LAT) for _ in range(background)
    ]
    for _ in range(cluster):  # within ~200 m of the centre
        angle, radius = rng.random() * 2 * math.pi, 0.0022 * math.sqrt(rng.random())
        points.append((CLUSTER[0] + radius * math.cos(angle), CLUSTER[1] + radius * math.sin(angle) * 0.8))
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO area (level, code, name_fa, geom) VALUES ('district', 'T', 'آزمون',"
            " ST_GeomFromText(%s, 4326))",
            (square,),
        )
        cur.executemany(
            "INSERT INTO spot (geom, category) VALUES (ST_SetSRID(ST_MakePoint(%s, %s), 4326), 'other')",
            points,
        )


def _distance_m(cell_geometry, point: tuple[float, float]) -> float:
    centre = cell_geometry.centroid
    return math.hypot((centre.x - point[0]) * 90_400, (centre.y - point[1]) * 111_000)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gi_star_finds_the_planted_cluster_and_nothing_else(empty_url, seed):
    _plant(empty_url, background=150, cluster=30, seed=seed)
    with psycopg2.connect(empty_url) as conn:
        grid = hotspots(conn, HotspotSettings(cell_m=500, bandwidth_m=750, permutations=99))
    assert 144 <= len(grid) <= 169 and grid["count"].sum() == 180
    hot = grid[grid.hotspot == "hot"]
    assert len(hot) >= 1 and (grid.hotspot == "cold").sum() == 0
    # every significant cell is the cluster's cell or one of its neighbours (cell diagonal ≈ 707 m)
    assert all(_distance_m(g, CLUSTER) < 1100 for g in hot.geometry)
    cluster_cell = grid[grid.geometry.contains(shapely.Point(CLUSTER))].iloc[0]
    assert cluster_cell.hotspot == "hot" and grid.loc[grid.gi_z.idxmax(), "hotspot"] == "hot"
    assert grid.kde.idxmax() in hot.index


def test_gi_star_finds_nothing_in_noise(empty_url):
    _plant(empty_url, background=180, cluster=0, seed=7)
    with psycopg2.connect(empty_url) as conn:
        grid = hotspots(conn, HotspotSettings(cell_m=500, bandwidth_m=750, permutations=0))
    assert set(grid.hotspot) == {"ns"}


def test_density_per_neighbourhood_matches_sql_and_uses_population(viewer_client, db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE area SET population = 25000 WHERE code = '2209'")
        cur.execute(
            "SELECT a.code, count(s.id), ST_Area(a.geom::geography) / 1e6 FROM area a LEFT JOIN spot s"
            " ON ST_Intersects(a.geom, ST_PointOnSurface(s.geom)) WHERE a.level = 'neighbourhood'"
            " GROUP BY a.code, a.geom"
        )
        expected = {code: (count, km2) for code, count, km2 in cur.fetchall()}
    response = viewer_client.get("/api/analysis/density")
    assert response.headers["content-type"] == "application/geo+json"
    features = {f["id"]: f["properties"] for f in response.json()["features"]}
    assert set(features) == set(expected)
    for code, (count, km2) in expected.items():
        assert features[code]["spots"] == count
        assert features[code]["spots_per_km2"] == pytest.approx(count / km2, abs=0.001)
    assert features["2209"]["spots_per_1000"] == pytest.approx(features["2209"]["spots"] / 25, abs=0.001)
    assert features["2201"]["spots_per_1000"] is None
    assert {p["class"] for p in features.values()} <= set(range(5))
    assert viewer_client.get("/api/analysis/density", params={"level": "city"}).status_code == 422


def test_hotspot_layer_and_table_endpoints(viewer_client, db_url):
    layer = viewer_client.get("/api/analysis/hotspots")
    assert layer.status_code == 200 and layer.headers["content-type"] == "application/geo+json"
    cells = layer.json()["features"]
    assert cells and {"count", "kde", "gi_z", "gi_p", "hotspot"} <= set(cells[0]["properties"])
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM spot s JOIN area a ON a.level = 'district'"
            " AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))"
        )
        (inside,) = cur.fetchone()
    assert sum(c["properties"]["count"] for c in cells) == inside > 60
    table = viewer_client.get("/api/analysis/hotspots", params={"f": "csv", "cell": 1000, "bandwidth": 1500})
    header = table.text.splitlines()[0].split(",")
    assert header[:3] == ["cell", "count", "kde"] and "lat" in header
    assert len(table.text.splitlines()) - 1 < len(cells)  # bigger cells, fewer of them
    bad = viewer_client.get("/api/analysis/hotspots", params={"cell": 10})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cell"


def test_time_to_remediation_per_category_follows_the_events(conn):
    with conn.cursor() as cur:
        cur.execute("""
            SELECT s.category, extract(epoch FROM e.at - s.created_at) / 86400
            FROM spot s JOIN spot_event e ON e.spot_id = s.id AND e.kind = 'resolved'""")
        spans = cur.fetchall()
    rows = {row["category"]: row for row in remediation_by_category(conn)}
    assert sum(row["resolved"] for row in rows.values()) == len(spans) > 0
    category = spans[0][0]
    days = sorted(float(d) for c, d in spans if c == category)
    middle = len(days) // 2
    median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    assert rows[category]["median_days_to_resolve"] == pytest.approx(median, abs=0.06)


def test_time_to_remediation_per_agency_when_actions_exist(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('spot_action') IS NOT NULL")
        if not cur.fetchone()[0]:
            assert remediation_by_agency(conn) == []
            return
        cur.execute("""
            INSERT INTO spot_action (spot_id, agency_id, what, due_on, status, assigned_at, done_at)
            SELECT (SELECT min(id) FROM spot), g.id, 'نصب روشنایی', '2026-03-01', 'done',
                   '2026-01-01T08:00Z'::timestamptz, '2026-01-11T08:00Z'::timestamptz
            FROM agency g ORDER BY g.code LIMIT 1 RETURNING agency_id""")
        (agency_id,) = cur.fetchone()
        cur.execute("SELECT code FROM agency WHERE id = %s", (agency_id,))
        (code,) = cur.fetchone()
    row = next(r for r in remediation_by_agency(conn) if r["agency"] == code)
    assert row["done"] >= 1 and row["median_days"] == 10.0


def test_audit_change_uses_the_re_audit_and_never_guesses(conn):
    with conn.cursor() as cur:  # a spot closed without any re-audit yet
        cur.execute(
            "UPDATE spot SET status = 'resolved' WHERE id = (SELECT min(s.id) FROM spot s WHERE s.stage = 1"
            " AND EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id AND r.audit IS NOT NULL))"
            " RETURNING id"
        )
        (spot_id,) = cur.fetchone()
    rows = {row["id"]: row for row in audit_change(conn)}
    assert rows[spot_id]["before"] > 0 and rows[spot_id]["after"] is None and rows[spot_id]["change"] is None
    audit = dict.fromkeys(AUDIT_KEYS, 3)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO site_visit (spot_id, purpose, visited_on, audit)"
            " VALUES (%s, 're_audit', '2026-01-10', %s)",
            (spot_id, json.dumps(audit)),
        )
    after = {row["id"]: row for row in audit_change(conn)}[spot_id]
    assert after["after"] == 3.0 and after["change"] == pytest.approx(3.0 - rows[spot_id]["before"], abs=0.01)


def test_the_remediation_and_audit_endpoints(client):
    body = client.get("/api/analysis/remediation").json()
    assert {"by_category", "by_agency"} <= set(body) and len(body["by_category"]) == 10
    audit = client.get("/api/analysis/audit-change").json()
    assert audit["summary"]["resolved"] == len(audit["spots"]) > 0
