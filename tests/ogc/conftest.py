"""A real uvicorn server on 127.0.0.1 over one demo database copy, shared by a test module
(its tests only read)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gis.db.cluster import Cluster, free_port
from tests.conftest import DEMO_TEMPLATE, _fresh

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shared_db_url(cluster: Cluster) -> Iterator[str]:
    """A demo database for the whole module: tests using it must not write."""
    yield from _fresh(cluster, DEMO_TEMPLATE)


@pytest.fixture(scope="module")
def live_url(shared_db_url: str) -> Iterator[str]:
    """`uvicorn api.app:create_app` on a free port, stopped after the module."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    env["DATABASE_URL"] = shared_db_url
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def viewer_token(shared_db_url: str) -> str:
    """A bearer token of a `viewer` user; one report gets reporter contact data that must never leak."""
    from gis.db import transaction
    from gis.users import create_user, issue_token

    with transaction(shared_db_url) as conn:
        user = create_user(conn, username="ogc-reader", password="long enough password", role="viewer")
        token, _ = issue_token(conn, user.id)
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO report_contact (report_id, name, phone, email)"
                " SELECT min(id), 'Maryam Secret', '09120001122', 'maryam@example.org' FROM report"
            )
    return token
