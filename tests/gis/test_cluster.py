"""The embedded cluster: created on first use, reused later, stopped cleanly."""

import shutil
import stat
import tempfile
from pathlib import Path

import psycopg2
import pytest

from gis.db.cluster import APP_ROLE, SUPERUSER, Cluster, ensure_cluster, free_port, open_cluster
from gis.errors import ClusterError


@pytest.fixture
def data_dir():
    root = Path(tempfile.mkdtemp(prefix="safemap-cluster-"))
    root.chmod(0o755)
    yield root / "pg"
    cluster = open_cluster(root / "pg")
    cluster.stop()


def test_first_run_creates_later_runs_reuse_and_stop_is_clean(data_dir):
    url = ensure_cluster(data_dir, "safemap")
    assert url.startswith(f"postgresql://{APP_ROLE}:")  # the app's own role, with its password
    cluster = open_cluster(data_dir)
    for secret in (cluster.superuser_password_file, cluster.app_password_file):
        assert secret.parent == data_dir.parent and stat.S_IMODE(secret.stat().st_mode) == 0o600
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        assert cur.fetchone()[0].startswith("3.")
        cur.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (22)")
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == "127.0.0.1"
    port = cluster.running_port()
    assert ensure_cluster(data_dir, "safemap") == url  # already running: reused as is
    assert cluster.stop() is True
    assert not cluster.is_running()
    assert cluster.stop() is False
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(url, connect_timeout=2)
    assert ensure_cluster(data_dir, "safemap") == url  # restarted on the same port with the same data
    assert cluster.running_port() == port
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT n FROM kept")
        assert cur.fetchone() == (22,)


def test_a_missing_postgis_names_the_package_to_install(tmp_path):
    fake = Cluster(data_dir=tmp_path / "pg", bin_dir=Path("/usr/lib/postgresql/99/bin"))
    with pytest.raises(ClusterError, match=r"apt-get install postgresql-99-postgis-3"):
        fake.check_postgis()


def test_a_stopped_cluster_says_so(tmp_path):
    cluster = open_cluster(tmp_path / "never")
    assert not cluster.is_running()
    with pytest.raises(ClusterError, match="not running"):
        cluster.running_port()


def test_a_cluster_made_with_trust_is_upgraded_to_passwords_on_start(data_dir):
    cluster = open_cluster(data_dir)
    data_dir.mkdir(parents=True)
    shutil.chown(data_dir, "postgres", "postgres")
    data_dir.chmod(0o700)
    cluster._run("initdb", "-D", str(data_dir), "-U", SUPERUSER, "-A", "trust", "--no-instructions")
    port = free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    cluster._run(
        "pg_ctl", "start", "-D", str(data_dir), "-w", "-l", str(data_dir / "server.log"), "-o", options
    )
    trusted = f"postgresql://{SUPERUSER}@127.0.0.1:{port}"
    admin = psycopg2.connect(f"{trusted}/postgres")
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE safemap")
    admin.close()
    with psycopg2.connect(f"{trusted}/safemap") as conn, conn.cursor() as cur:
        cur.execute("CREATE EXTENSION postgis; CREATE TABLE kept (n serial, g geometry)")
        cur.execute("INSERT INTO kept DEFAULT VALUES")
    cluster.stop()

    url = ensure_cluster(data_dir, "safemap")  # as `safemap db start` after an update

    assert not cluster.trusts()
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(
            f"postgresql://{SUPERUSER}@127.0.0.1:{cluster.running_port()}/safemap", connect_timeout=5
        )
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO kept DEFAULT VALUES; SELECT count(*), pg_get_userbyid(relowner) FROM kept, pg_class"
            " WHERE relname = 'kept' GROUP BY 2"
        )
        assert cur.fetchone() == (2, APP_ROLE)
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False,)
