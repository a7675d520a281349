"""A meeting's decisions and their follow-ups: what is to be done, by whom (an agency, or the GIS office or
the deputy) and by when. Each follow-up reaches its owners' inboxes and an agency's work list."""

from datetime import date

from gis import clock
from gis.access import roles_for
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput
from gis.lang import normalise_persian
from gis.programme import inbox
from gis.users import User

STAFF_OWNERS = roles_for("follow_up.own")

LIST = """
    SELECT f.id, f.activity_id, p.title AS meeting, p.held_on AS meeting_on, f.decision, f.what, f.due_on,
           g.code AS agency, g.name_fa AS agency_fa, g.name_en AS agency_en, f.owner_role,
           f.done_at, f.outcome, f.done_at IS NULL AND f.due_on < %(today)s AS overdue
    FROM follow_up f JOIN programme_activity p ON p.id = f.activity_id
    LEFT JOIN agency g ON g.id = f.agency_id
    WHERE (%(activity)s::int IS NULL OR f.activity_id = %(activity)s)
      AND (%(agency)s::int IS NULL OR f.agency_id = %(agency)s)
    ORDER BY f.done_at IS NOT NULL, f.due_on, f.id
"""


def _text(field: str, value: str | None, limit: int) -> str:
    text = normalise_persian((value or "").strip())
    if not text:
        raise InvalidInput(field, "required")
    if len(text) > limit:
        raise InvalidInput(field, "at_most_n_characters", limit=limit)
    return text


def add_follow_up(
    conn: Conn, *, user: User, activity_id: int, decision: str, what: str, owner: str, due_on: date | None
) -> int:
    """The deputy records a decision's follow-up: `owner` is an agency's code, or gis_office or deputy."""
    user.require("programme.manage")
    if due_on is None:
        raise InvalidInput("due_on", "due_date_required")
    agency_id, role = None, None
    with conn.cursor() as cur:
        if owner in STAFF_OWNERS:
            role = owner
        else:
            cur.execute("SELECT id FROM agency WHERE code = %s AND active", (owner,))
            row = cur.fetchone()
            if row is None:
                raise InvalidInput("owner", "active_agency", agency=owner)
            agency_id = row[0]
        cur.execute(
            """
            INSERT INTO follow_up (activity_id, decision, what, agency_id, owner_role, due_on, created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id
            """,
            (
                activity_id,
                _text("decision", decision, 2000),
                _text("what", what, 1000),
                agency_id,
                role,
                due_on,
                user.id,
            ),
        )
        follow_up_id = cur.fetchone()[0]
    inbox.follow_up_added(conn, follow_up_id)
    return follow_up_id


def list_follow_ups(conn: Conn, *, user: User, activity_id: int | None = None) -> list[dict]:
    """Follow-ups (of one meeting, or all): an agency's user sees only its agency's."""
    if user.agency_id is None:
        user.require("programme.read")
    params = {"today": clock.today(), "activity": activity_id, "agency": user.agency_id}
    with dict_cursor(conn) as cur:
        cur.execute(LIST, params)
        return cur.fetchall()
