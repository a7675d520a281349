"""Request dependencies: a database connection in one transaction, on the primary or (reads) a standby."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

import psycopg2
from fastapi import Depends, Path, Query, Request
from psycopg2.pool import ThreadedConnectionPool

from gis.db import Conn, connect, translate_errors
from gis.errors import DatabaseUnavailable
from gis.lang import parse_day
from gis.places.areas import LEVELS

# A row's key in a route's path: `spot_id: RecordId`. Annotated types, never one shared Path() object: FastAPI
# names a shared one after the first route's parameter, so every other route then asks for that name (422).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
BigRecordId = Annotated[int, Path(ge=1, le=9_223_372_036_854_775_807)]
# A level of the area tree in a query (`?level=neighbourhood`): the levels gis.places.areas knows.
AreaLevel = Literal[LEVELS]

# A filter to one area of the tree by its code (`?area=2209`); what the area takes in (the spots inside it, or
# what is recorded for it) is each route's own.
AreaCode = Annotated[
    str | None,
    Query(max_length=32, description="area code (district, sub-district or neighbourhood), e.g. 2209"),
]


@dataclass(frozen=True)
class DayRange:
    """The period a list or its figures cover, both days included; None leaves that end open."""

    since: date | None
    until: date | None


def day_range(
    since: str | None = Query(
        None, max_length=20, description="on or after this day: 1399/09/01, ۱۳۹۹/۰۹/۰۱ or 2020-11-21"
    ),
    until: str | None = Query(None, max_length=20, description="on or before this day (the same forms)"),
) -> DayRange:
    """The period in a query (`?since=1399/09/01&until=1399/12/15`): Jalali in Persian or Latin digits, or
    ISO, read by gis.lang.parse_day, so every route refuses a bad day with the same message."""
    return DayRange(parse_day("since", since), parse_day("until", until))


# A route's period: `period: Period`, one parameter for the two days, read in one place.
Period = Annotated[DayRange, Depends(day_range)]


def aggregation_radius(request: Request) -> float:
    """How near (metres) a report joins a spot: every route that places reports or weighs recurrence around
    a spot reads the one setting here."""
    return request.app.state.settings.aggregation_radius_m


# `radius_m: Radius` in a route's parameters.
Radius = Annotated[float, Depends(aggregation_radius)]

# Every pooled connection gives up waiting for a lock after LOCK_TIMEOUT and on a statement after
# STATEMENT_TIMEOUT (answering 503 "busy"), so requests queued behind a lock never hold the pool's connections
# for long. Large imports run on connections of their own (gis.intake.files.jobs), never these.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30s"
# A request holds at most two connections of one pool (see Database.slots).
CONNECTIONS_PER_TURN = 2


class KeptPool(ThreadedConnectionPool):
    """psycopg2's thread-safe pool, keeping every connection it opens for the next request. psycopg2's own
    closes each connection given back while `minconn` are idle, so with one kept, a streamed answer's second
    connection and every concurrent request's but one were a new server process each time: connected,
    signed in and with cold caches (an OGC items page of 10 features took 21 ms, most of it that)."""

    def __init__(self, maxconn: int, *args: object, **kwargs: object) -> None:
        super().__init__(1, maxconn, *args, **kwargs)  # one connection opened now, the others when asked for
        self.minconn = maxconn  # what psycopg2 keeps idle when a connection is given back


class Database:
    """The app's pool, opened on first use: the app starts (and /health answers 503) with the server down."""

    def __init__(self, url: str, max_connections: int = 20, *, read_only: bool = False) -> None:
        self.url = url
        self.max_connections = max_connections
        # A read replica's pool: every transaction read-only, so a write sent there by mistake fails loudly
        # even when DATABASE_READ_URL names a primary.
        self.read_only = read_only
        self._pool: KeptPool | None = None
        self._opening = threading.Lock()  # the first requests arrive together: one pool, not one each
        # psycopg2's pool raises when it is exhausted; requests past max_connections wait their turn instead.
        # A turn is a request's, not a connection's: a streamed answer holds two connections (its route's,
        # for the sign-in check, and its stream's), and a request waiting for a second turn while holding
        # one deadlocked the server once max_connections such requests came at once. So the pool has room
        # for two connections a turn.
        self.slots = threading.BoundedSemaphore(max_connections)

    def pool(self) -> KeptPool:
        with self._opening:
            if self._pool is None:
                connect(self.url).close()
                with translate_errors():
                    self._pool = KeptPool(
                        CONNECTIONS_PER_TURN * self.max_connections,
                        self.url,
                        application_name="safemap",
                        connect_timeout=5,
                        options=f"-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}"
                        + (" -c default_transaction_read_only=on" if self.read_only else ""),
                    )
            return self._pool

    def checkout(self, pool: ThreadedConnectionPool) -> Conn:
        """A live connection of `pool`. One the server dropped (a restart) is closed and replaced, once; a
        server that is down is DatabaseUnavailable (503 with Retry-After), never an unexpected error."""
        return self._on_live_connection(pool, lambda cur: cur.execute("SELECT 1"))[0]

    def read_value(self, sql: str) -> object:
        """The one value of a short read-only query, on a pooled connection in autocommit (one round trip):
        no ping first, as the query itself finds a dropped connection and, a read being safe to repeat, runs
        once more on a fresh one. For the public's cached tiles (api/routes/tiles.py PublicTiles)."""
        pool = self.pool()
        with self.slot():

            def value(cur: psycopg2.extensions.cursor) -> object:
                cur.execute(sql)
                return cur.fetchone()[0]

            conn, found = self._on_live_connection(pool, value, autocommit=True)
            pool.putconn(conn)
            return found

    @contextmanager
    def slot(self, request: Request | None = None) -> Iterator[None]:
        """One of the pool's max_connections turns, waited for up to 30 s: a server flooded past its thread
        pool answers 503 rather than waiting for ever. A request that holds a turn already (its second
        connection) uses it rather than waiting for another."""
        turns: dict[int, int] = {}
        if request is not None:
            if not hasattr(request.state, "database_turns"):
                request.state.database_turns = {}
            turns = request.state.database_turns
        if turns.get(id(self)):
            if turns[id(self)] >= CONNECTIONS_PER_TURN:
                raise RuntimeError("a request asked for a third connection of one pool")
        elif not self.slots.acquire(timeout=30):
            raise DatabaseUnavailable("database_busy", detail="no pooled connection free for 30 s")
        turns[id(self)] = turns.get(id(self), 0) + 1
        try:
            yield
        finally:
            turns[id(self)] -= 1
            if not turns[id(self)]:
                self.slots.release()

    def _on_live_connection(
        self, pool: ThreadedConnectionPool, work: Callable, *, autocommit: bool = False
    ) -> tuple[Conn, object]:
        """A connection of `pool` and what `work(cursor)` returned on it, on a fresh connection once more if
        the server had dropped the first."""
        for attempt in (1, 2):
            with translate_errors():
                conn = pool.getconn()
            try:
                if autocommit:
                    conn.autocommit = True
                with conn.cursor() as cur:
                    found = work(cur)
                if autocommit:
                    conn.autocommit = False
                return conn, found
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                pool.putconn(conn, close=True)
                if attempt == 2:
                    raise DatabaseUnavailable("database_down_retry", detail=str(exc).strip()) from exc
            except BaseException:
                pool.putconn(conn, close=True)
                raise
        raise DatabaseUnavailable("database_down_retry")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.closeall()
            self._pool = None


