"""A real PostGIS for every test: the tool's own embedded cluster in a throwaway folder.

Two template databases are built once per test process by running every migration from empty (and, for the
second, loading the District 22 demo); each test gets its own copy, dropped afterwards.

`--pretend-now 2027-03-20T21:00:00+00:00` (or SAFEMAP_PRETEND_NOW) runs the suite at that instant: the one
clock (gis.clock) travels there with time-machine and keeps ticking, and browser pages start there too.
With several instants, comma-separated, and as many workers with `--dist each`, every test runs once at each
instant, worker N at the N-th: `make test` runs the tests marked `dated` (those whose outcome depends on the
day) so, at three instants in one session.
"""

import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import time_machine
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gis import users
from gis.db import migrate, transaction
from gis.db.cluster import APP_ROLE, Cluster, ensure_cluster, open_cluster
from gis.demo.district import load_demo
from gis.users import create_user, issue_token


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pretend-now",
        default=os.environ.get("SAFEMAP_PRETEND_NOW"),
        help="run at this instant (ISO 8601 with an offset); the clock keeps ticking from there. Several, "
        "comma-separated, with as many workers and --dist each: worker N runs every test at the N-th",
    )


def _pretend_instants(config: pytest.Config) -> list[datetime]:
    whens = (config.getoption("--pretend-now") or "").split(",")
    instants = [datetime.fromisoformat(when) for when in whens if when]
    if any(instant.tzinfo is None for instant in instants):
        raise pytest.UsageError("--pretend-now needs an offset, e.g. 2027-03-20T21:00:00+00:00")
    return instants


def pytest_configure(config: pytest.Config) -> None:
    instants = _pretend_instants(config)
    worker = getattr(config, "workerinput", None)
    if len(instants) > 1 and worker is None:  # xdist's controller: it runs no test
        workers, dist = config.getoption("numprocesses", None), config.getoption("dist", None)
        if (workers, dist) != (len(instants), "each"):
            raise pytest.UsageError(f"{len(instants)} pretend instants need -n {len(instants)} --dist each")
        return
    if instants:
        config.pretend_now = instants[int(worker["workerid"].removeprefix("gw")) if len(instants) > 1 else 0]
        time_machine.travel(config.pretend_now, tick=True).start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failure under --pretend-now says at which instant it ran (with several, each worker has its own)."""
    outcome = yield
    when = getattr(item.config, "pretend_now", None)
    if when is not None:
        outcome.get_result().sections.append(("pretend now", when.isoformat()))


EMPTY_TEMPLATE = "safemap_empty"
DEMO_TEMPLATE = "safemap_demo"
_numbers = itertools.count()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A throwaway cluster (fsync off) under /tmp, which the postgres user can reach."""
    root = Path(tempfile.mkdtemp(prefix="safemap-test-"))
    root.chmod(0o755)
    data_dir = root / "pg"
    ensure_cluster(data_dir, EMPTY_TEMPLATE, fast=True)
    pg = open_cluster(data_dir)
    migrate(pg.url(EMPTY_TEMPLATE))
    _copy_database(pg, EMPTY_TEMPLATE, DEMO_TEMPLATE)
    with transaction(pg.url(DEMO_TEMPLATE)) as conn:
        load_demo(conn)
    yield pg
    pg.stop()
    shutil.rmtree(root, ignore_errors=True)


def run_alone(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE and VACUUM refuse to run inside one)."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def _admin(pg: Cluster, statement: str) -> None:
    """Run one statement as the superuser (the app's role may not create databases)."""
    run_alone(pg.admin_url("postgres"), statement)


def as_superuser(pg: Cluster, url: str) -> str:
    """The URL of the same test database for the cluster's superuser (auto_explain, track_functions, a
    user who may create databases)."""
    return pg.admin_url(urlsplit(url).path.lstrip("/"))


def _copy_database(pg: Cluster, template: str, name: str) -> None:
    _admin(pg, f'CREATE DATABASE "{name}" OWNER "{APP_ROLE}" TEMPLATE "{template}"')


def _drop_database(pg: Cluster, name: str) -> None:
    _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh(pg: Cluster, template: str) -> Iterator[str]:
    name = f"t{os.getpid()}_{next(_numbers)}"
    _copy_database(pg, template, name)
    yield pg.url(name)
    _drop_database(pg, name)


