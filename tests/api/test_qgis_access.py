"""QGIS and GDAL as the GIS office's clients: stock QGIS sends only HTTP Basic, so a user name with a
token (or the password) as the password reads what that user may read on the OGC API, tiles and exports;
and no answer made for a signed-in caller may be kept by a cache for the next person (QGIS's disk cache
showed stage 1–2 spots to a later anonymous session)."""

import base64

import psycopg2
import pytest

from gis.db import transaction
from gis.users import create_user, issue_token

PASSWORD = "long enough password"


def _basic(username: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()}


@pytest.fixture
def office(db_url: str) -> dict[str, str]:
    """A GIS officer's user name, password and a bearer token."""
    with transaction(db_url) as conn:
        user = create_user(conn, username="qgis-office", password=PASSWORD, role="gis_office")
        token, _ = issue_token(conn, user.id)
    return {"username": "qgis-office", "token": token}


def _count(db_url: str, condition: str) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM spot s WHERE s.status <> 'merged' AND {condition}")
        found = cur.fetchone()[0]
    conn.close()
    return found


def test_basic_with_a_token_or_the_password_reads_what_the_user_may(client, db_url, office):
    every, public = _count(db_url, "true"), _count(db_url, "s.stage >= 3")
    assert every > public
    for headers in (_basic(office["username"], office["token"]), _basic(office["username"], PASSWORD)):
        items = client.get("/ogc/collections/spots/items", params={"limit": 1000}, headers=headers)
        assert items.status_code == 200 and items.json()["numberMatched"] == every
        export = client.get("/api/exports/geojson", params={"layers": "spots"}, headers=headers)
        assert len(export.json()["features"]) == every
    anonymous = client.get("/tiles/9/328/201.pbf", params={"layers": "spots"})
    signed = client.get(
        "/tiles/9/328/201.pbf",
        params={"layers": "spots"},
        headers=_basic(office["username"], office["token"]),
    )
    assert len(signed.content) > len(anonymous.content)
    assert client.get("/ogc/collections/spots/items").json()["numberMatched"] == public


@pytest.mark.parametrize(
    "secret", ["wrong password", "someone else's token"], ids=["wrong-password", "another-users-token"]
)
def test_wrong_basic_credentials_are_refused_with_a_basic_challenge(client, db_url, office, secret):
    if secret == "someone else's token":
        with transaction(db_url) as conn:
            other = create_user(conn, username="qgis-other", password=PASSWORD, role="viewer")
            secret, _ = issue_token(conn, other.id)
    refused = client.get("/ogc/collections/spots/items", headers=_basic(office["username"], secret))
    assert refused.status_code == 401
    assert refused.json()["error"]["field"] == "password"
    assert 'Basic realm="Safemap"' in refused.headers["www-authenticate"]
    garbled = client.get("/api/spots", headers={"Authorization": "Basic not-base64!"})
    assert garbled.status_code == 401 and garbled.headers["www-authenticate"] == "Bearer"


ROUTES = (
    "/api/spots",
    "/ogc/collections/spots/items",
    "/tiles/9/328/201.pbf?layers=spots",
    "/api/exports/csv?layers=spots",
    "/map",
    "/api/map/spots?bbox=50.9,35.6,51.4,35.9&zoom=15",
)


@pytest.mark.parametrize("path", ROUTES)
def test_answers_for_a_signed_in_caller_are_never_kept_and_public_ones_vary(client, office, path):
    for headers in (
        {"Authorization": f"Bearer {office['token']}"},
        _basic(office["username"], office["token"]),
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "private, no-store"
    signed_in = client.post("/api/auth/login", json={"username": office["username"], "password": PASSWORD})
    assert signed_in.status_code == 200
    assert client.get(path).headers["cache-control"] == "private, no-store"
    client.cookies.clear()
    public = client.get(path)
    assert public.status_code == 200
    assert "no-store" not in public.headers.get("cache-control", "")
    assert {"Authorization", "Cookie"} <= {v.strip() for v in public.headers["vary"].split(",")}


def test_the_tools_own_files_stay_cacheable_for_a_signed_in_user(client, office):
    answer = client.get("/favicon.ico", headers={"Authorization": f"Bearer {office['token']}"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "public, max-age=86400"


def test_spots_come_as_one_collection_a_geometry_type_for_gis_desktops(client, office):
    """QGIS loads one geometry type a layer: the mixed `spots` left the demo's dark streets and parks
    undrawn. The typed collections hold each spot once, by its type, and say the type."""
    headers = {"Authorization": f"Bearer {office['token']}"}
    listed = {c["id"]: c for c in client.get("/ogc/collections", headers=headers).json()["collections"]}
    mixed = client.get("/ogc/collections/spots/items", params={"limit": 1000}, headers=headers).json()
    kinds = {"spot-points": "Point", "spot-lines": "LineString", "spot-areas": "Polygon"}
    seen: set[int] = set()
    for collection_id, kind in kinds.items():
        assert listed[collection_id]["geometryType"] == kind
        items = client.get(f"/ogc/collections/{collection_id}/items", params={"limit": 1000}, headers=headers)
        features = items.json()["features"]
        assert features and {f["geometry"]["type"].removeprefix("Multi") for f in features} == {kind}
        seen |= {f["id"] for f in features}
    assert seen == {f["id"] for f in mixed["features"]}
    assert listed["spots"]["geometryType"] == "Geometry"


@pytest.mark.parametrize(
    "interval",
    [
        "0000-01-01T00:00:00Z/2100-01-01T00:00:00Z",
        "2000-01-01T00:00:00Z/9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z/9999-12-31T23:59:59Z",
        "../2100-01-01",
        "2000-01-01/",
    ],
)
def test_the_open_ends_qgis_and_gdal_send_are_open_ends(client, office, interval):
    """QGIS's temporal filter sends 0000-01-01T00:00:00Z for an open start (answered 400 before)."""
    headers = {"Authorization": f"Bearer {office['token']}"}
    every = client.get("/ogc/collections/reports/items", params={"limit": 1}, headers=headers).json()
    answer = client.get(
        "/ogc/collections/reports/items", params={"limit": 1, "datetime": interval}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["numberMatched"] == every["numberMatched"] > 0
