"""A spot walked from stage 2 into remediation through the workflow's own functions, as the right roles:
shared by the tests that need a spot at stage 3 or beyond."""

from datetime import date

from gis.db import Conn
from gis.programme import workflow
from gis.users import User


def start_work(conn: Conn, *, gis: User, deputy: User, spot_id: int, version: int, audit: dict) -> int:
    """Stage 2 → 3: remediation started, a site visit ("dark", `audit`) on 2026-10-01 and an action for the
    traffic agency due 2026-11-01; the spot's new version."""
    version = workflow.start_remediation(conn, user=gis, spot_id=spot_id, version=version)
    version = workflow.record_visit(
        conn,
        user=deputy,
        spot_id=spot_id,
        version=version,
        visited_on=date(2026, 10, 1),
        findings="dark",
        audit=audit,
    )
    return workflow.assign_action(
        conn,
        user=deputy,
        spot_id=spot_id,
        version=version,
        agency="traffic",
        what="lamps",
        due_on=date(2026, 11, 1),
    )


def finish_action(conn: Conn, *, agency: User, spot_id: int) -> int:
    """The agency marks the spot's action done ("ok"); the spot's version after it."""
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM spot_action WHERE spot_id = %s", (spot_id,))
        (action_id,) = cur.fetchone()
    workflow.update_action(conn, user=agency, action_id=action_id, version=1, status="done", note="ok")
    with conn.cursor() as cur:
        cur.execute("SELECT version FROM spot WHERE id = %s", (spot_id,))
        return cur.fetchone()[0]
