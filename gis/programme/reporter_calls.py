"""The reporter's follow-up question: four weeks after a spot closes, the staff call the people who reported
it ("is the place safer now?") and record the answer, which the evaluation counts. Contacts are staff-only
(report.contact): they are read here and never reach any public view."""

from datetime import date, timedelta

from gis import clock
from gis.db import Conn, dict_cursor, one_value
from gis.errors import Conflict, InvalidInput, NotFound
from gis.lang import normalise_persian
from gis.users import User

WAIT_DAYS = 28
ANSWERS = ("safer", "same", "less_safe", "not_reached")

CLOSED = """
    SELECT s.id AS spot_id, s.title, max(e.at) AS closed_at
    FROM spot s JOIN spot_event e ON e.spot_id = s.id AND e.kind = 'resolved'
    WHERE s.status = 'resolved'
    GROUP BY s.id
"""


def due_calls(conn: Conn, *, user: User) -> list[dict]:
    """Reporters with a way to reach them whose spot closed four weeks ago or more and who were not asked."""
    user.require("report.contact")
    with dict_cursor(conn) as cur:
        cur.execute(
            f"""
            WITH closed AS ({CLOSED})
            SELECT c.spot_id, c.title, c.closed_at, r.id AS report_id, r.source, r.reported_at,
                   k.name, k.phone, k.email
            FROM closed c JOIN report r ON r.spot_id = c.spot_id
            JOIN report_contact k ON k.report_id = r.id AND (k.phone <> '' OR k.email <> '')
            WHERE c.closed_at < (%(due)s::date)::timestamp AT TIME ZONE %(tz)s
              AND NOT EXISTS (SELECT 1 FROM reporter_follow_up f WHERE f.report_id = r.id)
            ORDER BY c.closed_at, r.id
            """,
            {"due": clock.today() - timedelta(days=WAIT_DAYS - 1), "tz": clock.zone_name()},
        )
        return cur.fetchall()


def record_answer(conn: Conn, *, user: User, report_id: int, answer: str, note: str = "") -> dict:
    """Record a reporter's answer once (not reached counts too: the evaluation shows how many were asked)."""
    user.require("report.contact")
    if answer not in ANSWERS:
        raise InvalidInput("answer", "one_of", choices=", ".join(ANSWERS))
    spot_id = one_value(
        conn,
        "SELECT r.spot_id FROM report r JOIN spot s ON s.id = r.spot_id"
        " WHERE r.id = %s AND s.status = 'resolved'",
        (report_id,),
        NotFound("no_closed_report", report_id=report_id, field="report_id"),
    )
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO reporter_follow_up (report_id, spot_id, answer, note, recorded_by)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (report_id) DO NOTHING RETURNING id",
            (report_id, spot_id, answer, normalise_persian((note or "").strip())[:2000], user.id),
        )
        if cur.fetchone() is None:
            raise Conflict("reporter_already_answered", report_id=report_id, field="report_id")
    return {"report_id": report_id, "spot_id": spot_id, "answer": answer}


def answer_counts(conn: Conn, *, since: date | None = None, until: date | None = None) -> dict[str, int]:
    """How many reporters gave each answer (recorded in the period, or ever): the evaluation's figure."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT answer, count(*) FROM reporter_follow_up
            WHERE (%(since)s::date IS NULL OR (recorded_at AT TIME ZONE %(tz)s)::date >= %(since)s)
              AND (%(until)s::date IS NULL OR (recorded_at AT TIME ZONE %(tz)s)::date <= %(until)s)
            GROUP BY answer
            """,
            {"since": since, "until": until, "tz": clock.zone_name()},
        )
        found = dict(cur.fetchall())
    return {answer: found.get(answer, 0) for answer in ANSWERS}