@pytest.fixture
def empty_url(cluster: Cluster) -> Iterator[str]:
    """A migrated database with no areas and no data."""
    yield from _fresh(cluster, EMPTY_TEMPLATE)


@pytest.fixture
def db_url(cluster: Cluster) -> Iterator[str]:
    """A migrated database holding the District 22 demo."""
    yield from _fresh(cluster, DEMO_TEMPLATE)


@pytest.fixture
def conn(db_url: str):
    """A connection to the demo database; the test's changes are rolled back."""
    connection = psycopg2.connect(db_url)
    yield connection
    connection.rollback()
    connection.close()


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    """The API over the demo database."""
    from api.app import create_app

    with TestClient(create_app(db_url)) as test_client:
        yield test_client


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast password hashing for tests that make many users and are not about hashing."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def bearer_token(conn, username: str, role: str, areas: Sequence[str] = (), agency: str | None = None) -> str:
    """A new user's bearer token, for tests that call the API (or GDAL, or a live server) as one role."""
    user = create_user(
        conn, username=username, password="long enough password", role=role, areas=areas, agency=agency
    )
    return issue_token(conn, user.id)[0]


def bearer_headers(
    conn, username: str, role: str, areas: Sequence[str] = (), agency: str | None = None
) -> dict[str, str]:
    """A new user's Authorization header (a bearer token), for tests that call the API as one role."""
    return {"Authorization": f"Bearer {bearer_token(conn, username, role, areas, agency)}"}


def query_all(url: str, query: str, params: Sequence = ()) -> list[tuple]:
    """The rows of a query on the database at `url`, read in a connection of its own (closed after)."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()
    finally:
        conn.close()


def query_one(url: str, query: str, params: Sequence = ()) -> tuple | None:
    """One row of a query on the database at `url` (None when there is none)."""
    return next(iter(query_all(url, query, params)), None)


def at_once(count: int, work: Callable[[int], None]) -> list[Exception]:
    """Run work(0) … work(count - 1) in threads released together (a barrier); the exceptions they raised."""
    start = threading.Barrier(count)
    failures: list[Exception] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except Exception as exc:  # collected and returned to the test to assert on
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def point_in(url: str, code: str, inset_m: float = 0) -> tuple[float, float]:
    """(lon, lat) of a point on an area (PostGIS's point on surface), `inset_m` metres or more inside."""
    return query_one(
        url,
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(CASE WHEN %(m)s = 0 THEN geom"
        " ELSE ST_Buffer(geom::geography, 0 - %(m)s)::geometry END) AS p FROM area WHERE code = %(code)s) q",
        {"m": inset_m, "code": code},
    )


# Who `heads` signs in as: its key -> (role, neighbourhoods, agency).
CAST: dict[str, tuple[str, Sequence[str], str | None]] = {
    "deputy": ("deputy", (), None),
    "gis": ("gis_office", (), None),
    "viewer": ("viewer", (), None),
    "roads": ("agency", (), "traffic"),
    "services": ("agency", (), "urban_services"),
    "sara": ("facilitator", ("2201",), None),
}


class Heads(dict):
    """Authorization headers by CAST key; each user is made the first time a test asks for it."""

    def __init__(self, db_url: str) -> None:
        super().__init__()
        self.db_url = db_url

    def __missing__(self, key: str) -> dict[str, str]:
        role, areas, agency = CAST[key]
        with transaction(self.db_url) as conn:
            self[key] = bearer_headers(conn, f"cast-{key}", role, areas, agency)
        return self[key]

    def username(self, key: str) -> str:
        """The username of `key`'s user, made now if no test asked for it yet."""
        self[key]
        return f"cast-{key}"


@pytest.fixture
def heads(db_url: str) -> Heads:
    """The cast's headers (a deputy, the GIS office, a viewer, two agencies' users, a facilitator of 2201)."""
    return Heads(db_url)


@pytest.fixture
def viewer_headers(db_url: str) -> dict[str, str]:
    """A viewer's bearer token: a viewer reads every spot, where the public sees only those past stage 2."""
    with transaction(db_url) as conn:
        return bearer_headers(conn, "test-viewer", "viewer")


@pytest.fixture
def viewer_client(client: TestClient, viewer_headers: dict[str, str]) -> TestClient:
    """The API over the demo database, asked by a signed-in viewer."""
    client.headers.update(viewer_headers)
    return client
