"""A meeting's decisions and their follow-ups: what is to be done, by whom (an agency, or the GIS office or
the deputy) and by when. Each follow-up reaches its owners' inboxes and an agency's work list."""

from datetime import date

from gis import clock
from gis.access import Scope, roles_for, scope_of
from gis.db import Conn, dict_cursor
from gis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gis.lang import jalali, normalise_persian
from gis.programme import inbox
from gis.users import User

STAFF_OWNERS = roles_for("follow_up.own")

LIST = """
    SELECT f.id, f.activity_id, p.title AS meeting, p.held_on AS meeting_on, f.decision, f.what, f.due_on,
           f.agency_id, g.code AS agency, g.name_fa AS agency_fa, g.name_en AS agency_en, f.owner_role,
           f.done_at, (f.done_at AT TIME ZONE %(tz)s)::date AS done_on, f.outcome,
           f.done_at IS NULL AND f.due_on < %(today)s AS overdue
    FROM follow_up f JOIN programme_activity p ON p.id = f.activity_id
    LEFT JOIN agency g ON g.id = f.agency_id
    WHERE (%(activity)s::int IS NULL OR f.activity_id = %(activity)s)
      AND (%(agency)s::int IS NULL OR f.agency_id = %(agency)s)
      AND (%(open)s::bool IS NULL OR (f.done_at IS NULL) = %(open)s)
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


def list_follow_ups(
    conn: Conn, *, user: User, activity_id: int | None = None, open_only: bool = False
) -> list[dict]:
    """Follow-ups (of one meeting, or all; `open_only`: those not done, an owner's work list): an agency's
    user sees only its agency's."""
    if user.agency_id is None:
        user.require("programme.read")
    params = {
        "today": clock.today(),
        "tz": clock.zone_name(),
        "activity": activity_id,
        "agency": user.agency_id,
        "open": True if open_only else None,
    }
    with dict_cursor(conn) as cur:
        cur.execute(LIST, params)
        return cur.fetchall()


def may_complete(user: User, follow_up: dict) -> bool:
    """Whether `user` may mark `follow_up` (its agency_id and owner_role) done: the table's OWN scope is the
    follow-ups of the user's agency or staff role."""
    scope = scope_of(user.role, "follow_up.complete")
    if scope is Scope.OWN:
        if user.agency_id is not None:
            return follow_up["agency_id"] == user.agency_id
        return follow_up["owner_role"] == user.role
    return scope is not None


def complete_follow_up(conn: Conn, *, user: User, follow_up_id: int, note: str) -> dict:
    """Mark a follow-up done with a note on what was done, by its owner or the deputy; its notifications
    are read from then on, so it leaves the owners' open lists and inboxes' counts."""
    user.require("follow_up.complete")
    text = _text("note", note, 2000)
    with dict_cursor(conn) as cur:
        cur.execute(
            "SELECT f.activity_id, f.agency_id, g.code AS agency, f.owner_role, f.done_at FROM follow_up f"
            " LEFT JOIN agency g ON g.id = f.agency_id WHERE f.id = %s FOR UPDATE OF f",
            (follow_up_id,),
        )
        row = cur.fetchone()
    # An agency's user is not told of another agency's follow-ups, as list_follow_ups shows it none.
    if row is None or (user.agency_id is not None and row["agency_id"] != user.agency_id):
        raise NotFound("follow_up_does_exist", follow_up_id=follow_up_id, field="id")
    if not may_complete(user, row):
        owner = row["agency"] or row["owner_role"]
        raise Forbidden("follow_up_not_yours", follow_up_id=follow_up_id, owner=owner, field="owner")
    if row["done_at"] is not None:
        done_on = jalali(clock.day_of(row["done_at"]))
        raise Conflict("follow_up_already_done", follow_up_id=follow_up_id, done_on=done_on, field="id")
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE follow_up SET done_at = %s, outcome = %s WHERE id = %s", (clock.now(), text, follow_up_id)
        )
    inbox.follow_up_done(conn, follow_up_id)
    done = list_follow_ups(conn, user=user, activity_id=row["activity_id"])
    return next(item for item in done if item["id"] == follow_up_id)
