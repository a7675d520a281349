"""The four stages over HTTP: a spot walked through by the right roles, and every forbidden move refused
unchanged."""

import psycopg2
import pytest

from gis.db import transaction
from gis.programme import workflow
from gis.users import get_user
from tests.conftest import bearer_headers
from tests.programme.walk import finish_action, start_work

LOW = {
    "lighting": 0,
    "openness": 1,
    "visibility": 1,
    "people": 0,
    "security": 0,
    "walk_path": 1,
    "public_transport": 1,
    "gender_mix": 0,
    "feeling": 0,
}
HIGH = {key: 3 for key in LOW}
PEOPLE = {
    "gis": {"role": "gis_office"},
    "deputy": {"role": "deputy"},
    "sara": {"role": "facilitator", "areas": ["2201"]},
    "farid": {"role": "facilitator", "areas": ["2205"]},
    "roads": {"role": "agency", "agency": "traffic"},
    "lights": {"role": "agency", "agency": "electricity"},
    "watcher": {"role": "viewer"},
}


@pytest.fixture
def staff(db_url, cheap_passwords):
    """Bearer headers for one user of each role."""
    with transaction(db_url) as conn:
        return {name: bearer_headers(conn, name, **spec) for name, spec in PEOPLE.items()}


def _new_spot(db_url: str, area: str = "2201") -> int:
    """A fresh stage-1 spot in a neighbourhood, so each test starts from a known state."""
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot (geom, category, area_id, title)"
            " SELECT ST_PointOnSurface(geom), 'poor_lighting', id,"
            " 'test spot' FROM area WHERE code = %s RETURNING id",
            (area,),
        )
        return cur.fetchone()[0]


def _advance(db_url: str, spot_id: int, stage: int, *, actions: str = "done") -> None:
    """Bring a spot to a stage through the domain functions (as the right roles)."""
    if stage == 1:
        return
    with transaction(db_url) as conn:
        gis, deputy, roads = (get_user(conn, n) for n in ("gis", "deputy", "roads"))
        version = workflow.verify(conn, user=gis, spot_id=spot_id, version=1)
        if stage >= 3:
            version = start_work(conn, gis=gis, deputy=deputy, spot_id=spot_id, version=version, audit=LOW)
            if actions == "done":
                version = finish_action(conn, agency=roads, spot_id=spot_id)
        if stage >= 4:
            workflow.evaluate(
                conn, user=deputy, spot_id=spot_id, version=version, visited_on=_day("2026-11-10"), audit=HIGH
            )


def _day(text: str):
    from datetime import date

    return date.fromisoformat(text)


def _snapshot(db_url: str, spot_id: int) -> tuple:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT s.stage, s.status, s.version, s.category,"
            " (SELECT count(*) FROM spot_event e WHERE e.spot_id = s.id),"
            " (SELECT count(*) FROM site_visit v WHERE v.spot_id = s.id),"
            " (SELECT array_agg(a.status || a.version ORDER BY a.id)"
            " FROM spot_action a WHERE a.spot_id = s.id)"
            " FROM spot s WHERE s.id = %s",
            (spot_id,),
        )
        return cur.fetchone()


def _version(client, headers: dict, spot_id: int) -> str:
    return client.get(f"/api/spots/{spot_id}/workflow", headers=headers).headers["etag"]


