"""The statement triggers that join a statement's old rows to its new ones plan that join for each statement
(migration 0025). A plan kept from a connection's first one-row update was a nested loop over the two
transition tables, used again for every later statement: a rebuild merging 50,000 spots after a one-row
update ran for minutes. Read from the plans PostgreSQL itself reports (auto_explain), not from a clock."""

import re

import psycopg2
import pytest

from tests.conftest import as_superuser

ROWS = 3000

# The trigger's join (its text as the migration wrote it) → the one-row update, then the large one.
UPDATES = {
    "old_spots o JOIN new_spots n USING (id)": (
        "UPDATE spot SET stage = 2 WHERE id = (SELECT min(id) FROM spot)",
        "UPDATE spot SET stage = 2",
    ),
    "old_reports o JOIN new_reports n USING (id)": (
        "UPDATE report SET location_precision = 'placed' WHERE id = (SELECT min(id) FROM report)",
        "UPDATE report SET location_precision = 'placed'",
    ),
}


def _join_plans(conn, statement: str, join: str) -> list[str]:
    """The plans of the trigger's join while `statement` ran, as auto_explain reported them."""
    conn.notices.clear()
    with conn.cursor() as cur:
        cur.execute(statement)
    return [notice for notice in conn.notices if join in notice]


def _scans(plan: str) -> set[int]:
    """The rows the planner expected from the transition tables."""
    return {int(rows) for rows in re.findall(r"Named Tuplestore Scan  \(cost=[\d.]+ rows=(\d+) ", plan)}


@pytest.mark.parametrize("join", list(UPDATES))
def test_a_large_update_after_a_one_row_update_is_planned_for_its_own_rows(cluster, empty_url, join):
    url = as_superuser(cluster, empty_url)
    with psycopg2.connect(url) as setup, setup.cursor() as cur:
        cur.execute(
            "INSERT INTO spot (geom, category, stage)"
            " SELECT ST_SetSRID(ST_MakePoint(51.1 + n / 100000.0, 35.75), 4326), 'poor_lighting', 1"
            " FROM generate_series(1, %s) n",
            (ROWS,),
        )
        cur.execute(
            "INSERT INTO report (uuid, spot_id, source, geom, category, location_precision)"
            " SELECT gen_random_uuid(), s.id, 'mayor', s.geom, s.category, 'neighbourhood' FROM spot s"
        )
    setup.close()
    # A new session, whose first update of each table is the one-row one; auto_explain is the superuser's.
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("LOAD 'auto_explain'")
            cur.execute(
                "SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;"
                " SET auto_explain.log_level = 'notice'; SET client_min_messages = 'notice'"
            )
        one, many = UPDATES[join]
        first = _join_plans(conn, one, join)
        assert len(first) == 1 and _scans(first[0]) == {1}, first
        later = _join_plans(conn, many, join)
        assert len(later) == 1, later
        # Planned for this statement's rows (a merge or hash join of the two), not for the first one's row.
        assert min(_scans(later[0])) > ROWS / 2, later[0]
    finally:
        conn.rollback()
        conn.close()
