"""The embedded cluster: created on first use, reused later, stopped cleanly."""

import tempfile
from pathlib import Path

import psycopg2
import pytest

from gis.db.cluster import Cluster, ensure_cluster, open_cluster
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
    assert url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        assert cur.fetchone()[0].startswith("3.")
        cur.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (22)")
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == "127.0.0.1"
    cluster = open_cluster(data_dir)
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