@pytest.mark.dated
def test_a_spot_walks_through_all_four_stages_as_the_right_roles(client, staff, db_url):
    spot = _new_spot(db_url)
    url = f"/api/spots/{spot}"
    step = client.post(
        f"{url}/verify",
        json={"note": "موقعیت درست است"},
        headers={**staff["gis"], "If-Match": _version(client, staff["gis"], spot)},
    )
    assert step.status_code == 200 and step.json()["stage"] == 2 and step.headers["etag"] == '"2"'
    step = client.post(f"{url}/remediation", json={"version": 2}, headers=staff["deputy"])
    assert step.json()["stage"] == 3
    step = client.post(
        f"{url}/visits",
        headers={**staff["sara"], "If-Match": '"3"'},
        json={
            "visited_on": "۱۴۰۵/۰۸/۰۱",
            "findings": "تاریک و خلوت",
            "audit": LOW,
            "photos": ["visit-1.jpg"],
        },
    )
    assert step.status_code == 201
    assert step.json()["visits"][0]["visited_on"] == "2026-10-23"
    for number, agency in enumerate(("traffic", "electricity")):
        step = client.post(
            f"{url}/actions",
            headers={**staff["deputy"], "If-Match": step.headers["etag"]},
            json={"agency": agency, "what": "نصب روشنایی", "due_on": "1405/10/30"},
        )
        assert step.status_code == 201 and len(step.json()["actions"]) == number + 1
    actions = {a["agency"]: a for a in step.json()["actions"]}
    for who, agency, status in (
        ("roads", "traffic", "in_progress"),
        ("roads", "traffic", "done"),
        ("lights", "electricity", "done"),
    ):
        step = client.patch(
            f"/api/actions/{actions[agency]['id']}",
            headers=staff[who],
            json={"status": status, "note": "انجام شد", "version": actions[agency]["version"]},
        )
        assert step.status_code == 200, step.json()
        actions = {a["agency"]: a for a in step.json()["actions"]}
    assert (
        client.post(
            f"{url}/notes",
            headers=staff["roads"],
            json={"note": "هماهنگی با برق", "agencies": ["electricity"]},
        ).status_code
        == 201
    )
    version = _version(client, staff["sara"], spot)
    step = client.post(
        f"{url}/evaluation",
        headers={**staff["sara"], "If-Match": version},
        json={"visited_on": "1405/09/01", "audit": HIGH, "findings": "روشن شد"},
    )
    assert step.status_code == 200 and step.json()["stage"] == 4 and step.json()["audit_after"] == HIGH
    step = client.post(
        f"{url}/close",
        headers={**staff["deputy"], "If-Match": step.headers["etag"]},
        json={"reason": "بازارزیابی بهبود را نشان می‌دهد"},
    )
    assert step.status_code == 200 and step.json()["status"] == "resolved"
    step = client.post(
        f"{url}/reopen",
        headers={**staff["deputy"], "If-Match": step.headers["etag"]},
        json={"reason": "شکایت تازهٔ ساکنان"},
    )
    assert (step.json()["stage"], step.json()["status"]) == (3, "open")
    kinds = [e["kind"] for e in client.get(f"{url}/workflow", headers=staff["watcher"]).json()["events"]]
    assert kinds == [
        "verified",
        "remediation_started",
        "site_visit",
        "action_assigned",
        "action_assigned",
        "action_updated",
        "action_updated",
        "action_updated",
        "coordination_note",
        "evaluated",
        "resolved",
        "reopened",
    ]


def test_the_history_cannot_be_edited(staff, db_url):
    spot = _new_spot(db_url)
    _advance(db_url, spot, 2)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error, match="append-only"):
            cur.execute("UPDATE spot_event SET note = 'rewritten' WHERE spot_id = %s", (spot,))


def test_viewers_read_the_history_without_names(client, staff, db_url):
    spot = _new_spot(db_url)
    _advance(db_url, spot, 2)
    events = client.get(f"/api/spots/{spot}/workflow", headers=staff["watcher"]).json()["events"]
    assert events[0]["kind"] == "verified" and events[0]["actor"] is None
    assert (
        client.get(f"/api/spots/{spot}/workflow", headers=staff["deputy"]).json()["events"][0]["actor"]
        == "gis"
    )


