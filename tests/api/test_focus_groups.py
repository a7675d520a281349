"""Focus groups through the API: sessions, the places participants marked, roles and neighbourhoods."""

import json
import uuid
from pathlib import Path

import psycopg2
import pytest

from gis.vocabulary import AUDIT_KEYS
from tests.api.channels import make_people, point_in

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "focus_groups" / "sharif_1399-09-20.geojson"
SESSION = {
    "area": "2201",
    "held_on": "۱۳۹۹/۰۹/۲۰",
    "facilitator": "مريم كريمی",
    "participants": 14,
    "women": 11,
    "notes": "جلسه در سرای محله",
}


@pytest.fixture
def people(db_url):
    return make_people(db_url)


def _session(client, headers, **changes) -> int:
    response = client.post("/api/focus-groups", json={**SESSION, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_facilitator_records_a_session_with_a_jalali_date(client, people, db_url):
    token = str(uuid.uuid4())
    first = client.post("/api/focus-groups", json={**SESSION, "uuid": token}, headers=people["sara"])
    assert first.status_code == 201 and first.json()["created"] is True
    again = client.post("/api/focus-groups", json={**SESSION, "uuid": token}, headers=people["sara"])
    assert again.status_code == 200 and again.json() == {"id": first.json()["id"], "created": False}
    session = client.get(f"/api/focus-groups/{first.json()['id']}", headers=people["sara"]).json()
    assert session["held_on"] == "2020-12-10" and session["held_on_jalali"] == "1399/09/20"
    assert session["area_code"] == "2201" and session["facilitator"] == "مریم کریمی"
    assert (session["participants"], session["women"], session["created_by"]) == (14, 11, "sara")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM focus_group WHERE uuid = %s", (token,))
        assert cur.fetchone()[0] == 1


def test_the_programmes_neighbourhood_names_are_understood(client, people):
    for name, code in (("Abshar", "2203"), ("آبشار", "2203"), ("زیبادشت", "2205"), ("Daryacheh", "2209")):
        session_id = _session(client, people["gis"], area=name)
        assert (
            client.get(f"/api/focus-groups/{session_id}", headers=people["gis"]).json()["area_code"] == code
        )
    unknown = client.post("/api/focus-groups", json={**SESSION, "area": "Narmak"}, headers=people["gis"])
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "area"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"women": 15}, "women"),
        ({"held_on": "1399/13/01"}, "held_on"),
        ({"held_on": "1499/01/01"}, "held_on"),
        ({"facilitator": "   "}, "facilitator"),
        ({"participants": 0}, "participants"),
    ],
)
def test_a_wrong_session_is_refused_naming_the_field(client, people, changes, field):
    response = client.post("/api/focus-groups", json={**SESSION, **changes}, headers=people["gis"])
    assert response.status_code in (400, 422)
    assert response.json()["error"]["field"] == field


def test_roles_and_neighbourhoods_bind_who_records_and_reads(client, people):
    assert client.post("/api/focus-groups", json=SESSION).status_code == 401
    for who in ("roads", "guest"):
        assert client.post("/api/focus-groups", json=SESSION, headers=people[who]).status_code == 403
    refused = client.post("/api/focus-groups", json={**SESSION, "area": "2205"}, headers=people["sara"])
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "area"
    theirs = _session(client, people["gis"], area="2205")
    mine = _session(client, people["sara"])
    assert client.get(f"/api/focus-groups/{theirs}", headers=people["sara"]).status_code == 404
    assert (
        client.post(
            f"/api/focus-groups/{theirs}/points",
            headers=people["sara"],
            json=json.loads(SAMPLE.read_text(encoding="utf-8")),
        ).status_code
        == 404
    )
    hers = client.get("/api/focus-groups", headers=people["sara"]).json()
    assert mine in [s["id"] for s in hers] and {s["area_code"] for s in hers} <= {"2201", "2209"}
    assert {mine, theirs} <= {
        s["id"] for s in client.get("/api/focus-groups", headers=people["deputy"]).json()
    }
    assert client.get("/api/focus-groups?area=2205", headers=people["sara"]).status_code == 403
    in_2205 = client.get("/api/focus-groups?area=2205", headers=people["gis"]).json()
    assert theirs in [s["id"] for s in in_2205] and {s["area_code"] for s in in_2205} == {"2205"}
    assert client.get("/api/focus-groups", headers=people["roads"]).status_code == 403


