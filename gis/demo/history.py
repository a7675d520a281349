"""Demo data for stages 3 and 4 and for the programme: visits, agency actions, re-audits, activities, phases.

It fills in what the demo spots' stage history implies (a spot in stage 4 was visited, fixed and re-audited),
with real 1399 dates for the programme. Idempotent: it adds nothing once site visits exist.
"""

import hashlib
import json
import random
from datetime import timedelta
from pathlib import Path

import jdatetime

from gis import clock
from gis.db import Conn
from gis.demo.photos import street_photo
from gis.errors import read_catalogue
from gis.vocabulary import AUDIT_KEYS

SEED = 1399
# The demo's tables are data in history.toml next to this module, read in the order written there.
_DATA = read_catalogue(Path(__file__).with_name("history.toml"))
# The agencies a category's spot is given actions for, and what each agency is asked to do.
AGENCIES: dict[str, tuple[str, ...]] = {code: tuple(agencies) for code, agencies in _DATA["agencies"].items()}
JOBS: dict[str, str] = _DATA["jobs"]


def _rows(tables: list[dict], names: tuple[str, ...]) -> tuple[tuple, ...]:
    """The tables as tuples of their `names`' values, in order; a name a table leaves out is None (TOML has
    no null)."""
    return tuple(tuple(table.get(name) for name in names) for table in tables)


def _day(text: str):
    year, month, day = (int(p) for p in text.split("/"))
    return jdatetime.date(year, month, day).togregorian()


PHASES = _rows(
    _DATA["phases"],
    ("name_fa", "name_en", "stage", "planned_start", "planned_end", "actual_start", "actual_end"),
)
MEETINGS = _rows(_DATA["meetings"], ("held_on", "title", "attendees", "decisions"))
HOUSES = _rows(
    _DATA["houses"],
    ("area", "house", "facilitator", "trained_on", "attendance", "met_on", "participants", "women"),
)


def load_demo_workflow(conn: Conn) -> None:
    """Give the demo's stage-3 and 4 spots visits, actions and re-audits, and the programme its 1399
    record."""
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM site_visit) OR EXISTS (SELECT 1 FROM programme_phase)")
        if cur.fetchone()[0]:
            return
        _spots(cur, random.Random(SEED))
        _programme(cur)


def _spots(cur, rng: random.Random) -> None:
    cur.execute(
        """
        SELECT s.id, s.category, s.stage, s.status,
               min(t.at) FILTER (WHERE t.to_stage = 3), min(t.at) FILTER (WHERE t.to_stage = 4)
        FROM spot s JOIN spot_transition t ON t.spot_id = s.id
        WHERE s.stage >= 3 AND s.status IN ('open', 'resolved')
        GROUP BY s.id ORDER BY s.id
        """
    )
    for number, (spot_id, category, stage, status, entered_3, entered_4) in enumerate(cur.fetchall()):
        visited = entered_3 + timedelta(days=2)
        before = {k: rng.choice((0, 0, 1, 1, 2)) for k in AUDIT_KEYS}
        # Its own generator, so the demo's other figures stay as they were before visits had a time of day.
        time_of_day = random.Random(SEED + spot_id).choice(("night", "night", "evening", "day"))
        visit_id = _visit(
            cur,
            spot_id,
            "visit",
            visited,
            before,
            "بازدید میدانی کارگروه: مسیر تاریک و خلوت است",
            [f"demo/spot-{spot_id}-visit.jpg"],
            time_of_day,
        )
        if stage == 4:
            _photo(cur, visit_id, spot_id, lit=False)
        for index, agency in enumerate(AGENCIES[category]):
            due = visited + timedelta(days=rng.randrange(14, 60))
            if stage == 4:
                state, changed = "done", entered_4 - timedelta(days=1 + index)
            else:
                state = ("done", "in_progress", "assigned")[(number + index) % 3]
                changed = visited + timedelta(days=rng.randrange(3, 12))
                if state != "done" and number % 2:
                    due = max(due, clock.now() + timedelta(days=rng.randrange(10, 40)))
            _action(cur, spot_id, agency, visited, due, state, changed)
        if stage == 4:
            improved = status == "resolved" or number % 3 != 0
            after = {
                k: min(3, v + rng.choice((1, 2))) if improved else max(0, v - rng.choice((0, 1)))
                for k, v in before.items()
            }
            re_audit = _visit(
                cur, spot_id, "re_audit", entered_4, after, "بازارزیابی با زنان ساکن محل", [], time_of_day
            )
            _photo(cur, re_audit, spot_id, lit=improved)


def _photo(cur, visit_id: int, spot_id: int, *, lit: bool) -> None:
    """A drawn photo of the place (dark before the fix, lit after it), as evidence on the spot page."""
    data = street_photo(lit=lit, seed=spot_id)
    cur.execute(
        "INSERT INTO visit_photo (uuid, visit_id, content_type, bytes, sha256)"
        " VALUES (gen_random_uuid(), %s, 'image/jpeg', %s, %s)",
        (visit_id, data, hashlib.sha256(data).hexdigest()),
    )


