"""The embedded database trusts no one: other local accounts cannot connect, and the app's own role is an
ordinary owner that cannot run programs or read the server's files."""

import stat
import subprocess

import psycopg2
import pytest

from gis.db.cluster import APP_ROLE, SUPERUSER

PROBES = {
    "copy from program": "COPY probe FROM PROGRAM 'id'",
    "copy to program": "COPY (SELECT 1) TO PROGRAM 'true'",
    "read a server file": "SELECT pg_read_file('/etc/passwd')",
    "copy from a server file": "COPY probe FROM '/etc/hostname'",
}


def _psql_as_nobody(cluster, user: str) -> subprocess.CompletedProcess:
    psql = str(cluster.bin_dir / "psql")
    port = str(cluster.running_port())
    return subprocess.run(
        ["runuser", "-u", "nobody", "--", psql, "-w", "-h", "127.0.0.1", "-p", port, "-U", user]
        + ["-d", "postgres", "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=30,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )


@pytest.mark.parametrize("user", [SUPERUSER, APP_ROLE])
def test_another_local_account_cannot_connect(cluster, user):
    result = _psql_as_nobody(cluster, user)
    assert result.returncode != 0, result.stdout
    assert "password" in result.stderr


@pytest.mark.parametrize("password", [None, "wrong"])
def test_the_superuser_needs_its_password(cluster, password):
    port = cluster.running_port()
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(
            host="127.0.0.1",
            port=port,
            user=SUPERUSER,
            password=password,
            dbname="postgres",
            connect_timeout=5,
        )


def test_the_app_role_is_an_ordinary_owner(db_url):
    assert f"//{APP_ROLE}:" in db_url
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb,"
            " pg_has_role('pg_read_server_files', 'member'),"
            " pg_has_role('pg_execute_server_program', 'member') FROM pg_roles WHERE rolname = current_user"
        )
        assert cur.fetchone() == (APP_ROLE, False, False, False, False, False)
        cur.execute(
            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        )
        assert cur.fetchone()[0] == APP_ROLE
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s", (APP_ROLE,)
        )
        assert cur.fetchone()[0] == 1  # spatial_ref_sys, which the postgis extension owns


@pytest.mark.parametrize("probe", PROBES)
def test_the_app_role_cannot_run_programs_or_read_files(db_url, probe):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE probe (line text)")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(PROBES[probe])


def test_the_password_files_are_readable_by_their_owner_only(cluster):
    for path in (cluster.superuser_password_file, cluster.app_password_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert len(path.read_text().strip()) >= 32
