"""The four stages of a spot: transitions, their guards (role, neighbourhood, stage, version) and their
events.

Every write locks the spot row, checks the version the caller read (optimistic locking: a stale write is a
Conflict and changes nothing), and appends one event to the spot's history. Functions never commit.
"""

import json
from dataclasses import dataclass
from datetime import date

from gis import access, clock
from gis.access import Scope
from gis.db import Conn, one_row
from gis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gis.intake.field import check_audit
from gis.programme import inbox
from gis.spots import record_event, record_transition
from gis.users import User
from gis.vocabulary import LOCATED, NOTE_VISIBILITY, TIMES_OF_DAY

REJECT_REASONS = ("not_unsafe", "duplicate")
# The access-table action each status an action may be set to needs: its agency works it, staff cancel it.
STATUS_ACTIONS = {"in_progress": "action.progress", "done": "action.progress", "cancelled": "action.cancel"}
MAX_PHOTOS = 20


@dataclass(frozen=True)
class SpotState:
    """The locked spot row: what the guards look at."""

    id: int
    stage: int
    status: str
    version: int
    area_id: int | None
    category: str


def _text(field: str, value: str | None, *, required: bool, max_length: int = 4000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field, "required")
    if len(text) > max_length:
        raise InvalidInput(field, "at_most_n_characters", limit=max_length)
    return text


def _past(field: str, day: date | None) -> date:
    if day is None:
        raise InvalidInput(field, "date_required")
    if day > clock.today():
        raise InvalidInput(field, "cannot_future")
    return day


def _photos(photos: list[str] | None) -> list[str]:
    names = [p.strip() for p in photos or () if p and p.strip()]
    if len(names) > MAX_PHOTOS or any(len(p) > 300 for p in names):
        raise InvalidInput("photos", "at_most_photo_references_up", max_photos=MAX_PHOTOS)
    return names


def _lock(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    check_version: bool = True,
    stages: tuple[int, ...] = (),
) -> SpotState:
    """Lock the spot, then check the user's neighbourhood, the version they read and (`stages`) that the
    step is the spot's next one."""
    row = one_row(
        conn,
        "SELECT id, stage, status, version, area_id, category FROM spot WHERE id = %s FOR UPDATE",
        (spot_id,),
        NotFound("spot_does_exist", spot_id=spot_id, field="spot"),
    )
    spot = SpotState(*row)
    if not user.covers_area(spot.area_id):  # a spot elsewhere answers as one that does not exist
        raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")
    if check_version or version is not None:
        if version is None:
            raise InvalidInput("version", "send_version_you_read_if")
        if version != spot.version:
            raise Conflict(
                "spot_changed_reload",
                spot_id=spot_id,
                version=version,
                current=spot.version,
                field="version",
            )
    if stages:
        _require(spot, *stages)
    return spot


def _require(spot: SpotState, *stages: int, statuses: tuple[str, ...] = ("open",)) -> None:
    """Stage guard: no skipping, no writes to closed spots."""
    if spot.status not in statuses:
        raise Conflict("spot_in_status", spot_id=spot.id, status=spot.status, field="status")
    if spot.stage not in stages:
        wanted = " or ".join(str(s) for s in stages)
        raise Conflict(
            "spot_at_stage_this_step", spot_id=spot.id, stage=spot.stage, wanted=wanted, field="stage"
        )


def _move(
    cur, spot: SpotState, *, stage: int | None = None, status: str | None = None, category: str | None = None
) -> int:
    cur.execute(
        """
        UPDATE spot SET stage = coalesce(%s, stage), status = coalesce(%s, status),
                        category = coalesce(%s, category), version = version + 1, updated_at = now()
        WHERE id = %s RETURNING version
        """,
        (stage, status, category, spot.id),
    )
    return cur.fetchone()[0]


def verify(
    conn: Conn, *, user: User, spot_id: int, version: int | None, category: str | None = None, note: str = ""
) -> int:
    """Stage 1 → 2: the GIS office confirms location and category (correcting the category if needed)."""
    user.require("spot.verify")
    note = _text("note", note, required=False)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(1,))
    with conn.cursor() as cur:
        cur.execute("SELECT location_precision FROM spot WHERE id = %s", (spot.id,))
        if cur.fetchone()[0] not in LOCATED:  # an address is not a place on the map until someone puts it
            raise Conflict("place_before_verify", spot_id=spot.id, field="location")
        if category:
            cur.execute("SELECT 1 FROM category WHERE code = %s", (category,))
            if cur.fetchone() is None:
                raise InvalidInput("category", "unknown_category", category=category)
        new_version = _move(cur, spot, stage=2, category=category)
        record_transition(
            cur,
            spot.id,
            user,
            "verified",
            1,
            2,
            note,
            category={"from": spot.category, "to": category or spot.category},
        )
    return new_version


