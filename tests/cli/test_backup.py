"""`safemap db backup` / `restore` round-trip to an identical database."""

import stat

import psycopg2
from alembic import command
from alembic.script import ScriptDirectory

from gis.db import alembic_config, transaction
from gis.db.backup import backup
from gis.db.cluster import APP_ROLE
from gis.users import create_user, issue_token
from tests.cli.test_cli import run
from tests.conftest import as_superuser


def _fingerprint(url: str) -> dict[str, str]:
    """Every table of the database (photos' bytes included: they live in bytea), row for row."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        prints = {}
        for (table,) in cur.fetchall():
            cur.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                f" FROM {table} t"
            )
            prints[table] = cur.fetchone()[0]
        return prints


def _add_what_the_demo_lacks(url: str) -> None:
    """The demo has no users, contacts, photos or imports: add one of each through the product's own
    functions, so that the comparison covers them (reporters' contacts and photos above all)."""
    with transaction(url) as conn:
        user = create_user(
            conn, username="backup-check", password="long enough password", role="facilitator", areas=["2209"]
        )
        issue_token(conn, user.id)
        with conn.cursor() as cur:
            cur.execute("SELECT id, uuid FROM report ORDER BY id LIMIT 1")
            report_id, report_uuid = cur.fetchone()
            cur.execute(
                "INSERT INTO report_contact (report_id, name, phone) VALUES (%s, 'Maryam', '09120001122')",
                (report_id,),
            )
            cur.execute(
                "INSERT INTO report_photo (uuid, report_id, content_type, bytes, sha256)"
                " VALUES (gen_random_uuid(), %s, 'image/png', %s, 'x')",
                (report_id, psycopg2.Binary(bytes(range(256)) * 4)),
            )
            cur.execute("INSERT INTO sign_in_attempt VALUES ('user:backup-check', 2, now())")


def _round_trip(tmp_path, env: dict[str, str], url: str) -> None:
    _add_what_the_demo_lacks(url)
    before = _fingerprint(url)
    assert {"report_contact", "report_photo", "app_user", "api_token", "spot_action", "site_visit"} <= {
        table for table, rows in before.items() if not rows.startswith("0:")
    }
    backup_file = tmp_path / "safemap.dump"
    backup_file.write_text("an older file anyone could read")
    backup_file.chmod(0o644)
    made = run("db", "backup", str(backup_file), env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backup written: {backup_file}")
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600  # it holds reporters' contacts
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM report_contact; DELETE FROM report_photo; UPDATE spot SET title = 'changed'")
    wiped = _fingerprint(url)
    assert [wiped[t] != before[t] for t in ("spot", "report_contact", "report_photo")] == [True] * 3
    restored = run("db", "restore", str(backup_file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(url) == before


def test_backup_then_restore_gives_back_the_same_database(tmp_path, cluster, db_url):
    """The embedded cluster: the restored database belongs to the app role, which reads and writes it."""
    env = {"SAFEMAP_PG_DIR": str(cluster.data_dir), "SAFEMAP_PG_DATABASE": db_url.rsplit("/", 1)[1]}
    _round_trip(tmp_path, env, db_url)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s", (APP_ROLE,)
        )
        assert cur.fetchone()[0] == 1  # spatial_ref_sys, the postgis extension's
        cur.execute("UPDATE spot SET title = title")


def test_backup_then_restore_with_a_database_url(tmp_path, cluster, db_url):
    """An external database (DATABASE_URL) of a user who may create databases, as before."""
    admin_url = as_superuser(cluster, db_url)
    _round_trip(tmp_path, {"DATABASE_URL": admin_url}, admin_url)


def test_restoring_a_file_that_is_not_a_backup_changes_nothing(tmp_path, db_url):
    before = _fingerprint(db_url)
    junk = tmp_path / "notes.dump"
    junk.write_text("not a backup")
    result = run("db", "restore", str(junk), "--yes", database=db_url)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: file: notes.dump is not a pg_dump custom-format backup"
    assert _fingerprint(db_url) == before


def test_a_backup_of_an_older_version_restores_and_migrates_to_the_newest(tmp_path, cluster, db_url):
    """A backup made before this version's migrations (at revision 0012) is restored by this version's
    `safemap db restore`, and `safemap db migrate` brings it to the newest schema with its rows whole."""
    older = cluster.ensure_database("backup_of_0012")
    command.upgrade(alembic_config(older), "0012")
    with transaction(older) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO area (level, code, name_fa, geom) VALUES ('neighbourhood', '2209', 'دریاچه',"
            " ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(51.2, 35.75), 4326), 0.01))) RETURNING id"
        )
        (area_id,) = cur.fetchone()
        cur.execute(
            "INSERT INTO spot (geom, category, area_id, title, report_count, source_count)"
            " VALUES (ST_SetSRID(ST_Point(51.2, 35.75), 4326), 'vacant_lot', %s, 'زمین خالی', 1, 1)"
            " RETURNING id",
            (area_id,),
        )
        (spot_id,) = cur.fetchone()
        cur.execute(
            "INSERT INTO report (uuid, spot_id, source, geom, category, description, area_id)"
            " VALUES (gen_random_uuid(), %s, 'mayor', ST_SetSRID(ST_Point(51.2, 35.75), 4326), 'vacant_lot',"
            " 'بدون نور', %s)",
            (spot_id, area_id),
        )
    before = _fingerprint(older)
    backup_file = tmp_path / "older.dump"
    backup(older, backup_file)

    env = {"SAFEMAP_PG_DIR": str(cluster.data_dir), "SAFEMAP_PG_DATABASE": db_url.rsplit("/", 1)[1]}
    restored = run("db", "restore", str(backup_file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(db_url) == before
    migrated = run("db", "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT version_num FROM alembic_version")
        assert [row[0] for row in cur.fetchall()] == ScriptDirectory.from_config(
            alembic_config(db_url)
        ).get_heads()
        cur.execute("SELECT s.title, r.description FROM spot s JOIN report r ON r.spot_id = s.id")
        assert cur.fetchall() == [("زمین خالی", "بدون نور")]
    conn.close()
