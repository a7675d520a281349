"""Two people edit one spot at the same moment from the same version: one wins, the other gets 409 and the
history holds exactly one change.

The race is forced rather than hoped for: the test holds the spot's row lock while both requests start, waits
until PostgreSQL shows both of them queued on that lock, then lets go, so the two transactions truly overlap.
"""

import threading
import time

import psycopg2
import pytest

from gis.db import transaction
from gis.programme import workflow
from gis.users import create_user, get_user, issue_token
from tests.reliability.conftest import make_role_tokens

# (step, the stage the spot is brought to, the two users' roles, the body, the table a win adds a row to)
RACES = [
    ("verify", 1, ("gis_office", "gis_office_2"), {"note": "location checked"}, None),
    (
        "visits",
        3,
        ("facilitator", "deputy"),
        {"visited_on": "1403/01/15", "findings": "no light at night"},
        "site_visit",
    ),
]


def _spot_at(db_url: str, stage: int) -> int:
    """A spot in the facilitator's neighbourhood, walked to `stage` by the domain functions."""
    with transaction(db_url) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO spot (geom, category, area_id, title) SELECT ST_PointOnSurface(geom),"
                " 'poor_lighting', id, 'contested spot' FROM area WHERE level = 'neighbourhood'"
                " ORDER BY code LIMIT 1 RETURNING id"
            )
            spot = cur.fetchone()[0]
        if stage >= 2:
            gis = get_user(conn, "race-gis-office")
            version = workflow.verify(conn, user=gis, spot_id=spot, version=1)
            if stage >= 3:
                workflow.start_remediation(conn, user=gis, spot_id=spot, version=version)
    return spot


def _counts(db_url: str, spot: int, table: str | None) -> tuple[int, int, int]:
    """(version, events, rows of `table`) for the spot."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT version, (SELECT count(*) FROM spot_event WHERE spot_id = %s) FROM spot WHERE id = %s",
            (spot, spot),
        )
        version, events = cur.fetchone()
        rows = 0
        if table:
            cur.execute(f"SELECT count(*) FROM {table} WHERE spot_id = %s", (spot,))
            rows = cur.fetchone()[0]
    conn.close()
    return version, events, rows


def _waiting(db_url: str) -> int:
    """How many app sessions are queued on a lock (a new connection each time: the view is a snapshot)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'safemap' AND wait_event_type = 'Lock'"
        )
        count = cur.fetchone()[0]
    conn.close()
    return count


def _wait_for_waiters(db_url: str, count: int) -> None:
    """Until `count` requests are queued on the spot's lock, each inside its own transaction."""
    deadline = time.monotonic() + 20
    while _waiting(db_url) < count:
        assert time.monotonic() < deadline, "the requests never met on the spot's lock"
        time.sleep(0.01)


@pytest.mark.parametrize(("step", "stage", "who", "body", "table"), RACES, ids=[race[0] for race in RACES])
def test_two_edits_from_one_version_one_wins_and_the_other_gets_409(
    client, db_url, step, stage, who, body, table
):
    tokens = make_role_tokens(db_url, prefix="race")
    with transaction(db_url) as conn:
        second = create_user(conn, username="race-gis-2", password="long enough password", role="gis_office")
        tokens["gis_office_2"], _ = issue_token(conn, second.id)
    spot = _spot_at(db_url, stage)
    version, events, rows = _counts(db_url, spot, table)
    responses: dict[str, object] = {}

    def send(role: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[role]}", "If-Match": f'"{version}"'}
        responses[role] = client.post(f"/api/spots/{spot}/{step}", json=body, headers=headers)

    holder = psycopg2.connect(db_url)
    with holder.cursor() as cur:
        cur.execute("SELECT 1 FROM spot WHERE id = %s FOR UPDATE", (spot,))
    threads = [threading.Thread(target=send, args=(role,)) for role in who]
    for thread in threads:
        thread.start()
    try:
        _wait_for_waiters(db_url, len(threads))
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(response.status_code for response in responses.values())
    assert len(statuses) == 2 and 200 <= statuses[0] < 300 and statuses[1] == 409, statuses
    loser = next(r for r in responses.values() if r.status_code == 409)
    assert loser.json()["error"]["code"] == "conflict" and loser.json()["error"]["field"] == "version"
    assert loser.json()["error"]["message"]
    assert _counts(db_url, spot, table) == (version + 1, events + 1, rows + (1 if table else 0))
    winner = next(r for r in responses.values() if r.status_code < 300)
    assert winner.headers["etag"] == f'"{version + 1}"'
    history = client.get(
        f"/api/spots/{spot}/workflow", headers={"Authorization": f"Bearer {tokens['deputy']}"}
    ).json()["events"]
    assert [e["kind"] for e in history][events:] == ["verified" if step == "verify" else "site_visit"]
