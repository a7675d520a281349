"""A recount of an import chunk's spots reads those spots by id, not the whole spot table: joined only to
their counts, whose number of groups the planner cannot tell, a chunk of 440 spots read all 200,000 spots of
the benchmark seed. Read from the plan PostgreSQL gives, not from a clock."""

import psycopg2

from gis.aggregation.aggregate import REFRESH_SQL
from tests.conftest import as_superuser

SPOTS = 6_000
RECOUNTED = 100


def test_a_recount_of_some_spots_reads_them_by_id(cluster, empty_url):
    conn = psycopg2.connect(as_superuser(cluster, empty_url))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO spot (geom, category, stage)"
                " SELECT ST_SetSRID(ST_MakePoint(51.1 + n / 100000.0, 35.75), 4326), 'poor_lighting', 1"
                " FROM generate_series(1, %s) n",
                (SPOTS,),
            )
            cur.execute(
                "INSERT INTO report (uuid, spot_id, source, geom, category)"
                " SELECT gen_random_uuid(), s.id, 'mayor', s.geom, s.category"
                " FROM spot s, generate_series(1, 2)"
            )
            cur.execute("ANALYZE spot; ANALYZE report")
            cur.execute(
                "SELECT array_agg(id) FROM (SELECT id FROM spot ORDER BY random() LIMIT %s) q", (RECOUNTED,)
            )
            spots = cur.fetchone()[0]
            cur.execute("EXPLAIN " + REFRESH_SQL, {"spots": spots, "changed": spots[:10]})
            plan = "\n".join(line for (line,) in cur.fetchall())
    finally:
        conn.rollback()
        conn.close()
    assert "Seq Scan on spot" not in plan, plan
