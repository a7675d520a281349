"""The database crashes mid-burst (`pg_ctl stop -m immediate`: no checkpoint, as a power cut) on a cluster
with the settings users run (fsync and synchronous commit on, unlike the tests' fast cluster): after it
starts again every write the API acknowledged is there, and no report is there half-written."""

import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import httpx
import psycopg2
import pytest

from gis.db import migrate, transaction
from gis.db.cluster import ensure_cluster, open_cluster
from gis.demo.district import load_demo
from tests.conftest import bearer_token, point_in
from tests.servers import start_uvicorn

ACKNOWLEDGED_BEFORE_THE_CRASH = 25


@pytest.fixture
def durable_cluster():
    """A cluster of its own, started as `make run` starts one (no fsync=off), with the demo."""
    root = Path(tempfile.mkdtemp(prefix="safemap-crash-"))
    root.chmod(0o755)
    url = ensure_cluster(root / "pg", "safemap")
    pg = open_cluster(root / "pg")
    migrate(url)
    with transaction(url) as conn:
        load_demo(conn)
    yield pg, url
    pg.stop()
    shutil.rmtree(root, ignore_errors=True)


def _burst(
    url: str, headers: dict, place: tuple[float, float], acknowledged: list[str], stop: threading.Event
):
    """Reports sent one after another; a uuid is kept only once its 201 has arrived."""
    lon, lat = place
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        while not stop.is_set():
            sent = str(uuid.uuid4())
            body = {"uuid": sent, "category": "vacant_lot", "lat": lat, "lon": lon, "time_of_day": "night"}
            try:
                answer = client.post("/api/reports", json=body)
            except httpx.TransportError:
                continue
            if answer.status_code == 201:
                acknowledged.append(sent)


def test_every_acknowledged_report_survives_a_crash_and_none_is_half_written(durable_cluster):
    pg, url = durable_cluster
    with transaction(url) as conn:
        token = bearer_token(conn, "office", "gis_office")
    place = point_in(url, "2209")
    server, base = start_uvicorn(url)
    acknowledged: list[str] = []
    stop = threading.Event()
    sender = threading.Thread(
        target=_burst, args=(base, {"Authorization": f"Bearer {token}"}, place, acknowledged, stop)
    )
    sender.start()
    try:
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_THE_CRASH:
            assert sender.is_alive()
            stop.wait(0.05)
        pg._run("pg_ctl", "stop", "-D", str(pg.data_dir), "-m", "immediate", "-w")
        stop.set()
        sender.join(timeout=30)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=10)
    pg.start()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT uuid::text FROM report WHERE uuid = ANY(%s::uuid[])", (acknowledged,))
        assert {row[0] for row in cur.fetchall()} == set(acknowledged)
        cur.execute(
            "SELECT count(*) FROM report r WHERE r.spot_id IS NULL"
            " OR NOT EXISTS (SELECT 1 FROM spot s WHERE s.id = r.spot_id)"
        )
        assert cur.fetchone()[0] == 0
        cur.execute(
            "SELECT count(*) FROM spot s WHERE s.status <> 'merged'"
            " AND s.report_count <> (SELECT count(*) FROM report r WHERE r.spot_id = s.id)"
        )
        assert cur.fetchone()[0] == 0
    conn.close()
