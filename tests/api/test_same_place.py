"""The tablet's «همین مکان است»: a report sent with `spot_id` joins that open spot nearby instead of making a
new one; a spot too far, closed or in another neighbourhood is refused naming spot_id."""

import uuid

import pytest

from gis.db import transaction
from tests.conftest import bearer_headers, point_in, query_one


@pytest.fixture
def sara(db_url) -> dict:
    """A facilitator of 2209, and two points in 2209 about 120 m and 1.5 km east of a third (ST_Project)."""
    with transaction(db_url) as conn:
        headers = bearer_headers(conn, "sara", "facilitator", areas=["2209"])
    here = point_in(db_url, "2209")
    near_x, near_y, far_x, far_y = query_one(
        db_url,
        "SELECT ST_X(q), ST_Y(q), ST_X(f), ST_Y(f) FROM (SELECT"
        " ST_Project(p::geography, 120, radians(90))::geometry AS q,"
        " ST_Project(p::geography, 1500, radians(90))::geometry AS f"
        " FROM ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS p) b",
        here,
    )
    return {
        "headers": headers,
        "here": here,
        "near": (near_x, near_y),
        "far": (far_x, far_y),
        "other": point_in(db_url, "2201"),
    }


def _report(client, headers: dict, place: tuple[float, float], **extra):
    lon, lat = place
    body = {"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lat": lat, "lon": lon, **extra}
    return client.post("/api/reports", json=body, headers={**headers, "Accept-Language": "fa"})


def test_a_report_said_to_be_the_same_place_joins_that_spot(client, sara, db_url):
    first = _report(client, sara["headers"], sara["here"])
    assert first.status_code == 201 and first.json()["new_spot"]
    spot = first.json()["spot_id"]
    apart = _report(client, sara["headers"], sara["near"])  # 120 m: beyond the aggregation radius
    assert apart.json()["new_spot"] and apart.json()["spot_id"] != spot

    same = _report(client, sara["headers"], sara["near"], spot_id=spot)
    assert same.status_code == 201
    assert same.json()["spot_id"] == spot and not same.json()["new_spot"]
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT report_count FROM spot WHERE id = %s", (spot,))
        assert cur.fetchone()[0] == 2


def test_a_spot_too_far_or_elsewhere_is_refused_naming_spot_id_and_nothing_is_stored(client, sara, db_url):
    spot = _report(client, sara["headers"], sara["here"]).json()["spot_id"]
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM spot WHERE area_id <> (SELECT id FROM area WHERE code = '2209') LIMIT 1")
        elsewhere = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM report")
        before = cur.fetchone()[0]

    far = _report(client, sara["headers"], sara["far"], spot_id=spot)
    assert far.status_code == 400 and far.json()["error"]["field"] == "spot_id"
    assert "همان مکان نیست" in far.json()["error"]["message"]
    other = _report(client, sara["headers"], sara["here"], spot_id=elsewhere)
    missing = _report(client, sara["headers"], sara["here"], spot_id=2_000_000)
    assert other.status_code == missing.status_code == 400
    assert other.json()["error"]["field"] == "spot_id"
    # Another neighbourhood's spot answers as one that does not exist, but for its number.
    assert other.json()["error"]["message"].replace(str(elsewhere), "N") == missing.json()["error"][
        "message"
    ].replace("2000000", "N")
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report")
        assert cur.fetchone()[0] == before