def reject(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    reason: str,
    note: str,
    duplicate_of: int | None = None,
) -> int:
    """Stage 1 or 2: the GIS office rejects a spot as not unsafe, or as a duplicate of another, with a
    reason."""
    user.require("spot.reject")
    if reason not in REJECT_REASONS:
        raise InvalidInput("reason", "one_of", choices=", ".join(REJECT_REASONS))
    note = _text("note", note, required=True)
    if (reason == "duplicate") != (duplicate_of is not None):
        raise InvalidInput("duplicate_of", "name_spot_duplicates_only_for")
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(1, 2))
    with conn.cursor() as cur:
        if duplicate_of is not None:
            cur.execute(
                "SELECT st.is_open FROM spot s JOIN spot_status st ON st.code = s.status "
                "WHERE s.id = %s AND s.id <> %s",
                (duplicate_of, spot.id),
            )
            row = cur.fetchone()
            if row is None or not row[0]:
                raise InvalidInput("duplicate_of", "spot_another_open_spot", duplicate_of=duplicate_of)
        new_version = _move(cur, spot, status="rejected")
        record_event(
            cur, spot.id, user, "rejected", note, reason=reason, duplicate_of=duplicate_of, stage=spot.stage
        )
    return new_version


def start_remediation(conn: Conn, *, user: User, spot_id: int, version: int | None, note: str = "") -> int:
    """Stage 2 → 3: the mapped spot goes to the working group for a site visit and fixes."""
    user.require("spot.remediate")
    note = _text("note", note, required=False)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(2,))
    with conn.cursor() as cur:
        new_version = _move(cur, spot, stage=3)
        record_transition(cur, spot.id, user, "remediation_started", 2, 3, note)
    return new_version


def record_visit(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    visited_on: date | None,
    findings: str,
    photos: list[str] | None = None,
    audit: dict | None = None,
    time_of_day: str | None = None,
) -> int:
    """Stage 3: a site visit (date, time of day, findings, photos, safety audit) by a facilitator of the area
    or staff; a partial audit is kept as it is (see gis.intake.field.check_audit)."""
    user.require("spot.visit")
    findings = _text("findings", findings, required=True)
    visited_on, photos, audit, time_of_day = (
        _past("visited_on", visited_on),
        _photos(photos),
        check_audit(audit, required=False),
        _time_of_day(time_of_day),
    )
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(3,))
    visit = {"visited_on": visited_on, "time_of_day": time_of_day, "photos": photos, "audit": audit}
    with conn.cursor() as cur:
        visit_id = _add_visit(cur, spot, user, "visit", findings, visit)
        new_version = _move(cur, spot)
        record_event(cur, spot.id, user, "site_visit", findings, visit_id=visit_id, **visit)
    return new_version


def _add_visit(cur, spot: SpotState, user: User, purpose: str, findings: str, visit: dict) -> int:
    """Store a site visit or re-audit (`visit`: visited_on, time_of_day, photos, audit); its id."""
    cur.execute(
        "INSERT INTO site_visit (spot_id, purpose, visited_on, time_of_day, findings, photos, audit,"
        " created_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            spot.id,
            purpose,
            visit["visited_on"],
            visit["time_of_day"],
            findings,
            visit["photos"],
            json.dumps(visit["audit"]) if visit["audit"] else None,
            user.id,
        ),
    )
    return cur.fetchone()[0]


def assign_action(
    conn: Conn, *, user: User, spot_id: int, version: int | None, agency: str, what: str, due_on: date | None
) -> int:
    """Stage 3: give one agency one job with a deadline; a spot may have several agencies at once."""
    user.require("action.assign")
    what = _text("what", what, required=True, max_length=1000)
    if due_on is None:
        raise InvalidInput("due_on", "due_date_required")
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(3,))
    with conn.cursor() as cur:
        cur.execute("SELECT id, active FROM agency WHERE code = %s", (agency,))
        row = cur.fetchone()
        if row is None or not row[1]:
            raise InvalidInput("agency", "active_agency", agency=agency)
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on, assigned_by)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (spot.id, row[0], what, due_on, user.id),
        )
        action_id = cur.fetchone()[0]
        new_version = _move(cur, spot)
        record_event(
            cur, spot.id, user, "action_assigned", what, action_id=action_id, agency=agency, due_on=due_on
        )
    inbox.action_assigned(conn, action_id)
    return new_version