def test_marked_places_become_reports_with_the_session_as_provenance(client, people, db_url):
    session_id = _session(client, people["sara"])
    collection = json.loads(SAMPLE.read_text(encoding="utf-8"))
    response = client.post(f"/api/focus-groups/{session_id}/points", json=collection, headers=people["sara"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 4 and len(body["reports"]) == 4 and len(body["spots"]) >= 1
    again = client.post(f"/api/focus-groups/{session_id}/points", json=collection, headers=people["sara"])
    assert again.json()["created"] == 0 and again.json()["reports"] == body["reports"]
    assert again.status_code == 200  # a tablet's re-send adds nothing, like a session's or a photo's
    session = client.get(f"/api/focus-groups/{session_id}", headers=people["deputy"]).json()
    assert session["point_count"] == 4
    points = {f["properties"]["feature"]: f for f in session["points"]["features"]}
    assert points[1]["properties"]["category"] == "poor_lighting"
    assert points[1]["properties"]["time_of_day"] == "night"
    unassessed = dict.fromkeys(AUDIT_KEYS)  # the criteria a group did not score are "not assessed"; 0 is kept
    assert points[1]["properties"]["audit"] == unassessed | {
        "lighting": 0,
        "visibility": 1,
        "people": 1,
        "feeling": 0,
    }
    assert points[2]["properties"]["audit"] == unassessed | {"lighting": 1, "openness": 2, "security": 0}
    assert (
        points[3]["geometry"]["type"] == "LineString" and points[3]["properties"]["time_of_day"] == "evening"
    )
    assert points[4]["geometry"]["type"] == "Polygon"
    assert points[4]["properties"]["audit"] == unassessed | {
        "walk_path": 1,
        "public_transport": 2,
        "gender_mix": 1,
    }
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT source, provenance ->> 'focus_group_id', reported_at::date FROM report"
            " WHERE id = ANY(%s)",
            (body["reports"],),
        )
        assert cur.fetchall() == [("focus_group", str(session_id), __import__("datetime").date(2020, 12, 10))]


def test_a_bad_feature_rejects_the_whole_list_naming_each_one(client, people, db_url):
    session_id = _session(client, people["gis"], area="2209")
    inside = point_in(db_url, "2209")
    features = [
        {
            "type": "Feature",
            "properties": {"category": "vacant_lot"},
            "geometry": {"type": "Point", "coordinates": list(inside)},
        },
        {
            "type": "Feature",
            "properties": {"دسته": "چیز عجیب"},
            "geometry": {"type": "Point", "coordinates": list(inside)},
        },
        {
            "type": "Feature",
            "properties": {"category": "vacant_lot", "time_of_day": "dawn"},
            "geometry": {"type": "Point", "coordinates": list(inside)},
        },
        {
            "type": "Feature",
            "properties": {"category": "vacant_lot"},
            "geometry": {"type": "Point", "coordinates": [51.42, 35.70]},
        },
        {
            "type": "Feature",
            "properties": {"category": "vacant_lot", "lighting": 5},
            "geometry": {"type": "Point", "coordinates": list(inside)},
        },
        {
            "type": "Feature",
            "properties": {"category": "vacant_lot"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[51.2, 35.73], [51.21, 35.74], [51.21, 35.73], [51.2, 35.74], [51.2, 35.73]]
                ],
            },
        },
    ]
    response = client.post(
        f"/api/focus-groups/{session_id}/points",
        headers=people["gis"],
        json={"type": "FeatureCollection", "features": features},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "features" and error["message"].startswith("features: 5 of 6 features rejected")
    rows = {row["feature"]: row for row in error["rows"]}
    assert sorted(rows) == [2, 3, 4, 5, 6]
    assert rows[2]["field"] == "category" and "چیز عجیب" in rows[2]["reason"]
    assert rows[3]["field"] == "time_of_day"
    assert rows[4]["field"] == "geometry" and "outside the district" in rows[4]["reason"]
    assert rows[5]["field"] == "audit.lighting"
    assert rows[6]["field"] == "geometry" and "crosses itself" in rows[6]["reason"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM report WHERE source = 'focus_group'"
            " AND provenance ->> 'focus_group_id' = %s",
            (str(session_id),),
        )
        assert cur.fetchone()[0] == 0
    empty = client.post(
        f"/api/focus-groups/{session_id}/points", headers=people["gis"], json={"type": "Feature"}
    )
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "features"
    missing = client.post(
        "/api/focus-groups/999999/points",
        headers=people["gis"],
        json={"type": "FeatureCollection", "features": features[:1]},
    )
    assert missing.status_code == 404


def test_the_database_refuses_more_women_than_participants(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM area WHERE code = '2201'")
        area_id = cur.fetchone()[0]
        with pytest.raises(psycopg2.errors.CheckViolation) as refused:
            cur.execute(
                "INSERT INTO focus_group (area_id, held_on, facilitator, participants, women)"
                " VALUES (%s, '2020-12-10', 'x', 10, 11)",
                (area_id,),
            )
    assert refused.value.diag.constraint_name == "focus_group_women_le_participants"
