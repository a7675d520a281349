"""The schema comes up from an empty database by running every migration, with the indexes it promises."""

import psycopg2
from alembic.script import ScriptDirectory

from gis.db import alembic_config, current_revisions, migrate, newest_revision
from tests.conftest import _drop_database


def test_migrations_run_up_from_an_empty_database(cluster):
    # As `safemap db start` makes a database: with postgis, owned by the app's role.
    url = cluster.ensure_database("from_empty")
    try:
        assert current_revisions(url) == []
        migrate(url)
        revisions = current_revisions(url)
        heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
        assert len(heads) == 1 and revisions == heads  # one line of history, not branches
        assert heads == [newest_revision()]  # what migrate reads to skip alembic when nothing is to do
        migrate(url)  # a second run is a no-op
        assert current_revisions(url) == revisions
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT to_regclass(t) IS NOT NULL FROM unnest(%s::text[]) t",
                (
                    [
                        "area",
                        "report",
                        "report_contact",
                        "spot",
                        "spot_event",
                        "agency",
                        "app_user",
                        "category",
                        "stage",
                    ],
                ),
            )
            assert all(row[0] for row in cur.fetchall())
            cur.execute("SELECT count(*) FROM category")
            assert cur.fetchone()[0] == 10
    finally:
        _drop_database(cluster, "from_empty")


def test_every_geometry_column_has_a_gist_index(empty_url):
    with psycopg2.connect(empty_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT g.f_table_name, g.f_geometry_column FROM geometry_columns g
            WHERE g.f_table_schema = 'public' AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_am am ON am.oid = ic.relam
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
                WHERE c.relname = g.f_table_name AND a.attname = g.f_geometry_column AND am.amname = 'gist')
            """
        )
        assert cur.fetchall() == []
        cur.execute("SELECT count(*) FROM geometry_columns WHERE f_table_schema = 'public'")
        assert cur.fetchone()[0] >= 3