# (who, stage the spot is at, method, path, body, expected status, error field)
FORBIDDEN = [
    ("sara", 1, "post", "verify", {}, 403, "role"),
    ("watcher", 3, "post", "visits", {"visited_on": "1405/08/01", "findings": "x"}, 403, "role"),
    ("roads", 4, "post", "close", {"reason": "done"}, 403, "role"),
    ("gis", 4, "post", "close", {"reason": "done"}, 403, "role"),
    # A spot outside her neighbourhoods is not found, like one that does not exist.
    ("farid", 3, "post", "visits", {"visited_on": "1405/08/01", "findings": "x"}, 404, "spot"),
    ("farid", 3, "post", "evaluation", {"visited_on": "1405/08/01", "audit": HIGH}, 404, "spot"),
    ("gis", 1, "post", "remediation", {}, 409, "stage"),
    ("deputy", 3, "post", "close", {"reason": "done"}, 409, "stage"),
    ("sara", 2, "post", "evaluation", {"visited_on": "1405/08/01", "audit": HIGH}, 409, "stage"),
    (
        "deputy",
        2,
        "post",
        "actions",
        {"agency": "traffic", "what": "x", "due_on": "1405/10/01"},
        409,
        "stage",
    ),
    ("gis", 3, "post", "reject", {"reason": "not_unsafe", "note": "x"}, 409, "stage"),
    ("sara", "3-open", "post", "evaluation", {"visited_on": "1405/08/01", "audit": HIGH}, 409, "actions"),
    ("gis", 1, "post", "verify", {"version": 7}, 409, "version"),
    ("gis", 1, "post", "verify", {}, 400, "version"),
    ("gis", 1, "post", "reject", {"reason": "duplicate", "note": "same place"}, 400, "duplicate_of"),
    ("deputy", 4, "post", "close", {"reason": " "}, 400, "reason"),
    ("sara", 3, "post", "visits", {"visited_on": "1405/13/01", "findings": "x"}, 400, "visited_on"),
    (
        "sara",
        "3-open",
        "post",
        "evaluation",
        {"visited_on": "1405/08/01", "audit": {**HIGH, "feeling": 4}},
        400,
        "audit.feeling",
    ),
    ("roads", 3, "post", "notes", {"note": "x"}, 403, "agency"),
    (None, 1, "post", "verify", {}, 401, "authorization"),
]


@pytest.mark.parametrize(("who", "stage", "method", "step", "body", "status", "field"), FORBIDDEN)
def test_each_forbidden_move_is_refused_and_changes_nothing(
    client, staff, db_url, who, stage, method, step, body, status, field
):
    spot = _new_spot(db_url)
    _advance(db_url, spot, int(str(stage)[0]), actions="open" if stage == "3-open" else "done")
    if stage == 3 and step == "notes":
        with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
            cur.execute(
                "UPDATE spot_action SET agency_id = (SELECT id FROM agency WHERE code = 'parks')"
                " WHERE spot_id = %s",
                (spot,),
            )
    before = _snapshot(db_url, spot)
    headers = dict(staff[who]) if who else {}
    if "version" not in body and not (status == 400 and field == "version"):
        headers["If-Match"] = f'"{before[2]}"'
    response = getattr(client, method)(f"/api/spots/{spot}/{step}", json=body, headers=headers)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["field"] == field
    assert _snapshot(db_url, spot) == before


def test_an_agency_cannot_touch_another_agencys_action_nor_a_stale_one(client, staff, db_url):
    spot = _new_spot(db_url)
    _advance(db_url, spot, 3, actions="open")
    listed = client.get("/api/actions", headers=staff["roads"]).json()
    assert {a["agency"] for a in listed} == {"traffic"}
    action = [a for a in listed if a["spot_id"] == spot]
    assert len(action) == 1
    path = f"/api/actions/{action[0]['id']}"
    before = _snapshot(db_url, spot)
    refused = client.patch(path, headers=staff["lights"], json={"status": "done", "note": "x", "version": 1})
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "action"
    stale = client.patch(
        path, headers={**staff["roads"], "If-Match": '"0"'}, json={"status": "done", "note": "x"}
    )
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    cancel = client.patch(
        path, headers=staff["roads"], json={"status": "cancelled", "note": "x", "version": 1}
    )
    assert cancel.status_code == 403 and cancel.json()["error"]["field"] == "status"
    assert _snapshot(db_url, spot) == before
    assert spot not in {a["spot_id"] for a in client.get("/api/actions", headers=staff["lights"]).json()}


def test_a_spot_is_not_closed_without_an_improvement(client, staff, db_url):
    spot = _new_spot(db_url)
    _advance(db_url, spot, 3)
    version = _version(client, staff["sara"], spot)
    worse = client.post(
        f"/api/spots/{spot}/evaluation",
        headers={**staff["sara"], "If-Match": version},
        json={"visited_on": "1405/09/01", "audit": {**LOW, "lighting": 0, "walk_path": 0}},
    )
    assert worse.status_code == 200 and worse.json()["stage"] == 4
    before = _snapshot(db_url, spot)
    refused = client.post(
        f"/api/spots/{spot}/close",
        headers={**staff["deputy"], "If-Match": worse.headers["etag"]},
        json={"reason": "done"},
    )
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "audit"
    assert _snapshot(db_url, spot) == before


