"""Programme tracking: working-group meetings, trainings in neighbourhood houses, the programme's phases."""

import json
from datetime import date

from gis import clock
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput, NotFound
from gis.lang import jalali, normalise_persian
from gis.places.areas import area_id_by_code
from gis.users import User

ACTIVITY_KINDS = ("meeting", "training")


def _clean(field: str, value: str | None, *, required: bool = False, max_length: int = 4000) -> str:
    text = normalise_persian((value or "").strip())
    if required and not text:
        raise InvalidInput(field, "required")
    if len(text) > max_length:
        raise InvalidInput(field, "at_most_n_characters", limit=max_length)
    return text


def _attendees(attendees: dict | None) -> dict[str, int]:
    """Attendance by body ({"traffic": 2, "police": 1}): whole numbers, none negative."""
    result = {}
    for body, count in (attendees or {}).items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0 or not str(body).strip():
            raise InvalidInput(f"attendees.{body}", "body_s_name_with_whole")
        result[normalise_persian(str(body).strip())] = count
    return result


def add_activity(
    conn: Conn,
    *,
    user: User,
    kind: str,
    held_on: date | None,
    title: str,
    area: str | None = None,
    place: str = "",
    facilitator: str = "",
    attendance: int | None = None,
    attendees: dict | None = None,
    decisions: str = "",
) -> dict:
    """The deputy logs a meeting (attendees by body, decisions) or training (house, facilitator, turnout)."""
    user.require("programme.manage")
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput("kind", "one_of", choices=", ".join(ACTIVITY_KINDS))
    if held_on is None:
        raise InvalidInput("held_on", "date_required")
    people = _attendees(attendees)
    if attendance is None and people:
        attendance = sum(people.values())
    if attendance is not None and attendance < 0:
        raise InvalidInput("attendance", "cannot_negative")
    area_id = area_id_by_code(conn, area) if area else None
    if kind == "training" and area_id is None:
        raise InvalidInput("area", "training_held_neighbourhood_house_give")
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO programme_activity (kind, held_on, title, area_id, place, facilitator, attendance,
                                            attendees, decisions, created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
            """,
            (
                kind,
                held_on,
                _clean("title", title, required=True, max_length=300),
                area_id,
                _clean("place", place, max_length=300),
                _clean("facilitator", facilitator, max_length=200),
                attendance,
                json.dumps(people, ensure_ascii=False),
                _clean("decisions", decisions),
                user.id,
            ),
        )
        activity_id = cur.fetchone()[0]
    return next(a for a in list_activities(conn) if a["id"] == activity_id)


def list_activities(
    conn: Conn, *, since: date | None = None, until: date | None = None, area: str | None = None
) -> list[dict]:
    """Activities in a period (and neighbourhood), oldest first, with Jalali dates."""
    area_id = area_id_by_code(conn, area) if area else None
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            SELECT p.id, p.kind, k.label_fa AS kind_fa, k.label_en AS kind_en, p.held_on, p.title,
                   a.code AS area_code, a.name_fa AS area_fa, a.name_en AS area_en, p.place, p.facilitator,
                   p.attendance, p.attendees, p.decisions
            FROM programme_activity p JOIN activity_kind k ON k.code = p.kind
            LEFT JOIN area a ON a.id = p.area_id
            WHERE (%(since)s::date IS NULL OR p.held_on >= %(since)s)
              AND (%(until)s::date IS NULL OR p.held_on <= %(until)s)
              AND (%(area)s::int IS NULL OR p.area_id = %(area)s)
            ORDER BY p.held_on, p.id
            """,
            {"since": since, "until": until, "area": area_id},
        )
        return [{**row, "held_on_jalali": jalali(row["held_on"])} for row in cur.fetchall()]


def add_phase(
    conn: Conn,
    *,
    user: User,
    name_fa: str,
    planned_start: date | None,
    planned_end: date | None,
    name_en: str = "",
    stage: int | None = None,
    actual_start: date | None = None,
    actual_end: date | None = None,
) -> dict:
    """The deputy plans a phase of the programme (e.g. identification, Azar to mid-Esfand 1399)."""
    user.require("programme.manage")
    if planned_start is None or planned_end is None:
        raise InvalidInput("planned_start" if planned_start is None else "planned_end", "date_missing")
    if stage is not None and stage not in (1, 2, 3, 4):
        raise InvalidInput("stage", "stage_1_to_4")
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO programme_phase (name_fa, name_en, stage, planned_start, planned_end, actual_start,
                                         actual_end)
            VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id
            """,
            (
                _clean("name_fa", name_fa, required=True, max_length=200),
                _clean("name_en", name_en, max_length=200),
                stage,
                planned_start,
                planned_end,
                actual_start,
                actual_end,
            ),
        )
        phase_id = cur.fetchone()[0]
    return next(p for p in list_phases(conn) if p["id"] == phase_id)


def set_phase_dates(
    conn: Conn, *, user: User, phase_id: int, actual_start: date | None, actual_end: date | None
) -> dict:
    """The deputy records when a phase really started and ended."""
    user.require("programme.manage")
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE programme_phase SET actual_start = %s, actual_end = %s WHERE id = %s RETURNING id",
            (actual_start, actual_end, phase_id),
        )
        if cur.fetchone() is None:
            raise NotFound("no_such_phase", phase_id=phase_id, field="phase")
    return next(p for p in list_phases(conn) if p["id"] == phase_id)


def list_phases(conn: Conn) -> list[dict]:
    """Phases in planned order with planned and actual dates (ISO and Jalali) and the days of slip, the one
    definition the dashboard and the council report show: days it ended after its plan (negative: early), or,
    not ended and past its planned end, the days it is late today (Tehran's); none while it is on time."""
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            SELECT id, name_fa, name_en, stage, planned_start, planned_end, actual_start, actual_end,
                   coalesce(actual_end, CASE WHEN %(today)s > planned_end THEN %(today)s::date END)
                     - planned_end AS slip_days
            FROM programme_phase ORDER BY planned_start, id
            """,
            {"today": clock.today()},
        )
        rows = cur.fetchall()
    dates = ("planned_start", "planned_end", "actual_start", "actual_end")
    return [{**row, **{f"{k}_jalali": jalali(row[k]) for k in dates}} for row in rows]
