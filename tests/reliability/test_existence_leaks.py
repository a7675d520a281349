"""What a reader outside a record's scope learns of it: nothing. Out-of-scope ids answer exactly like ids that
do not exist, a client UUID replayed from another neighbourhood returns no ids, and Open311 shows the public
neither the staff's due dates nor a change date moved by the staff's work."""

import io
import uuid

import psycopg2
import pytest
from PIL import Image

from tests.api.channels import api_key_env, point_in  # noqa: F401 (fixtures)
from tests.reliability.test_public_leaks import V2, hotline, world  # noqa: F401 (fixtures)


@pytest.mark.dated
def test_open311_shows_the_public_no_due_date_and_only_public_changes(hotline, world, db_url):
    mapped, spot_id, gis = world["mapped"], world["spot"], world["people"]["gis"]
    [before] = hotline.get(f"{V2}/requests/{mapped}.json").json()
    assert "expected_datetime" not in before
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        # The staff work on the spot tomorrow: a staff note, an action with a due date, the spot touched.
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, note, at)"
            " VALUES (%s, 'coordination_note', 'پیگیری با پلیس', now() + interval '1 day')",
            (spot_id,),
        )
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on)"
            " SELECT %s, id, 'نصب روشنایی', '2030-01-15' FROM agency WHERE code = 'police'",
            (spot_id,),
        )
        cur.execute("UPDATE spot SET updated_at = now() + interval '1 day' WHERE id = %s", (spot_id,))
    [after] = hotline.get(f"{V2}/requests/{mapped}.json").json()
    assert after["updated_datetime"] == before["updated_datetime"]
    assert "expected_datetime" not in after
    assert "expected_datetime" not in hotline.get(f"{V2}/requests/{mapped}.xml").text
    [staff] = hotline.get(f"{V2}/requests/{mapped}.json", headers=gis).json()
    assert staff["expected_datetime"].startswith("2030-01-15")
    assert staff["updated_datetime"] > after["updated_datetime"]


def _shape(response, *ids: object) -> tuple[int, str]:
    """Status and body with the asked-for id written as ID, to compare an answer for one id with another's."""
    body = response.text
    for value in ids:
        body = body.replace(str(value), "ID")
    return response.status_code, body


@pytest.fixture
def elsewhere(client, db_url, role_tokens) -> dict:
    """The facilitator of the first neighbourhood, and a report (with its spot, a photo) and a focus-group
    session that the GIS office recorded in another neighbourhood."""
    gis = {"Authorization": f"Bearer {role_tokens['gis_office']}"}
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) AS p FROM area"
            " WHERE level = 'neighbourhood' ORDER BY code) q"
        )
        (mine, *mine_at), (other, *other_at) = cur.fetchmany(2)
    report = {"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lon": other_at[0], "lat": other_at[1]}
    created = client.post("/api/reports", json=report, headers=gis)
    assert created.status_code == 201, created.text
    photo = client.post(
        f"/api/reports/{report['uuid']}/photos",
        data={"uuid": str(uuid.uuid4())},
        files={"file": ("a.png", _png(), "image/png")},
        headers=gis,
    )
    assert photo.status_code == 201, photo.text
    session = {"area": other, "held_on": "1403/02/01", "facilitator": "Sara", "participants": 8, "women": 6}
    session_uuid = str(uuid.uuid4())
    session = client.post("/api/focus-groups", json={**session, "uuid": session_uuid}, headers=gis)
    assert session.status_code == 201, session.text
    return {
        "me": {"Authorization": f"Bearer {role_tokens['facilitator']}"},
        "mine": mine,
        "mine_at": mine_at,
        "report": {**created.json(), "photo": photo.json()["href"]},
        "session": session.json()["id"],
        "session_uuid": session_uuid,
    }


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG")
    return out.getvalue()


def test_a_facilitator_gets_not_found_for_records_elsewhere_as_for_none(client, elsewhere):
    me, report = elsewhere["me"], elsewhere["report"]
    missing_id, missing_uuid = 9_000_000, str(uuid.uuid4())
    pairs = {
        "report": (f"/api/reports/{report['id']}", f"/api/reports/{missing_id}", report["id"], missing_id),
        "photo": (
            report["photo"],
            report["photo"].replace(report["uuid"], missing_uuid),
            report["uuid"],
            missing_uuid,
        ),
        "spot workflow": (
            f"/api/spots/{report['spot_id']}/workflow",
            f"/api/spots/{missing_id}/workflow",
            report["spot_id"],
            missing_id,
        ),
        "focus group": (
            f"/api/focus-groups/{elsewhere['session']}",
            f"/api/focus-groups/{missing_id}",
            elsewhere["session"],
            missing_id,
        ),
    }
    for what, (there, nowhere, there_id, nowhere_id) in pairs.items():
        seen = _shape(client.get(there, headers=me), there_id)
        assert seen[0] == 404, (what, seen)
        assert seen == _shape(client.get(nowhere, headers=me), nowhere_id), what
    writes = {
        "photo upload": (f"/api/reports/{report['uuid']}/photos", f"/api/reports/{missing_uuid}/photos"),
        "focus-group points": (
            f"/api/focus-groups/{elsewhere['session']}/points",
            f"/api/focus-groups/{missing_id}/points",
        ),
    }
    for what, (there, nowhere) in writes.items():
        if what == "photo upload":
            send = {"data": {"uuid": str(uuid.uuid4())}, "files": {"file": ("a.png", _png(), "image/png")}}
            ids = (report["uuid"], missing_uuid)
        else:
            send = {"json": {"type": "FeatureCollection", "features": []}}
            ids = (elsewhere["session"], missing_id)
        seen = _shape(client.post(there, headers=me, **send), ids[0])
        assert seen[0] == 404, (what, seen)
        assert seen == _shape(client.post(nowhere, headers=me, **send), ids[1]), what


def test_a_uuid_replayed_from_another_neighbourhood_returns_no_ids(client, elsewhere):
    me, report, (lon, lat) = elsewhere["me"], elsewhere["report"], elsewhere["mine_at"]
    replay = {"uuid": report["uuid"], "category": "vacant_lot", "lon": lon, "lat": lat}
    answer = client.post("/api/reports", json=replay, headers=me)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["field"] == "uuid"
    assert str(report["id"]) not in answer.text and str(report["spot_id"]) not in answer.text
    session = {"area": elsewhere["mine"], "held_on": "1403/02/01", "facilitator": "Sara", "participants": 5}
    replayed = client.post(
        "/api/focus-groups", json={**session, "women": 5, "uuid": elsewhere["session_uuid"]}, headers=me
    )
    assert replayed.status_code == 409 and replayed.json()["error"]["field"] == "uuid"
    assert str(elsewhere["session"]) not in replayed.text


def test_an_agency_gets_not_found_for_another_agencys_action_as_for_none(client, db_url, role_tokens):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT x.id FROM spot_action x JOIN agency g ON g.id = x.agency_id"
            " WHERE g.code <> 'urban_services' ORDER BY x.id LIMIT 1"
        )
        theirs = cur.fetchone()[0]
    agency, missing = {"Authorization": f"Bearer {role_tokens['agency']}"}, 9_000_000
    body = {"status": "done", "note": "done by us", "version": 1}
    seen = _shape(client.patch(f"/api/actions/{theirs}", json=body, headers=agency), theirs)
    assert seen[0] == 404, seen
    assert seen == _shape(client.patch(f"/api/actions/{missing}", json=body, headers=agency), missing)
