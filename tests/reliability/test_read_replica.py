"""DATABASE_READ_URL: tiles, features, map data and exports are read from a streaming standby, everything else
(and every write) from the primary; a write sent down the read path fails loudly.

Two clusters of the test's own: a primary with the District 22 demo, and a hot standby cloned from it with
`pg_basebackup -R` (as the postgres system user, as the clusters are run) streaming its WAL.
"""

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import session
from gis.db import migrate, transaction
from gis.db.cluster import Cluster, ensure_cluster, free_port, open_cluster
from gis.demo.district import load_demo
from tests.conftest import bearer_headers, query_one

DATABASE = "safemap"


def _as_server_user(command: list[str]) -> list[str]:
    """The command as the postgres system user when we are root, as the clusters themselves run."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _standby_of(primary: Cluster, data_dir: Path) -> Cluster:
    """A hot standby of `primary` in `data_dir`: pg_basebackup -R (streaming WAL), started on a free port."""
    data_dir.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
    backup = [
        str(primary.bin_dir / "pg_basebackup"),
        *("-h", "127.0.0.1", "-p", str(primary.running_port()), "-U", "postgres"),
        *("-D", str(data_dir), "-R", "-X", "stream", "--checkpoint=fast"),
    ]
    password = primary.superuser_password_file.read_text().strip()
    done = subprocess.run(
        _as_server_user(backup), env=os.environ | {"PGPASSWORD": password}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    standby = open_cluster(data_dir)
    for ours, theirs in (
        (primary.superuser_password_file, standby.superuser_password_file),
        (primary.app_password_file, standby.app_password_file),
    ):
        shutil.copy(ours, theirs)
    standby.start(free_port(), fast=True)
    return standby


@pytest.fixture
def primary_and_standby() -> Iterator[tuple[Cluster, Cluster]]:
    """(primary, its streaming standby), both stopped and removed at the end."""
    root = Path(tempfile.mkdtemp(prefix="safemap-replica-"))
    root.chmod(0o755)
    started: list[Cluster] = []
    try:
        url = ensure_cluster(root / "primary", DATABASE, fast=True)
        started.append(open_cluster(root / "primary"))
        migrate(url)
        with transaction(url) as conn:
            load_demo(conn)
        started.append(_standby_of(started[0], root / "standby"))
        yield started[0], started[1]
    finally:
        for cluster in reversed(started):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _read_once_replayed(client: TestClient, url: str, headers: dict, timeout_s: float = 15):
    """GET `url` until the standby has replayed what it shows (the primary's commits reach it in a moment)."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = client.get(url, headers=headers)
        if answer.status_code != 404 or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def _replay(standby: Cluster, action: str) -> None:
    conn = psycopg2.connect(standby.admin_url(DATABASE))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT pg_wal_replay_{action}()")
    finally:
        conn.close()


def test_a_spot_written_to_the_primary_is_read_from_the_standby_once_replayed(primary_and_standby):
    primary, standby = primary_and_standby
    primary_url, standby_url = primary.url(DATABASE), standby.url(DATABASE)
    with transaction(primary_url) as conn:
        headers = bearer_headers(conn, "replica-gis", "gis_office")
    (lon, lat) = query_one(
        primary_url,
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM area"
        " WHERE level = 'neighbourhood' ORDER BY code LIMIT 1) q",
    )
    with TestClient(create_app(primary_url, read_url=standby_url)) as client:
        _replay(standby, "pause")  # the standby holds still: what the read routes see must come from it
        report = {"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lon": lon, "lat": lat}
        sent = client.post("/api/reports", json=report, headers=headers)
        assert sent.status_code == 201, sent.text
        spot_id = sent.json()["spot_id"]
        item = f"/ogc/collections/spots/items/{spot_id}"
        assert client.get(item, headers=headers).status_code == 404  # written, not yet replayed
        assert query_one(primary_url, "SELECT count(*) FROM spot WHERE id = %s", (spot_id,)) == (1,)

        _replay(standby, "resume")
        read = _read_once_replayed(client, item, headers)
        assert read.status_code == 200, read.text
        assert read.json()["id"] == spot_id
        tile = client.get("/tiles/12/2633/1617.pbf", headers=headers)
        assert tile.status_code in (200, 204), tile.text

        replica_session = session(client.app.state.read_database)
        conn = next(replica_session)
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction), conn.cursor() as cur:
            cur.execute("UPDATE spot SET title = 'written on the standby' WHERE id = %s", (spot_id,))
        replica_session.close()
    assert query_one(primary_url, "SELECT title FROM spot WHERE id = %s", (spot_id,)) != (
        "written on the standby",
    )


def test_a_read_url_naming_a_primary_still_refuses_writes(db_url):
    """DATABASE_READ_URL set to a primary by mistake: reads work, a write on the read path is refused."""
    app = create_app(db_url, read_url=db_url)
    with TestClient(app) as client:
        assert client.get("/ogc/collections/spots/items?limit=1").status_code == 200
        replica_session = session(app.state.read_database)
        conn = next(replica_session)
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction), conn.cursor() as cur:
            cur.execute("UPDATE spot SET title = 'written on the read path'")
        replica_session.close()
