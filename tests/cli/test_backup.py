"""`safemap db backup` / `restore` round-trip to an identical database."""

import psycopg2

from tests.cli.test_cli import run

TABLES = ("area", "spot", "report", "spot_event", "agency", "app_user", "category", "alembic_version")


def _fingerprint(url: str) -> dict[str, str]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        prints = {}
        for table in TABLES:
            cur.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                f" FROM {table} t"
            )
            prints[table] = cur.fetchone()[0]
        return prints


def test_backup_then_restore_gives_back_the_same_database(tmp_path, db_url):
    before = _fingerprint(db_url)
    backup_file = tmp_path / "safemap.dump"
    made = run("db", "backup", str(backup_file), env={"DATABASE_URL": db_url})
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backup written: {backup_file}")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM report_contact; UPDATE spot SET title = 'changed'")
    assert _fingerprint(db_url)["spot"] != before["spot"]
    restored = run("db", "restore", str(backup_file), "--yes", env={"DATABASE_URL": db_url})
    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(db_url) == before


def test_restoring_a_file_that_is_not_a_backup_changes_nothing(tmp_path, db_url):
    before = _fingerprint(db_url)
    junk = tmp_path / "notes.dump"
    junk.write_text("not a backup")
    result = run("db", "restore", str(junk), "--yes", env={"DATABASE_URL": db_url})
    assert result.returncode == 1
    assert result.stderr.strip() == "error: file: notes.dump is not a pg_dump custom-format backup"
    assert _fingerprint(db_url) == before