def _visit(
    cur, spot_id: int, purpose: str, at, audit: dict, findings: str, photos: list[str], time_of_day: str
) -> int:
    cur.execute(
        "INSERT INTO site_visit (spot_id, purpose, visited_on, time_of_day, findings, photos, audit,"
        " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, visited_on",
        (spot_id, purpose, clock.day_of(at), time_of_day, findings, photos, json.dumps(audit), at),
    )
    visit_id, visited_on = cur.fetchone()
    if purpose == "visit":
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, actor_name, at, note, payload)"
            " VALUES (%s, 'site_visit', 'demo', %s, %s, %s)",
            (
                spot_id,
                at,
                findings,
                json.dumps(
                    {"visit_id": visit_id, "visited_on": str(visited_on), "photos": photos, "audit": audit}
                ),
            ),
        )
    return visit_id


def _action(cur, spot_id: int, agency: str, assigned, due, state: str, changed) -> None:
    cur.execute(
        """
        INSERT INTO spot_action (spot_id, agency_id, what, due_on, status, outcome, version, assigned_at,
                                 done_at, updated_at)
        SELECT %(spot)s, id, %(what)s, %(due)s::date, %(state)s,
               CASE %(state)s WHEN 'done' THEN 'انجام شد' WHEN 'in_progress' THEN 'در دست اجرا' ELSE '' END,
               CASE %(state)s WHEN 'assigned' THEN 1 ELSE 2 END, %(assigned)s,
               CASE %(state)s WHEN 'done' THEN %(changed)s::timestamptz END,
               CASE %(state)s WHEN 'assigned' THEN %(assigned)s ELSE %(changed)s END
        FROM agency WHERE code = %(agency)s RETURNING id, due_on
        """,
        {
            "spot": spot_id,
            "what": JOBS[agency],
            "due": clock.day_of(due),
            "state": state,
            "assigned": assigned,
            "changed": changed,
            "agency": agency,
        },
    )
    action_id, due_on = cur.fetchone()
    cur.execute(
        "INSERT INTO spot_event (spot_id, kind, actor_name, at, note, payload)"
        " VALUES (%s, 'action_assigned', 'demo', %s, %s, %s)",
        (
            spot_id,
            assigned,
            JOBS[agency],
            json.dumps({"action_id": action_id, "agency": agency, "due_on": str(due_on)}),
        ),
    )
    if state != "assigned":
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, actor_name, at, note, payload)"
            " VALUES (%s, 'action_updated', 'demo', %s, %s, %s)",
            (
                spot_id,
                changed,
                "انجام شد" if state == "done" else "در دست اجرا",
                json.dumps(
                    {"action_id": action_id, "agency": agency, "status": {"from": "assigned", "to": state}}
                ),
            ),
        )


def _programme(cur) -> None:
    for name_fa, name_en, stage, *dates in PHASES:
        cur.execute(
            "INSERT INTO programme_phase (name_fa, name_en, stage, planned_start, planned_end, actual_start,"
            " actual_end) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (name_fa, name_en, stage, *(_day(d) if d else None for d in dates)),
        )
    for held_on, title, attendees, decisions in MEETINGS:
        cur.execute(
            "INSERT INTO programme_activity (kind, held_on, title, place, attendance, attendees, decisions)"
            " VALUES ('meeting', %s, %s, 'ساختمان شهرداری منطقهٔ ۲۲', %s, %s, %s)",
            (
                _day(held_on),
                title,
                sum(attendees.values()),
                json.dumps(attendees, ensure_ascii=False),
                decisions,
            ),
        )
    add_focus_groups = _focus_groups_empty(cur)
    for code, house, facilitator, trained_on, attendance, met_on, participants, women in HOUSES:
        cur.execute(
            "INSERT INTO programme_activity (kind, held_on, title, area_id, place, facilitator, attendance)"
            " SELECT 'training', %s, 'آموزش شناسایی فضاهای بی‌دفاع و ممیزی ایمنی', id, %s, %s, %s"
            " FROM area WHERE code = %s",
            (_day(trained_on), house, facilitator, attendance, code),
        )
        if add_focus_groups:
            cur.execute(
                "INSERT INTO focus_group (area_id, held_on, facilitator, participants, women, notes)"
                " SELECT id, %s, %s, %s, %s, %s FROM area WHERE code = %s",
                (_day(met_on), facilitator, participants, women, f"گروه کانونی در {house}", code),
            )


def _focus_groups_empty(cur) -> bool:
    """The 1399 sessions are added only to a database where no one has recorded a session yet."""
    cur.execute("SELECT NOT EXISTS (SELECT 1 FROM focus_group)")
    return cur.fetchone()[0]