def test_the_gis_office_rejects_a_duplicate_with_a_reason(client, staff, db_url):
    spot, original = _new_spot(db_url), _new_spot(db_url)
    done = client.post(
        f"/api/spots/{spot}/reject",
        headers={**staff["gis"], "If-Match": '"1"'},
        json={"reason": "duplicate", "note": "همان زیرگذر", "duplicate_of": original},
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert done.json()["events"][-1]["payload"]["duplicate_of"] == original
    again = client.post(
        f"/api/spots/{spot}/verify", headers={**staff["gis"], "If-Match": done.headers["etag"]}, json={}
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "status"


def test_facilitators_and_agencies_see_only_their_spots(client, staff, db_url):
    mine, theirs = _new_spot(db_url, "2201"), _new_spot(db_url, "2205")
    assert client.get(f"/api/spots/{mine}/workflow", headers=staff["sara"]).status_code == 200
    # Spots out of a reader's scope answer as if they did not exist (see tests/reliability).
    assert client.get(f"/api/spots/{theirs}/workflow", headers=staff["sara"]).status_code == 404
    assert client.get(f"/api/spots/{mine}/workflow", headers=staff["roads"]).status_code == 404
    assert client.get(f"/api/spots/{mine}/workflow").status_code == 401


PARTIAL = {"lighting": 0, "openness": None, "visibility": None, "people": None, "feeling": 1}


@pytest.mark.dated
def test_a_partial_audit_is_kept_and_the_re_audit_must_match_its_time_of_day(client, staff, db_url):
    spot = _new_spot(db_url)
    _advance(db_url, spot, 2)
    with transaction(db_url) as conn:
        workflow.start_remediation(conn, user=get_user(conn, "gis"), spot_id=spot, version=2)
    visit = client.post(
        f"/api/spots/{spot}/visits",
        headers={**staff["sara"], "If-Match": _version(client, staff["sara"], spot)},
        json={"visited_on": "1405/08/01", "findings": "dark", "time_of_day": "night", "audit": PARTIAL},
    )
    assert visit.status_code == 201, visit.text
    stored = _sql_one(db_url, "SELECT audit, time_of_day FROM site_visit WHERE spot_id = %s", (spot,))
    assert stored == (dict.fromkeys(LOW) | {"lighting": 0, "feeling": 1}, "night")
    nothing = client.post(
        f"/api/spots/{spot}/visits",
        headers={**staff["sara"], "If-Match": visit.headers["etag"]},
        json={"visited_on": "1405/08/01", "findings": "x", "audit": {"lighting": 4}},
    )
    assert nothing.status_code == 400 and nothing.json()["error"]["field"] == "audit.lighting"
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on, status, done_at)"
            " SELECT %s, id, 'lamps', '2026-11-01', 'done', now() FROM agency WHERE code = 'traffic'",
            (spot,),
        )
    by_day = client.post(
        f"/api/spots/{spot}/evaluation",
        headers={**staff["sara"], "If-Match": _version(client, staff["sara"], spot)},
        json={"visited_on": "1405/09/01", "time_of_day": "day", "audit": {"lighting": 3, "feeling": 3}},
    )
    assert by_day.status_code == 200, by_day.text
    refused = client.post(
        f"/api/spots/{spot}/close",
        headers={**staff["deputy"], "If-Match": by_day.headers["etag"]},
        json={"reason": "lamps fixed"},
    )
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "time_of_day"
    reopened = client.post(
        f"/api/spots/{spot}/reopen",
        headers={**staff["deputy"], "If-Match": by_day.headers["etag"]},
        json={"reason": "re-audit at night"},
    )
    assert reopened.status_code == 200, reopened.text
    at_night = client.post(
        f"/api/spots/{spot}/evaluation",
        headers={**staff["sara"], "If-Match": reopened.headers["etag"]},
        json={"visited_on": "1405/09/02", "time_of_day": "night", "audit": {"lighting": 3, "feeling": None}},
    )
    assert at_night.status_code == 200, at_night.text
    closed = client.post(
        f"/api/spots/{spot}/close",
        headers={**staff["deputy"], "If-Match": at_night.headers["etag"]},
        json={"reason": "lamps fixed"},
    )
    assert closed.status_code == 200, closed.text
    # The dashboard's per-criterion means skip what was not assessed and keep the 0.
    figures = client.get("/api/dashboard", headers=staff["deputy"])
    assert figures.status_code == 200, figures.text


def _sql_one(db_url: str, query: str, params: tuple) -> tuple:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()