def get_conn(request: Request) -> Iterator[Conn]:
    """A pooled connection to the primary: committed when the route returns (a failed commit raises, so the
    answer is an error, never a 2xx), rolled back when it raises."""
    yield from session(request.app.state.database, request)


def session(database: Database, request: Request | None = None) -> Iterator[Conn]:
    """A connection of `database`'s pool in one transaction, given back (or closed if broken) at the end;
    on the request's turn of the pool."""
    pool = database.pool()
    with database.slot(request):
        conn = database.checkout(pool)
        broken = False
        try:
            with translate_errors():
                yield conn
                conn.commit()
        except DatabaseUnavailable:
            broken = True
            raise
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except psycopg2.Error:
                    # The server went away mid-request: the route's own error is the one to show.
                    broken = True
            raise
        finally:
            pool.putconn(conn, close=broken or bool(conn.closed))


# Every route's connection: `conn: Conn = DB`. Scope "function": the transaction commits when the route
# returns and before the answer is sent, so a 2xx means committed (a failed commit answers 5xx, error shape).
DB = Depends(get_conn, scope="function")
# Only for an answer streamed from a server-side cursor (GeoJSON/CSV exports, OGC items): the connection must
# outlive the route, so it ends after the response. It only reads; nothing a client relies on commits there.
STREAM = Depends(get_conn, scope="request")


def get_read_conn(request: Request, conn: Conn = DB) -> Iterator[Conn]:
    """For routes that only read (tiles, OGC features, map data): a read-only connection to the standby of
    DATABASE_READ_URL, or the request's own primary connection when none is set (one connection, not two)."""
    replica: Database | None = request.app.state.read_database
    if replica is None:
        yield conn
        return
    yield from session(replica, request)


def get_read_stream(request: Request) -> Iterator[Conn]:
    """STREAM's connection on the standby of DATABASE_READ_URL when one is set (exports, OGC items)."""
    yield from session(request.app.state.read_database or request.app.state.database, request)


# A route that only reads: `conn: Conn = READ` (READ_STREAM for answers streamed from a server-side cursor).
# Its data may lag the primary by the standby's replay delay; anything the same request writes goes to DB.
READ = Depends(get_read_conn, scope="function")
READ_STREAM = Depends(get_read_stream, scope="request")
