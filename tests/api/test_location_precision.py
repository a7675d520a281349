"""Location precision: an address-only row waits "to be placed" (never a public point), the GIS office moves a
spot with the version check and a history event, and "verify and place" needs a placed location."""

import json

import psycopg2
import pytest

from gis.db import transaction
from tests.api.channels import point_in
from tests.conftest import bearer_headers
from tests.tiles.test_tiles import read_tile, tile_of

ADDRESS = "خیابان گلها، کوچه ۱۲، پشت مدرسه"
CSV = f"دسته,محله,نشانی\npoor_lighting,2209,{ADDRESS}\n".encode()


@pytest.fixture
def people(db_url) -> dict[str, dict[str, str]]:
    with transaction(db_url) as conn:
        return {
            "gis": bearer_headers(conn, "place-gis", "gis_office"),
            "viewer": bearer_headers(conn, "place-viewer", "viewer"),
            "facilitator": bearer_headers(conn, "place-fac", "facilitator", ["2209"]),
        }


def import_address_row(client, gis: dict[str, str]) -> int:
    """Import one row known only by its neighbourhood and address; the spot it made."""
    answer = client.post(
        "/api/imports/reports", files={"file": ("list.csv", CSV, "text/csv")}, data={"ref": "t"}, headers=gis
    )
    assert answer.status_code == 201, answer.text
    with psycopg2.connect(client.app.state.database.url) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM report WHERE address = %s", (ADDRESS,))
        report_id = cur.fetchone()[0]
    report = client.get(f"/api/reports/{report_id}", headers=gis).json()
    assert report["location_precision"] == "address" and report["address"] == ADDRESS
    return report["spot_id"]


def _version(client, spot_id: int, headers: dict[str, str]) -> int:
    return client.get(f"/api/spots/{spot_id}", headers=headers).json()["properties"]["version"]


def test_an_address_only_row_waits_to_be_placed_and_the_public_never_sees_it(
    client, people, db_url, tmp_path
):
    spot_id = import_address_row(client, people["gis"])
    spot = client.get(f"/api/spots/{spot_id}", headers=people["gis"]).json()
    assert spot["properties"]["location_precision"] == "address"
    waiting = client.get("/api/to-place", headers=people["viewer"]).json()["spots"]
    [row] = [s for s in waiting if s["id"] == spot_id]
    assert row["addresses"] == [ADDRESS] and row["area_code"] == "2209"
    # Even past mapping (set in the database: the workflow would refuse it), the public sees nothing of it.
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE spot SET stage = 3 WHERE id = %s", (spot_id,))
    public = {
        f"/api/spots/{spot_id}": None,
        "/api/spots": {"limit": 10000},
        "/api/map/spots": {"bbox": "50,35,52,36"},
        "/ogc/collections/spots/items": {"limit": 10000},
        f"/ogc/collections/spots/items/{spot_id}": None,
        "/api/exports/geojson": {"layers": "spots"},
        "/api/to-place": None,
    }
    for path, params in public.items():
        answer = client.get(path, params=params)
        assert answer.status_code in (200, 401, 404), (path, answer.status_code)
        if answer.status_code == 200:
            ids = [f.get("id") for f in answer.json().get("features", [])] if path != "/api/to-place" else []
            assert spot_id not in ids and str(spot_id) not in map(str, ids), path
            assert ADDRESS not in answer.text, path
    staff = client.get("/api/exports/geojson", params={"layers": "spots"}, headers=people["gis"])
    assert spot_id in [f["properties"]["id"] for f in staff.json()["features"]]
    x, y = tile_of(row["lon"], row["lat"], 16)
    public_tile = read_tile(client.get(f"/tiles/16/{x}/{y}.pbf").content, 16, x, y, tmp_path)
    staff_tile = read_tile(
        client.get(f"/tiles/16/{x}/{y}.pbf", headers=people["gis"]).content, 16, x, y, tmp_path
    )
    assert spot_id in [f["properties"]["mvt_id"] for f in staff_tile["spots"]]
    assert spot_id not in [f["properties"]["mvt_id"] for f in public_tile.get("spots", [])]


