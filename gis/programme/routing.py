"""Routing rules: which agency fixes a category of place in a neighbourhood, and in how many days.

The deputy keeps them (as FixMyStreet routes reports to bodies by category and boundary); at stage 3 they
propose each agency a spot needs, its job and its due date. A rule for a neighbourhood overrides the
district-wide rule (no neighbourhood) of the same category and agency; a spot may get several agencies.
"""

from datetime import timedelta

from gis import clock
from gis.db import Conn, dict_cursor, one_value
from gis.errors import InvalidInput, NotFound
from gis.lang import normalise_persian
from gis.users import User
from gis.vocabulary import CATEGORY_ALIASES

RULES = """
    SELECT r.id, r.category, a.code AS area, a.name_fa AS area_fa, a.name_en AS area_en,
           g.code AS agency, g.name_fa AS agency_fa, g.name_en AS agency_en, r.what, r.due_days
    FROM routing_rule r JOIN agency g ON g.id = r.agency_id LEFT JOIN area a ON a.id = r.area_id
"""


def list_rules(conn: Conn) -> list[dict]:
    """Every rule, by category, then district-wide before a neighbourhood's, then agency."""
    with dict_cursor(conn) as cur:
        cur.execute(RULES + " ORDER BY r.category, a.code NULLS FIRST, g.code")
        return cur.fetchall()


def add_rule(
    conn: Conn,
    *,
    user: User,
    category: str,
    agency: str,
    due_days: int,
    area: str | None = None,
    what: str = "",
) -> dict:
    """The deputy routes a category (in one neighbourhood, or everywhere) to an agency; the same rule again
    updates its job and days."""
    user.require("routing.manage")
    if category not in CATEGORY_ALIASES:
        raise InvalidInput("category", "one_of", choices=", ".join(CATEGORY_ALIASES))
    if not isinstance(due_days, int) or not 1 <= due_days <= 365:
        raise InvalidInput("due_days", "due_days_range")
    what = normalise_persian((what or "").strip())[:1000]
    neighbourhood = "SELECT id FROM area WHERE code = %s AND level = 'neighbourhood'"
    not_one = InvalidInput("area", "not_a_neighbourhood", code=area)
    area_id = one_value(conn, neighbourhood, (area,), not_one) if area else None
    missing = InvalidInput("agency", "active_agency", agency=agency)
    agency_id = one_value(conn, "SELECT id FROM agency WHERE code = %s AND active", (agency,), missing)
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO routing_rule (category, area_id, agency_id, what, due_days, created_by)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT ON CONSTRAINT routing_rule_once
            DO UPDATE SET what = EXCLUDED.what, due_days = EXCLUDED.due_days RETURNING id
            """,
            (category, area_id, agency_id, what, due_days, user.id),
        )
        rule_id = cur.fetchone()[0]
    return next(rule for rule in list_rules(conn) if rule["id"] == rule_id)


def delete_rule(conn: Conn, *, user: User, rule_id: int) -> None:
    """The deputy removes a rule; actions it proposed stay as they were assigned."""
    user.require("routing.manage")
    with conn.cursor() as cur:
        cur.execute("DELETE FROM routing_rule WHERE id = %s RETURNING id", (rule_id,))
        if cur.fetchone() is None:
            raise NotFound("no_such_routing_rule", rule_id=rule_id, field="rule")


def propose(conn: Conn, *, spot_id: int) -> list[dict]:
    """The agencies the rules give a spot's category in its neighbourhood, each with its job and due date,
    and whether the spot already has an open action of that agency."""
    today = clock.today()
    with dict_cursor(conn) as cur:
        cur.execute("SELECT 1 FROM spot WHERE id = %s AND status <> 'merged'", (spot_id,))
        if cur.fetchone() is None:
            raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")
        cur.execute(
            """
            SELECT DISTINCT ON (g.id) g.code AS agency, g.name_fa AS agency_fa, g.name_en AS agency_en,
                   r.what, r.due_days, r.area_id IS NOT NULL AS local,
                   EXISTS (SELECT 1 FROM spot_action x JOIN action_status xs ON xs.code = x.status
                           WHERE x.spot_id = s.id AND x.agency_id = g.id AND xs.is_open) AS assigned
            FROM spot s
            JOIN routing_rule r ON r.category = s.category AND (r.area_id IS NULL OR r.area_id = s.area_id)
            JOIN agency g ON g.id = r.agency_id AND g.active
            WHERE s.id = %s
            ORDER BY g.id, r.area_id IS NULL
            """,
            (spot_id,),
        )
        rows = cur.fetchall()
    rows.sort(key=lambda row: (row["assigned"], row["agency"]))
    return [{**row, "due_on": today + timedelta(days=row["due_days"])} for row in rows]