def update_action(
    conn: Conn, *, user: User, action_id: int, version: int | None, status: str, note: str
) -> tuple[int, int]:
    """An agency marks its own action in progress or done (with a note); staff cancel. Returns (spot,
    version)."""
    user.require(*STATUS_ACTIONS.values())
    if status not in STATUS_ACTIONS:
        raise InvalidInput("status", "one_of", choices=", ".join(STATUS_ACTIONS))
    if not access.may(user.role, STATUS_ACTIONS[status]):
        allowed = [name for name, action in STATUS_ACTIONS.items() if access.may(user.role, action)]
        raise Forbidden("user_may_set_action", role=user.role, allowed=" or ".join(allowed), field="status")
    note = _text("note", note, required=True)
    spot_id, agency_id, current, action_version, agency, is_open = one_row(
        conn,
        "SELECT a.spot_id, a.agency_id, a.status, a.version, g.code, st.is_open FROM spot_action a"
        " JOIN agency g ON g.id = a.agency_id JOIN action_status st ON st.code = a.status WHERE a.id = %s",
        (action_id,),
        NotFound("action_does_exist", action_id=action_id, field="action"),
    )
    if access.scope_of(user.role, STATUS_ACTIONS[status]) is Scope.AGENCY and user.agency_id != agency_id:
        # another agency's action answers as one that does not exist: its id tells nothing
        raise NotFound("action_does_exist", action_id=action_id, field="action")
    spot = _lock(conn, user=user, spot_id=spot_id, version=None, check_version=False)
    if version is None:
        raise InvalidInput("version", "send_action_s_version_if")
    if version != action_version:
        raise Conflict(
            "action_changed_since_you_read",
            action_id=action_id,
            version=version,
            action_version=action_version,
            field="version",
        )
    _require(spot, 3)
    if not is_open or current == status:
        raise Conflict("action_already", action_id=action_id, current=current, field="status")
    with conn.cursor() as cur:
        cur.execute(
            """
            UPDATE spot_action SET status = %s, outcome = %s, version = version + 1, updated_at = now(),
                                   done_at = CASE WHEN %s = 'done' THEN now() END
            WHERE id = %s RETURNING version
            """,
            (status, note, status, action_id),
        )
        new_version = cur.fetchone()[0]
        _move(cur, spot)
        record_event(
            cur,
            spot.id,
            user,
            "action_updated",
            note,
            action_id=action_id,
            agency=agency,
            status={"from": current, "to": status},
        )
    return spot.id, new_version


def add_note(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    note: str,
    agencies: list[str] | None = None,
    visibility: str = "staff",
) -> None:
    """Stage 3: an inter-agency coordination note; it changes no state, so the version is optional. Only a
    note marked 'public' reaches the public's history of the spot."""
    user.require("spot.note")
    if visibility not in NOTE_VISIBILITY:
        raise InvalidInput("visibility", "one_of", choices=", ".join(NOTE_VISIBILITY))
    note = _text("note", note, required=True)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, check_version=False, stages=(3,))
    with conn.cursor() as cur:
        if access.scope_of(user.role, "spot.note") is Scope.AGENCY:
            cur.execute(
                "SELECT 1 FROM spot_action WHERE spot_id = %s AND agency_id = %s", (spot.id, user.agency_id)
            )
            if cur.fetchone() is None:
                raise Forbidden("your_agency_has_action_on", field="agency")
        codes = sorted(set(agencies or ()))
        cur.execute("SELECT code FROM agency WHERE code = ANY(%s)", (codes,))
        unknown = sorted(set(codes) - {r[0] for r in cur.fetchall()})
        if unknown:
            raise InvalidInput("agencies", "unknown_agencies", unknown=", ".join(unknown))
        record_event(cur, spot.id, user, "coordination_note", note, visibility=visibility, agencies=codes)


