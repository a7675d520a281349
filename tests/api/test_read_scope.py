"""Who reads which spots: the public only those past mapping, a facilitator their neighbourhoods', an agency
those it acts on, staff and viewers all; the same scope on every route that serves spots."""

import psycopg2
import pytest
from fastapi.testclient import TestClient

from gis.db import transaction
from gis.settings import get_settings
from tests.conftest import bearer_headers


def _rows(db_url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _ids(db_url: str, condition: str, params: tuple = ()) -> set[int]:
    return {
        row[0]
        for row in _rows(
            db_url, f"SELECT s.id FROM spot s WHERE s.status <> 'merged' AND {condition}", params
        )
    }


@pytest.fixture
def readers(db_url: str) -> dict[str, dict[str, str]]:
    """Authorization headers of a facilitator in Daryacheh (2209) and of the urban-services agency."""
    headers = {}
    with transaction(db_url) as conn:
        for name, role, areas, agency in (
            ("fac", "facilitator", ["2209"], None),
            ("agency", "agency", [], "urban_services"),
        ):
            headers[name] = bearer_headers(conn, f"scope-{name}", role, areas, agency)
    return headers


def _listed(client: TestClient, headers: dict[str, str] | None = None) -> set[int]:
    body = client.get("/api/spots", params={"limit": 10_000}, headers=headers or {}).json()
    return {feature["id"] for feature in body["features"]}


def test_the_public_reads_only_spots_past_mapping_without_staff_names(client, db_url):
    public = _ids(db_url, "s.stage >= 3")
    assert 0 < len(public) < len(_ids(db_url, "true"))
    assert _listed(client) == public
    hidden = min(_ids(db_url, "s.stage = 1"))
    assert client.get(f"/api/spots/{hidden}").status_code == 404
    assert client.get(f"/spots/{hidden}").status_code == 404
    shown = client.get(f"/api/spots/{min(public)}").json()["properties"]
    assert shown["events"] and all(event["actor"] is None for event in shown["events"])
    viewport = client.get("/api/map/spots", params={"bbox": "50.9,35.6,51.4,35.9", "zoom": 15}).json()
    assert {f["properties"]["id"] for f in viewport["features"]} == public
    heat = client.get("/api/map/heat", params={"bbox": "50.9,35.6,51.4,35.9", "zoom": 15}).json()
    ((reports,),) = _rows(
        db_url,
        "SELECT count(*) FROM report r JOIN spot s ON s.id = r.spot_id"
        " WHERE s.stage >= 3 AND s.status <> 'merged'",
    )
    # The public's heat cells hold k reports at least (tests/reliability/test_public_precision.py).
    assert 0 < sum(point[2] for point in heat["points"]) <= reports
    assert all(point[2] >= get_settings().public_min_count for point in heat["points"])


def test_signed_in_readers_see_their_scope(client, viewer_headers, readers, db_url):
    assert _listed(client, viewer_headers) == _ids(db_url, "true")
    own = _ids(db_url, "s.area_id = (SELECT id FROM area WHERE code = '2209')")
    assert own and _listed(client, readers["fac"]) == own
    elsewhere = min(_ids(db_url, "s.area_id <> (SELECT id FROM area WHERE code = '2209')"))
    assert client.get(f"/api/spots/{elsewhere}", headers=readers["fac"]).status_code == 404
    acted_on = _ids(
        db_url,
        "EXISTS (SELECT 1 FROM spot_action x JOIN agency g ON g.id = x.agency_id"
        " WHERE x.spot_id = s.id AND g.code = 'urban_services')",
    )
    assert acted_on and _listed(client, readers["agency"]) == acted_on


def test_tiles_and_exports_keep_to_the_scope(client, viewer_headers, db_url):
    tile = client.get("/tiles/9/328/201.pbf", params={"layers": "spots"})
    staff_tile = client.get("/tiles/9/328/201.pbf", params={"layers": "spots"}, headers=viewer_headers)
    assert tile.status_code == staff_tile.status_code == 200 and len(tile.content) < len(staff_tile.content)
    lines = client.get("/api/exports/csv", params={"layers": "spots"}).text.lstrip("\ufeff").splitlines()
    assert len(lines) - 1 == len(_ids(db_url, "s.stage >= 3"))


def test_with_the_public_map_off_nobody_reads_spots_unsigned(db_url, viewer_headers, monkeypatch):
    from api.app import create_app

    monkeypatch.setenv("SAFEMAP_PUBLIC_MAP", "false")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db_url)) as client:
            refused = client.get("/api/spots")
            assert refused.status_code == 401 and refused.json()["error"]["field"] == "authorization"
            assert client.get("/ogc/collections/spots/items").status_code == 401
            assert client.get("/ogc/collections/neighbourhoods/items").status_code == 200
            page = client.get("/map", follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/login?next=%2Fmap")
            assert client.get("/api/spots", headers=viewer_headers).status_code == 200
    finally:
        get_settings.cache_clear()
