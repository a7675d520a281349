"""Aggregation rebuild: `safemap aggregate --rebuild` over the seeded reports, on a fresh copy of the
benchmark database each run. Beside it, the physical limit of clustering the same reports in SQL: one
ST_ClusterDBSCAN with the same radius (it applies no category, status or order rule, so it is a floor, not the
same answer).
"""

import os
import time

import psycopg2

from gis.aggregation.rebuild import FREE_SPOTS_SQL
from tests.perf.common import REPORTS, Result, admin, copy_of, median, timed_safemap

TARGET_S = 30
REPEAT = int(os.environ.get("BENCH_REBUILD_REPEAT", "3" if REPORTS <= 200_000 else "1"))
COPY_DB = "safemap_bench_rebuild"
RADIUS_M = 50.0

RAW_SQL = f"""
    WITH free AS ({FREE_SPOTS_SQL}),
    centre AS (SELECT ST_Centroid(ST_Extent(r.geom)::geometry) AS c FROM report r
               WHERE r.spot_id IN (SELECT id FROM free) OR r.spot_id IS NULL)
    SELECT count(DISTINCT cluster) FROM (
        SELECT ST_ClusterDBSCAN(
                   ST_Transform(r.geom, format('+proj=aeqd +lat_0=%%s +lon_0=%%s +datum=WGS84 +units=m',
                                               ST_Y(centre.c), ST_X(centre.c))),
                   %(radius)s, 1) OVER () AS cluster
        FROM report r, centre
        WHERE r.spot_id IN (SELECT id FROM free) OR r.spot_id IS NULL
    ) q
"""


def raw_cluster(url: str) -> tuple[float, int]:
    """Seconds for one ST_ClusterDBSCAN over the reports the rebuild re-clusters, and its cluster count."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        start = time.perf_counter()
        cur.execute(RAW_SQL, {"radius": RADIUS_M})
        clusters = cur.fetchone()[0]
        return time.perf_counter() - start, clusters


def safemap_rebuild(url: str) -> tuple[float, str]:
    """Seconds for `safemap aggregate --rebuild` on `url` (commit included), and its summary line."""
    seconds, lines = timed_safemap(
        url, "aggregate", "--rebuild", env={"SAFEMAP_AGGREGATION_RADIUS_M": str(RADIUS_M)}
    )
    return seconds, lines[0]


def run(url: str, base: str) -> list[Result]:
    """The rebuild, `REPEAT` times on fresh copies, beside the raw clustering on the untouched database."""
    raws, clusters = [], 0
    for _ in range(REPEAT):
        seconds, clusters = raw_cluster(url)
        raws.append(seconds)
    rebuilds, summary = [], ""
    try:
        for attempt in range(REPEAT):
            target = copy_of(url, COPY_DB)
            seconds, summary = safemap_rebuild(target)
            rebuilds.append(seconds)
            print(f"  rebuild {attempt + 1}/{REPEAT}: {seconds:.1f} s", flush=True)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{COPY_DB}" WITH (FORCE)')
    result = Result(
        f"aggregate --rebuild ({REPORTS:,} reports)",
        rebuilds,
        raws,
        unit="s",
        target=f"< {TARGET_S} s",
        met=median(rebuilds) < TARGET_S,
        note=f"{REPEAT} run(s); {summary}; raw ST_ClusterDBSCAN: {clusters:,} clusters",
    )
    return [result]