def evaluate(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    visited_on: date | None,
    audit: dict | None,
    findings: str = "",
    photos: list[str] | None = None,
    time_of_day: str | None = None,
) -> int:
    """Stage 3 → 4: the re-audit, once every action is done (or cancelled) and at least one is done."""
    user.require("spot.evaluate")
    audit, time_of_day = check_audit(audit, required=True), _time_of_day(time_of_day)
    findings = _text("findings", findings, required=False)
    visited_on, photos = _past("visited_on", visited_on), _photos(photos)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(3,))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE st.is_open), count(*) FILTER (WHERE a.status = 'done')"
            " FROM spot_action a JOIN action_status st ON st.code = a.status WHERE a.spot_id = %s",
            (spot.id,),
        )
        still_open, done = cur.fetchone()
        if still_open:
            raise Conflict("action_s_are_still_open", still_open=still_open, field="actions")
        if not done:
            raise Conflict("action_has_been_done_yet", field="actions")
        visit = {"visited_on": visited_on, "time_of_day": time_of_day, "photos": photos, "audit": audit}
        visit_id = _add_visit(cur, spot, user, "re_audit", findings, visit)
        # The first audit is a visit's (or the reports'), never a re-audit: this one does not count in it.
        cur.execute(
            "SELECT safety_audit_mean(spot_audit_before(%s)), safety_audit_mean(%s::jsonb)",
            (spot.id, json.dumps(audit)),
        )
        before, after = cur.fetchone()
        new_version = _move(cur, spot, stage=4)
        del visit["photos"]
        record_transition(
            cur,
            spot.id,
            user,
            "evaluated",
            3,
            4,
            findings,
            visit_id=visit_id,
            before=before,
            after=after,
            **visit,
        )
    return new_version


def _time_of_day(value: str | None) -> str | None:
    """The time of the audit: day, evening or night (None where it was not noted)."""
    if value in (None, ""):
        return None
    if value not in TIMES_OF_DAY:
        raise InvalidInput("time_of_day", "day_evening_night")
    return value


def close(conn: Conn, *, user: User, spot_id: int, version: int | None, reason: str) -> int:
    """Stage 4: the deputy closes the spot as resolved, with a reason, when the re-audit shows an
    improvement at the same time of day as the first audit (a place fixed by day may still be unsafe at
    night)."""
    user.require("spot.close")
    reason = _text("reason", reason, required=True)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version, stages=(4,))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT safety_audit_mean(spot_audit_before(%s)), safety_audit_mean(spot_audit_after(%s)),"
            " spot_audit_time_before(%s), spot_audit_time_after(%s)",
            (spot.id, spot.id, spot.id, spot.id),
        )
        before, after, time_before, time_after = cur.fetchone()
        if after is None:
            raise Conflict("there_re_audit_evidence_needed", field="audit")
        if time_before and time_after != time_before:
            raise Conflict(
                "re_audit_same_time_of_day",
                first=f"{TIMES_OF_DAY[time_before][0]} ({time_before})",
                field="time_of_day",
            )
        if before is not None and after <= before:
            raise Conflict(
                "re_audit_shows_improvement_before",
                before=before,
                after=after,
                field="audit",
            )
        new_version = _move(cur, spot, status="resolved")
        record_event(cur, spot.id, user, "resolved", reason, before=before, after=after)
    return new_version


def reopen(conn: Conn, *, user: User, spot_id: int, version: int | None, reason: str) -> int:
    """Stage 4 → 3: the deputy sends a spot (evaluated or already resolved) back to remediation."""
    user.require("spot.reopen")
    reason = _text("reason", reason, required=True)
    spot = _lock(conn, user=user, spot_id=spot_id, version=version)
    _require(spot, 4, statuses=("open", "resolved"))
    with conn.cursor() as cur:
        new_version = _move(cur, spot, stage=3, status="open")
        record_transition(cur, spot.id, user, "reopened", 4, 3, reason, was=spot.status)
    return new_version


WORKFLOW_SQL = """
    SELECT json_build_object(
        'id', s.id, 'title', s.title, 'category', s.category, 'stage', s.stage, 'status', s.status,
        'merged_into', s.merged_into, 'version', s.version,
        'area_code', a.code, 'area_fa', a.name_fa, 'area_en', a.name_en,
        'audit_before', spot_audit_before(s.id), 'audit_after', spot_audit_after(s.id),
        'visits', (SELECT coalesce(json_agg(json_build_object(
                       'id', v.id, 'purpose', v.purpose, 'visited_on', v.visited_on,
                       'time_of_day', v.time_of_day, 'findings', v.findings,
                       'photos', v.photos, 'audit', v.audit,
                       'audit_mean', round(safety_audit_mean(v.audit), 2))
                       ORDER BY v.visited_on, v.id), '[]')
                   FROM site_visit v WHERE v.spot_id = s.id),
        'actions', (SELECT coalesce(json_agg(json_build_object(
                        'id', x.id, 'agency', g.code, 'agency_fa', g.name_fa, 'agency_en', g.name_en,
                        'what', x.what, 'due_on', x.due_on, 'status', x.status, 'is_open', xs.is_open,
                        'overdue', xs.is_open AND x.due_on < %(today)s::date,
                        'outcome', x.outcome, 'version', x.version, 'assigned_at', x.assigned_at,
                        'done_at', x.done_at) ORDER BY x.id), '[]')
                    FROM spot_action x JOIN agency g ON g.id = x.agency_id
                    JOIN action_status xs ON xs.code = x.status WHERE x.spot_id = s.id),
        'events', (SELECT coalesce(json_agg(json_build_object(
                       'id', e.id, 'kind', e.kind, 'at', e.at,
                       'actor', CASE WHEN %(personal)s THEN e.actor_name END,
                       'note', e.note, 'payload', e.payload) ORDER BY e.at, e.id), '[]')
                   FROM spot_event e WHERE e.spot_id = s.id))::text, s.version
    FROM spot s LEFT JOIN area a ON a.id = s.area_id
    WHERE s.id = %(id)s
"""


