"""A report's audit check calls safety_audit_is_valid only for a report that has an audit (migration 0027):
PostgreSQL cannot inline the function, and calling it for every NULL audit cost 11 µs a row on every insert
and update of report. Read from the calls PostgreSQL counts (track_functions), not from a clock."""

import json

import psycopg2

from tests.conftest import as_superuser

AUDIT = {"lighting": 1, "feeling": 0}


def _calls(cur) -> int:
    """Calls of safety_audit_is_valid in this transaction so far."""
    cur.execute(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions"
        " WHERE funcname = 'safety_audit_is_valid'"
    )
    return cur.fetchone()[0]


def test_the_audit_function_runs_only_for_reports_with_an_audit(cluster, empty_url):
    conn = psycopg2.connect(as_superuser(cluster, empty_url))  # track_functions is the superuser's
    try:
        with conn.cursor() as cur:
            cur.execute("SET track_functions = 'all'")
            cur.execute(
                "INSERT INTO report (uuid, source, geom, category, audit)"
                " SELECT gen_random_uuid(), 'mayor', ST_SetSRID(ST_MakePoint(51.1 + n / 1e5, 35.75), 4326),"
                " 'poor_lighting', CASE WHEN n <= 3 THEN %s::jsonb END FROM generate_series(1, 200) n",
                (json.dumps(AUDIT),),
            )
            assert _calls(cur) == 3
            cur.execute("UPDATE report SET location_precision = 'placed'")
            assert _calls(cur) == 6
    finally:
        conn.rollback()
        conn.close()
