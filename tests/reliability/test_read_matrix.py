"""The read side of the authorization matrix: for each kind of reader (anonymous, viewer, a facilitator of
Daryacheh or of another neighbourhood, two agencies, the deputy, the GIS office) the spots every route serves
are exactly those the one permission table (gis.access, `spot.read`) gives that reader — the API list, the
map's viewport, the OGC API, the GeoJSON export, a spot by id and its page — never a contact."""

import psycopg2
import pytest

from gis.access import Scope, scope_of
from gis.db import transaction
from tests.conftest import bearer_headers

READERS = {
    "anonymous": None,
    "viewer": ("viewer", [], None),
    "facilitator_2209": ("facilitator", ["2209"], None),
    "facilitator_2201": ("facilitator", ["2201"], None),
    "agency_urban_services": ("agency", [], "urban_services"),
    "agency_traffic": ("agency", [], "traffic"),
    "deputy": ("deputy", [], None),
    "gis_office": ("gis_office", [], None),
}
CONDITIONS = {
    Scope.ALL: "true",
    Scope.AREAS: "s.area_id IN (SELECT id FROM area WHERE code = ANY(%(areas)s))",
    Scope.AGENCY: "EXISTS (SELECT 1 FROM spot_action x JOIN agency g ON g.id = x.agency_id"
    " WHERE x.spot_id = s.id AND g.code = %(agency)s)",
    Scope.PUBLIC: "s.stage >= 3 AND s.location_precision IN ('exact', 'placed')",
}
WHOLE_DISTRICT = "50.9,35.6,51.4,35.9"
SECRET_PHONE = "09120009988"


def _expected(db_url: str, reader: tuple | None) -> set[int]:
    """The spots the permission table gives this reader, as SQL over the database."""
    role, areas, agency = reader or (None, [], None)
    scope = scope_of(role, "spot.read") if role else Scope.PUBLIC
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT s.id FROM spot s WHERE s.status <> 'merged' AND {CONDITIONS[scope]}",
            {"areas": areas, "agency": agency},
        )
        found = {row[0] for row in cur.fetchall()}
    conn.close()
    return found


def _ids(features: list[dict]) -> set[int]:
    return {int(f.get("id") or f["properties"]["id"]) for f in features}


@pytest.fixture
def reader_headers(db_url: str) -> dict[str, dict[str, str]]:
    """Each reader's headers (none for the public); one reporter's phone number planted to look for."""
    headers: dict[str, dict[str, str]] = {}
    with transaction(db_url) as conn:
        for name, reader in READERS.items():
            headers[name] = bearer_headers(conn, f"read-{name.replace('_', '-')}", *reader) if reader else {}
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO report_contact (report_id, name, phone)"
                " SELECT id, 'Maryam Contact', %s FROM report ORDER BY id LIMIT 5",
                (SECRET_PHONE,),
            )
    return headers


@pytest.mark.parametrize("name", READERS)
def test_every_route_serves_each_reader_the_spots_the_table_gives(client, db_url, reader_headers, name):
    headers = reader_headers[name]
    expected = _expected(db_url, READERS[name])
    every = _expected(db_url, ("gis_office", [], None))
    assert expected or name == "facilitator_2201", "a reader with nothing to see proves little"

    served = {
        "api": client.get("/api/spots", params={"limit": 10_000}, headers=headers),
        "map": client.get("/api/map/spots", params={"bbox": WHOLE_DISTRICT, "zoom": 18}, headers=headers),
        "ogc": client.get("/ogc/collections/spots/items", params={"limit": 10_000}, headers=headers),
        "export": client.get("/api/exports/geojson", params={"layers": "spots"}, headers=headers),
    }
    for route, answer in served.items():
        assert answer.status_code == 200, (route, answer.text)
        assert SECRET_PHONE not in answer.text, route
        assert (route, _ids(answer.json()["features"])) == (route, expected)

    outside = sorted(every - expected)
    for spot_id in sorted(expected)[:2]:
        assert client.get(f"/api/spots/{spot_id}", headers=headers).status_code == 200
    for spot_id in outside[:2]:
        assert client.get(f"/api/spots/{spot_id}", headers=headers).status_code == 404
        assert client.get(f"/spots/{spot_id}", headers=headers | {"accept": "text/html"}).status_code == 404
