"""Lines and areas from the tablet (issue 12), through the same report API as its points: a facilitator's
LineString and Polygon are stored as they were drawn and listed among the tablet's nearby spots; a
self-intersecting outline is refused in Persian naming the geometry and the reason, never a 500."""

import uuid

import psycopg2

from gis.db import transaction
from tests.conftest import bearer_headers, point_in


def _facilitator(db_url: str) -> tuple[dict[str, str], tuple[float, float]]:
    """A facilitator of 2209, and a point well inside it (lon, lat)."""
    with transaction(db_url) as conn:
        headers = bearer_headers(conn, "fatemeh", "facilitator", areas=["2209"])
    return headers, point_in(db_url, "2209", inset_m=200)


def _report(client, headers: dict, geometry: dict):
    """A facilitator's report of `geometry` drawn on the tablet, as the tablet sends it."""
    body = {"uuid": str(uuid.uuid4()), "source": "field", "category": "vacant_lot", "geometry": geometry}
    return client.post("/api/reports", headers=headers, json=body | {"placed": True})


def test_a_self_intersecting_area_is_refused_in_persian_naming_the_crossing(client, db_url):
    headers, (lon, lat) = _facilitator(db_url)
    d = 0.001
    bowtie = [[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d], [lon, lat]]
    polygon = {"type": "Polygon", "coordinates": [bowtie]}
    answer = _report(client, headers | {"Accept-Language": "fa"}, polygon)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["field"] == "geometry"
    assert error["message"].startswith("هندسه: مرز این محدوده خودش را قطع می‌کند")
    assert "Self-intersection" not in error["message"]
    english = _report(client, headers | {"Accept-Language": "en"}, polygon)
    assert english.status_code == 400
    assert "the outline crosses itself" in english.json()["error"]["message"]


def test_a_line_and_an_area_from_the_tablet_are_stored_and_offered_as_nearby_spots(client, db_url):
    headers, (lon, lat) = _facilitator(db_url)
    d = 0.0008
    shapes = {
        "LINESTRING": {
            "type": "LineString",
            "coordinates": [[lon, lat], [lon + d, lat + d / 2], [lon + 2 * d, lat]],
        },
        "POLYGON": {
            "type": "Polygon",
            "coordinates": [
                [
                    [lon, lat - d],
                    [lon + d, lat - d],
                    [lon + d, lat - 2 * d],
                    [lon, lat - 2 * d],
                    [lon, lat - d],
                ]
            ],
        },
    }
    spots = {}
    for kind, geometry in shapes.items():
        answer = _report(client, headers, geometry)
        assert answer.status_code in (200, 201), answer.text
        spots[kind] = answer.json()["spot_id"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, GeometryType(geom), location_precision FROM spot WHERE id = ANY(%s)",
            (list(spots.values()),),
        )
        assert {row[0]: row[1:] for row in cur.fetchall()} == {
            spots["LINESTRING"]: ("LINESTRING", "placed"),
            spots["POLYGON"]: ("POLYGON", "placed"),
        }
    page = client.get("/field", headers=headers)
    assert page.status_code == 200
    config = _config(page.text)
    offered = {spot["id"]: spot for spot in config["spots"]}
    assert offered[spots["LINESTRING"]]["geometry"]["type"] == "LineString"
    assert offered[spots["POLYGON"]]["geometry"]["type"] == "Polygon"


def _config(html: str) -> dict:
    import json
    import re

    found = re.search(r'<script type="application/json" id="field-config">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))
