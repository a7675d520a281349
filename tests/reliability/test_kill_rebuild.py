"""`safemap aggregate --rebuild` killed (SIGKILL) at eight instants spread over its work on a few thousand
reports: after each, the database is consistent (every report on a spot that counts it, no spot merged into
nothing or holding reports, every spot's creation logged) and exactly as before the rebuild; the rebuild run
again then gives what an uninterrupted rebuild of the same database gives (on a copy made before the kills).

The kills are timed from the moment the rebuild holds its lock on the spots (its first statement), by delays
spread over the time an uninterrupted rebuild of the copy took from there to its end; the spot events, its
last write, are kept locked meanwhile, so a machine faster this time cannot let it commit first.
"""

import subprocess
import time
from collections.abc import Iterator

import psycopg2
import pytest

from gis.db import transaction
from gis.db.cluster import Cluster
from gis.intake.reports import ReportCreate, submit_reports
from tests.conftest import _copy_database, _drop_database
from tests.conftest import query_one as _query
from tests.reliability.conftest import SAFEMAP
from tests.reliability.test_kill_import import _env, _kill, _wait_for_backends_to_go

REPORTS = 2000
KILLS = 8
RADIUS_M = "150"
CATEGORIES = ("vacant_lot", "poor_lighting", "dead_end_alley")

INVARIANTS = {
    "a report without a spot": "SELECT count(*) FROM report WHERE spot_id IS NULL",
    "a spot whose count is not its reports'": "SELECT count(*) FROM spot s WHERE report_count <>"
    " (SELECT count(*) FROM report r WHERE r.spot_id = s.id)",
    "a merged spot still holding reports": "SELECT count(*) FROM report r JOIN spot s ON s.id = r.spot_id"
    " WHERE s.status = 'merged'",
    "a spot merged into a merged or missing spot": "SELECT count(*) FROM spot s LEFT JOIN spot t"
    " ON t.id = s.merged_into WHERE s.merged_into IS NOT NULL AND (t.id IS NULL OR t.status = 'merged')",
    "an open spot with no report": "SELECT count(*) FROM spot s WHERE status = 'open' AND stage = 1"
    " AND NOT EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id)",
    "a spot whose creation is not logged": "SELECT count(*) FROM spot s WHERE NOT EXISTS"
    " (SELECT 1 FROM spot_event e WHERE e.spot_id = s.id AND e.kind IN ('created', 'split'))",
    "an event of no spot": "SELECT count(*) FROM spot_event e WHERE NOT EXISTS"
    " (SELECT 1 FROM spot s WHERE s.id = e.spot_id)",
}

# Each spot by what it is, not by the number a sequence gave it: a spot that existed before the kills by its
# id, a new one by its reports; the spot a merged one went into, by that spot's first report.
SIGNATURE_SQL = """
    SELECT CASE WHEN s.id <= %(last_old)s THEN s.id END, s.status, s.stage, s.category, s.report_count,
           s.version, ST_AsText(s.geom),
           ARRAY(SELECT r.id FROM report r WHERE r.spot_id = s.id ORDER BY r.id),
           (SELECT min(r.id) FROM report r WHERE r.spot_id = s.merged_into),
           ARRAY(SELECT e.kind FROM spot_event e WHERE e.spot_id = s.id ORDER BY e.id)
    FROM spot s
"""


def _signature(url: str, last_old: int) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(SIGNATURE_SQL, {"last_old": last_old})
        rows = cur.fetchall()
    conn.close()
    return sorted(rows, key=repr)


def _consistent(url: str, after: str) -> None:
    for what, sql in INVARIANTS.items():
        assert _query(url, sql)[0] == 0, f"{what} {after}"


def _seed(url: str) -> None:
    """REPORTS mayor's reports at random places of the district (a seed, a set), three kinds, 50 m spots."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints("
            " ST_Buffer(ST_Union(geom)::geography, -50)::geometry, %s, 122))).geom AS p"
            " FROM area WHERE level = 'neighbourhood') q",
            (REPORTS,),
        )
        places = cur.fetchall()
    conn.close()
    reports = [
        ReportCreate(source="mayor", category=CATEGORIES[n % 3], lon=lon, lat=lat)
        for n, (lon, lat) in enumerate(places)
    ]
    with transaction(url) as conn:
        outcomes = submit_reports(conn, reports, radius_m=50)
    assert all(not isinstance(o, Exception) for o in outcomes)


def _rebuild(url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(SAFEMAP), "aggregate", "--rebuild", "--radius", RADIUS_M],
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_lock(url: str, process: subprocess.Popen) -> float:
    """Block until the rebuild holds its lock on the spots; the moment (monotonic) it was seen."""
    sql = (
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.granted"
        " AND l.relation = 'spot'::regclass AND l.mode = 'ShareRowExclusiveLock'"
        " AND a.application_name = 'safemap'"
    )
    deadline = time.monotonic() + 60
    while not _query(url, sql)[0]:
        assert process.poll() is None, f"the rebuild ended before it was seen: {process.communicate()}"
        assert time.monotonic() < deadline, "the rebuild did not start within 60 s"
        time.sleep(0.005)
    return time.monotonic()


@pytest.fixture
def reference(db_url: str, cluster: Cluster) -> Iterator[str]:
    """A copy of the test's database, taken once it is seeded."""
    _seed(db_url)
    name = f"{db_url.rsplit('/', 1)[1]}_ref"
    _copy_database(cluster, db_url.rsplit("/", 1)[1], name)
    yield cluster.url(name)
    _drop_database(cluster, name)


def test_rebuild_killed_at_eight_instants_leaves_all_as_before_and_the_rerun_matches(db_url, reference):
    last_old = _query(db_url, "SELECT max(id) FROM spot")[0]
    _consistent(db_url, "before the rebuild")
    before = _signature(db_url, last_old)

    uninterrupted = _rebuild(reference)
    started = _wait_for_lock(reference, uninterrupted)
    out, err = uninterrupted.communicate(timeout=300)
    duration = time.monotonic() - started
    assert uninterrupted.returncode == 0, err
    assert " merged away" in out
    expected = _signature(reference, last_old)
    assert expected != before

    for point in range(KILLS):
        # The events are written last, just before the commit: locked meanwhile, the rebuild cannot finish
        # however fast it runs this time, so a late kill lands in its writes or at that last statement.
        with psycopg2.connect(db_url) as holder, holder.cursor() as cur:
            cur.execute("LOCK TABLE spot_event IN EXCLUSIVE MODE")
            process = _rebuild(db_url)
            locked = _wait_for_lock(db_url, process)
            time.sleep(max(0.0, locked + duration * (point + 0.5) / KILLS - time.monotonic()))
            _kill(process)
        holder.close()
        _wait_for_backends_to_go(db_url)
        _consistent(db_url, f"after kill {point}")
        assert _signature(db_url, last_old) == before, f"some of the rebuild after kill {point}"

    rerun = _rebuild(db_url)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    _consistent(db_url, "after the rerun")
    assert _signature(db_url, last_old) == expected