def test_the_gis_office_moves_a_spot_with_the_version_check_and_history(client, people, db_url):
    spot_id = import_address_row(client, people["gis"])
    gis = people["gis"]
    refused = client.post(
        f"/api/spots/{spot_id}/verify", json={"version": _version(client, spot_id, gis)}, headers=gis
    )
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "location", refused.text
    version = _version(client, spot_id, gis)
    lon, lat = point_in(db_url, "2209")
    typed = {"x": f"{lon:.6f}".replace(".", "٫"), "y": f"{lat:.6f}", "version": version}
    moved = client.patch(f"/api/spots/{spot_id}/location", json=typed, headers=gis)
    assert moved.status_code == 200, moved.text
    assert moved.headers["ETag"] == f'"{version + 1}"'
    stale = client.patch(
        f"/api/spots/{spot_id}/location",
        json={"geometry": {"type": "Point", "coordinates": [lon, lat]}, "version": version},
        headers={**gis, "Accept-Language": "fa"},
    )
    assert stale.status_code == 409 and "دوباره" in stale.json()["error"]["message"]
    spot = client.get(f"/api/spots/{spot_id}", headers=gis).json()
    assert spot["properties"]["location_precision"] == "placed"
    assert spot["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    [event] = [e for e in spot["properties"]["events"] if e["kind"] == "moved"]
    assert event["payload"]["to"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    assert event["payload"]["precision"] == {"from": "address", "to": "placed"}
    verified = client.post(f"/api/spots/{spot_id}/verify", json={"version": version + 1}, headers=gis)
    assert verified.status_code == 200, verified.text
    assert spot_id not in [s["id"] for s in client.get("/api/to-place", headers=gis).json()["spots"]]


def test_only_the_gis_office_moves_and_bad_input_is_named(client, people, db_url):
    spot_id = import_address_row(client, people["gis"])
    version = _version(client, spot_id, people["gis"])
    body = {"x": "51.1", "y": "35.7", "version": version}
    assert (
        client.patch(f"/api/spots/{spot_id}/location", json=body, headers=people["facilitator"]).status_code
        == 403
    )
    assert client.patch(f"/api/spots/{spot_id}/location", json=body).status_code == 401
    for bad, field in (
        ({"x": "abc", "y": "35.7"}, "x"),
        ({"version": version}, "location"),
        ({"geometry": {"type": "Point", "coordinates": [10, 10]}}, "geometry"),
    ):
        answer = client.patch(
            f"/api/spots/{spot_id}/location", json={"version": version, **bad}, headers=people["gis"]
        )
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["error"]["field"] == field, json.dumps(answer.json())


def test_a_line_and_an_area_are_spots_read_by_every_reader(client, people, db_url):
    lon, lat = point_in(db_url, "2209")
    shapes = {
        "LineString": [[lon, lat], [lon + 0.001, lat + 0.0005]],
        "Polygon": [
            [[lon, lat], [lon + 0.001, lat], [lon + 0.001, lat + 0.001], [lon, lat + 0.001], [lon, lat]]
        ],
    }
    ids = {}
    for n, (kind, coordinates) in enumerate(shapes.items()):
        answer = client.post(
            "/api/reports",
            json={
                "uuid": f"00000000-0000-4000-8000-00000000000{n}",
                "source": "other",
                "category": "vacant_lot" if kind == "Polygon" else "poor_lighting",
                "geometry": {"type": kind, "coordinates": coordinates},
                "placed": True,
            },
            headers=people["gis"],
        )
        assert answer.status_code == 201, answer.text
        ids[kind] = answer.json()["spot_id"]
    exported = client.get("/api/exports/geojson", params={"layers": "spots"}, headers=people["gis"]).json()
    kinds = {f["properties"]["id"]: f["geometry"]["type"] for f in exported["features"]}
    assert kinds[ids["LineString"]] == "LineString" and kinds[ids["Polygon"]] == "Polygon"
    for kind, spot_id in ids.items():
        item = client.get(f"/ogc/collections/spots/items/{spot_id}", headers=people["gis"])
        assert item.status_code == 200 and item.json()["geometry"]["type"] == kind
        assert item.json()["properties"]["location_precision"] == "placed"


def test_a_row_with_only_an_address_is_placed_in_the_neighbourhood_it_names(client, people):
    """No محله column: the address naming a neighbourhood is enough to wait there, to be placed."""
    address = "بلوار دریاچه، روبه‌روی ایستگاه"
    answer = client.post(
        "/api/imports/reports",
        files={"file": ("list.csv", f"دسته,نشانی\npoor_lighting,{address}\n".encode(), "text/csv")},
        headers=people["gis"],
    )
    assert answer.status_code == 201, answer.text
    waiting = client.get("/api/to-place", headers=people["gis"]).json()["spots"]
    [row] = [s for s in waiting if address in s["addresses"]]
    assert row["area_code"] == "2209" and row["location_precision"] == "address"