def check_readable(conn: Conn, *, user: User, spot_id: int) -> None:
    """Not found unless the user may read the spot's file: in their neighbourhoods, or (an agency) one of
    its actions is on it; a spot elsewhere answers exactly like one that does not exist."""
    with conn.cursor() as cur:
        cur.execute("SELECT area_id FROM spot WHERE id = %s", (spot_id,))
        row = cur.fetchone()
        if row is None or not user.covers_area(row[0]):
            raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")
        if access.scope_of(user.role, "spot.read") is Scope.AGENCY:
            cur.execute(
                "SELECT 1 FROM spot_action WHERE spot_id = %s AND agency_id = %s", (spot_id, user.agency_id)
            )
            if cur.fetchone() is None:
                raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")


def spot_workflow(conn: Conn, *, user: User, spot_id: int) -> tuple[str, int]:
    """A spot's workflow file as JSON text (visits, actions, audits, full read-only history) and its
    version."""
    check_readable(conn, user=user, spot_id=spot_id)
    with conn.cursor() as cur:
        cur.execute(
            WORKFLOW_SQL,
            {"id": spot_id, "personal": access.may(user.role, "spot.read_actors"), "today": clock.today()},
        )
        return cur.fetchone()


def list_actions(
    conn: Conn, *, user: User, agency: str | None = None, status: str | None = None, overdue: bool = False
) -> list[dict]:
    """Actions across spots; an agency user sees only its own, a facilitator those in their neighbourhoods."""
    user.require("action.read")
    scope = access.scope_of(user.role, "action.read")
    if scope is Scope.AGENCY:
        agency_id = user.agency_id
    else:
        agency_id = None
        if agency:
            with conn.cursor() as cur:
                cur.execute("SELECT id FROM agency WHERE code = %s", (agency,))
                row = cur.fetchone()
            if row is None:
                raise InvalidInput("agency", "unknown_agency", agency=agency)
            agency_id = row[0]
    if status is not None and status not in ("assigned", "in_progress", "done", "cancelled"):
        raise InvalidInput("status", "assigned_progress_done_cancelled")
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT x.id, x.spot_id, s.title, s.stage, s.version, a.code, g.code, g.name_fa, g.name_en, x.what,
                   x.due_on, x.status, xs.is_open AND x.due_on < %(today)s::date,
                   x.outcome, x.version
            FROM spot_action x JOIN agency g ON g.id = x.agency_id JOIN action_status xs ON xs.code = x.status
            JOIN spot s ON s.id = x.spot_id LEFT JOIN area a ON a.id = s.area_id
            WHERE (%(agency)s::int IS NULL OR x.agency_id = %(agency)s)
              AND (%(status)s::text IS NULL OR x.status = %(status)s)
              AND (NOT %(overdue)s OR (xs.is_open AND x.due_on < %(today)s::date))
              AND (%(areas)s::int[] IS NULL OR s.area_id = ANY(%(areas)s))
            ORDER BY x.due_on, x.id
            """,
            {
                "agency": agency_id,
                "status": status,
                "overdue": overdue,
                "today": clock.today(),
                "areas": list(user.area_ids) if scope is Scope.AREAS else None,
            },
        )
        keys = (
            "id",
            "spot_id",
            "spot_title",
            "spot_stage",
            "spot_version",
            "area_code",
            "agency",
            "agency_fa",
            "agency_en",
            "what",
            "due_on",
            "status",
            "overdue",
            "outcome",
            "version",
        )
        return [dict(zip(keys, row)) for row in cur.fetchall()]
