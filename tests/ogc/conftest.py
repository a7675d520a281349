"""A real uvicorn server on 127.0.0.1 over one demo database copy, shared by a test module
(its tests only read)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.db.cluster import Cluster
from tests.conftest import DEMO_TEMPLATE, _fresh, bearer_token
from tests.servers import start_uvicorn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shared_db_url(cluster: Cluster) -> Iterator[str]:
    """A demo database for the whole module: tests using it must not write."""
    yield from _fresh(cluster, DEMO_TEMPLATE)


@pytest.fixture(scope="module")
def live_url(shared_db_url: str) -> Iterator[str]:
    """`uvicorn api.app:create_app` on a free port, stopped after the module."""
    server, url = start_uvicorn(shared_db_url)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def viewer_token(shared_db_url: str) -> str:
    """A bearer token of a `viewer` user; one report gets reporter contact data that must never leak."""
    from gis.db import transaction

    with transaction(shared_db_url) as conn:
        token = bearer_token(conn, "ogc-reader", "viewer")
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO report_contact (report_id, name, phone, email)"
                " SELECT min(id), 'Maryam Secret', '09120001122', 'maryam@example.org' FROM report"
            )
    return token
