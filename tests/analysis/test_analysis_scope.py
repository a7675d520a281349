"""The analysis endpoints count only the spots the asker may read: the public stages 3–4, a viewer
all of them, a facilitator their neighbourhoods, an agency the spots it has actions on."""

import psycopg2
import pytest

from gis.access import PUBLIC_SPOTS, SpotScope
from gis.db import transaction
from gis.publish.analysis import audit_change, density_rows, hotspots, remediation_by_category
from gis.publish.precision import precision_params, public_geom
from gis.users import create_user, issue_token

NEIGHBOURHOOD_COUNTS = """
    SELECT a.code, count(s.id) FROM area a LEFT JOIN spot s ON s.status <> 'merged' AND s.stage >= %s
        AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))
    WHERE a.level = 'neighbourhood' GROUP BY a.code
"""
DISTRICT_COUNT = """
    SELECT count(*) FROM spot s
    JOIN area a ON a.level = 'district' AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))
    WHERE s.status <> 'merged' AND s.stage >= %s
"""


# The public's counts: each public spot where the public sees it (tests/reliability/test_public_precision.py).
PUBLIC_NEIGHBOURHOOD_COUNTS = f"""
    SELECT a.code, count(s.id) FROM area a LEFT JOIN spot s ON s.status <> 'merged' AND s.stage >= 3
        AND ST_Intersects(a.geom, ST_PointOnSurface({public_geom("s")}))
    WHERE a.level = 'neighbourhood' GROUP BY a.code
"""
K = 5


def _shown(count: int) -> int | None:
    """A count as the public sees it: none between 1 and k − 1."""
    return None if 0 < count < K else count


def _rows(db_url: str, query: str, params: object = ()) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _density(client, headers: dict | None = None) -> dict[str, int]:
    response = client.get("/api/analysis/density", headers=headers or {})
    assert response.status_code == 200
    return {f["id"]: f["properties"]["spots"] for f in response.json()["features"]}


def test_density_anonymous_counts_public_spots_and_a_viewer_all(client, viewer_headers, db_url):
    public = dict(_rows(db_url, PUBLIC_NEIGHBOURHOOD_COUNTS, precision_params(PUBLIC_SPOTS)))
    everything = dict(_rows(db_url, NEIGHBOURHOOD_COUNTS, (1,)))
    assert sum(public.values()) < sum(everything.values())
    assert _density(client) == {code: _shown(n) for code, n in public.items()}
    assert _density(client, viewer_headers) == everything
    # classes are quintiles of spots per km²: equal densities (several areas with no public spot) share one
    rated = [
        (f["properties"]["spots_per_km2"], f["properties"]["class"])
        for f in client.get("/api/analysis/density").json()["features"]
        if f["properties"]["class"] is not None
    ]
    assert all(
        (d1 < d2 and c1 <= c2) or (d1 == d2 and c1 == c2) or d1 > d2 for d1, c1 in rated for d2, c2 in rated
    )


def test_hotspot_grid_counts_only_the_scope(client, viewer_headers, db_url):
    params = {"cell": 2000, "bandwidth": 3000}  # cells big enough to hold k public spots
    anonymous = client.get("/api/analysis/hotspots", params=params).json()["features"]
    viewer = client.get("/api/analysis/hotspots", params=params, headers=viewer_headers).json()["features"]
    assert len(anonymous) == len(viewer)
    shown = [c["properties"]["count"] for c in anonymous if c["properties"]["count"] is not None]
    assert 0 < sum(shown) <= _rows(db_url, DISTRICT_COUNT, (3,))[0][0] and all(
        n == 0 or n >= K for n in shown
    )
    assert sum(c["properties"]["count"] for c in viewer) == _rows(db_url, DISTRICT_COUNT, (1,))[0][0]


def test_a_facilitator_counts_their_neighbourhoods_only(client, db_url):
    with transaction(db_url) as conn:
        user = create_user(
            conn, username="sara", password="long enough password", role="facilitator", areas=["2209"]
        )
        token, _ = issue_token(conn, user.id)
    counts = _density(client, {"Authorization": f"Bearer {token}"})
    (mine,) = _rows(
        db_url,
        "SELECT count(*) FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE a.code = '2209' AND s.status <> 'merged'",
    )[0]
    assert sum(counts.values()) == mine > 0
    assert all(n == 0 for code, n in counts.items() if code != "2209")


def test_the_library_defaults_to_every_spot_and_takes_any_scope(conn):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM spot s JOIN area a ON a.level = 'neighbourhood'"
            " AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom)) WHERE s.status <> 'merged'"
        )
        (everything,) = cur.fetchone()
        cur.execute("SELECT id FROM agency ORDER BY code LIMIT 1")
        (agency_id,) = cur.fetchone()
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on)"
            " SELECT id, %s, 'نصب روشنایی', '2026-03-01' FROM spot WHERE stage = 1 ORDER BY id LIMIT 2",
            (agency_id,),
        )
        cur.execute(
            "SELECT count(*) FILTER (WHERE stage = 3 AND status = 'open'), count(*) FROM spot s"
            " JOIN area a ON a.level = 'neighbourhood' AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))"
            " WHERE status <> 'merged' AND EXISTS (SELECT 1 FROM spot_action x WHERE x.spot_id = s.id"
            " AND x.agency_id = %s)",
            (agency_id,),
        )
        in_remediation, acted_on = cur.fetchone()
    assert sum(row["spots"] for row in density_rows(conn)) == everything > acted_on >= 2
    agency = SpotScope(agency_id=agency_id)
    assert sum(row["spots"] for row in density_rows(conn, scope=agency)) == acted_on
    assert hotspots(conn, scope=agency)["count"].sum() == acted_on
    assert sum(row["in_remediation"] for row in remediation_by_category(conn, scope=agency)) == in_remediation


def test_remediation_and_audit_change_hide_unpublished_spots(client, viewer_headers, db_url):
    (spot_id,) = _rows(
        db_url,
        "UPDATE spot SET status = 'resolved' WHERE id = (SELECT min(id) FROM spot"
        " WHERE stage = 1) RETURNING id",
    )[0]
    viewer = {
        row["id"] for row in client.get("/api/analysis/audit-change", headers=viewer_headers).json()["spots"]
    }
    public = {row["id"] for row in client.get("/api/analysis/audit-change").json()["spots"]}
    assert spot_id in viewer and spot_id not in public and public < viewer
    with psycopg2.connect(db_url) as conn:
        assert {row["id"] for row in audit_change(conn, scope=PUBLIC_SPOTS)} == public
    in_remediation = dict(
        _rows(db_url, "SELECT category, count(*) FROM spot WHERE stage = 3 AND status = 'open' GROUP BY 1")
    )
    assert {
        r["category"]: r["in_remediation"]
        for r in client.get("/api/analysis/remediation").json()["by_category"]
    } == {code: _shown(in_remediation.get(code, 0)) for (code,) in _rows(db_url, "SELECT code FROM category")}


@pytest.fixture
def private_client(db_url, monkeypatch):
    """The API with the public map switched off."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from gis.settings import get_settings

    monkeypatch.setenv("SAFEMAP_PUBLIC_MAP", "false")
    get_settings.cache_clear()
    with TestClient(create_app(db_url)) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_with_the_public_map_off_the_analysis_needs_a_sign_in(private_client, viewer_headers):
    assert private_client.get("/api/analysis/density").status_code == 401
    assert private_client.get("/api/analysis/density", headers=viewer_headers).status_code == 200
