"""The database down or restarted: every route answers 503 with Retry-After (never a 500) while it is down,
and a pooled connection the server dropped is replaced rather than shown to the user as an error."""

import socket
import threading
from urllib.parse import urlsplit

import psycopg2
import pytest
from fastapi.testclient import TestClient

from gis.db.cluster import free_port

ROUTES = (
    "/health",
    "/api/spots",
    "/ogc/collections/spots/items",
    "/tiles/0/0/0.pbf",
    "/open311/v2/services.json",
)


@pytest.fixture
def down_client():
    """The app over a database port where nothing listens."""
    from api.app import create_app

    url = f"postgresql://safemap:nothing@127.0.0.1:{free_port()}/safemap"
    with TestClient(create_app(url)) as client:
        yield client


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_answers_503_with_retry_after_while_the_database_is_down(down_client, path):
    for _ in range(2):  # the first call and the ones after it
        answer = down_client.get(path)
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["retry-after"]) > 0
        if not path.startswith("/open311"):  # GeoReport has its own error list
            assert answer.json()["error"]["code"] == "database_unavailable"


def test_a_page_says_the_database_is_down_in_persian(down_client):
    answer = down_client.get("/map", headers={"accept": "text/html"})
    assert answer.status_code == 503
    assert "retry-after" in answer.headers
    assert 'dir="rtl"' in answer.text


def _drop_app_connections(db_url: str) -> int:
    """What a database restart does to the pool: every connection of the app is closed by the server."""
    admin = psycopg2.connect(db_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'safemap' AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        dropped = cur.fetchone()[0]
    admin.close()
    return dropped


def test_a_connection_dropped_by_a_restart_is_replaced_not_shown(client, db_url):
    assert client.get("/health").status_code == 200
    assert client.get("/api/spots").status_code == 200
    assert _drop_app_connections(db_url) >= 1
    for path in ("/health", "/api/spots", "/health"):
        answer = client.get(path)
        assert answer.status_code == 200, answer.text


class Switch:
    """A TCP relay in front of the test database that can be switched off (every connection cut, nothing
    listening: the server is down) and on again (a restart)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def on(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def off(self) -> None:
        for sock in [self.listener, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def test_the_database_going_down_and_coming_back(db_url):
    from api.app import create_app

    parts = urlsplit(db_url)
    switch = Switch((parts.hostname, parts.port))
    switch.on()
    url = parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{switch.port}")).geturl()
    try:
        with TestClient(create_app(url)) as client:
            assert client.get("/health").status_code == 200
            assert client.get("/api/spots").status_code == 200
            switch.off()
            for path in (*ROUTES, *ROUTES):
                answer = client.get(path)
                assert answer.status_code == 503, (path, answer.text)
                assert "retry-after" in answer.headers
            switch.on()
            for path in ROUTES:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.text)
    finally:
        switch.off()
