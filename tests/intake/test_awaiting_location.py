"""A spot's kept "awaiting location" state (migration 0024) equals what its reports say, after every kind of
write to report: attach, a location verified (placed), a merge, a split and a delete."""

import psycopg2

from tests.conftest import query_all

DIFFERENT_SQL = """
    SELECT s.id FROM spot s
    WHERE s.awaiting_location
          <> EXISTS (SELECT 1 FROM report v WHERE v.spot_id = s.id AND NOT v.location_verified)
"""


def test_awaiting_location_follows_the_reports(db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot (geom, category, stage)"
            " SELECT ST_SetSRID(ST_MakePoint(51.2 + n / 1000.0, 35.75), 4326), 'poor_lighting', 1"
            " FROM generate_series(1, 3) n RETURNING id"
        )
        a, b, c = (row[0] for row in cur.fetchall())
        cur.execute(
            "INSERT INTO report (uuid, spot_id, source, geom, category, location_precision)"
            " SELECT gen_random_uuid(), m.spot, 'mayor', ST_SetSRID(ST_MakePoint(51.2, 35.75), 4326),"
            " 'poor_lighting', m.precision"
            " FROM (VALUES (%s, 'neighbourhood'), (%s, 'exact'), (NULL::int, 'address'))"
            " AS m(spot, precision)"
            " RETURNING id",
            (a, b),
        )
        unplaced, exact, loose = (row[0] for row in cur.fetchall())
        states = "SELECT awaiting_location FROM spot WHERE id = ANY(%s) ORDER BY id"
        steps = [
            ("inserted", None, [True, False, False]),
            ("attached", ("UPDATE report SET spot_id = %s WHERE id = %s", (b, loose)), [True, True, False]),
            (
                "placed",
                ("UPDATE report SET location_precision = 'placed' WHERE id = %s", (unplaced,)),
                [False, True, False],
            ),
            ("merged", ("UPDATE report SET spot_id = %s WHERE spot_id = %s", (c, b)), [False, False, True]),
            ("split", ("UPDATE report SET spot_id = %s WHERE id = %s", (a, loose)), [True, False, False]),
            ("deleted", ("DELETE FROM report WHERE id = ANY(%s)", ([loose, exact],)), [False, False, False]),
        ]
        for name, statement, expected in steps:
            if statement:
                cur.execute(*statement)
            cur.execute(states, ([a, b, c],))
            assert [row[0] for row in cur.fetchall()] == expected, name
            cur.execute(DIFFERENT_SQL)
            assert cur.fetchall() == [], name
    assert query_all(db_url, DIFFERENT_SQL) == []
