"""Streamed answers: GeoJSON whole when it spans many chunks, one turn of the pool per request, and the
pool's connections kept for the next request."""

import pytest
from fastapi.testclient import TestClient

from gis.users import create_user, issue_token


def test_large_items_page_streams_every_feature_once(client, conn):
    user = create_user(conn, username="stream-reader", password="long enough password", role="viewer")
    token, _ = issue_token(conn, user.id)
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("SELECT array_agg(id ORDER BY id) FROM report")
        expected = cur.fetchone()[0]
    response = client.get(
        "/ogc/collections/reports/items",
        params={"limit": "10000"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert len(response.content) > 3 * 65536, "the page must span several stream chunks"
    body = response.json()
    assert [f["id"] for f in body["features"]] == expected
    assert body["numberReturned"] == body["numberMatched"] == len(expected)


def test_a_streamed_answer_holds_one_turn_of_the_pool(db_url, conn):
    """A streamed answer takes two connections (its sign-in check's and its stream's); with each taking a
    turn, max_connections such requests at once each held one and waited 30 s for another (503 for most)."""
    from api.app import create_app
    from api.deps import Database

    user = create_user(conn, username="one-turn", password="long enough password", role="viewer")
    token, _ = issue_token(conn, user.id)
    conn.commit()
    app = create_app(db_url)
    app.state.database = Database(db_url, max_connections=1)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        for path in (
            "/ogc/collections/spots/items",
            "/ogc/collections/reports/items",
            "/api/exports/geojson?layers=spots",
            "/api/exports/csv?layers=reports",
        ):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text[:200])
            assert response.content
        assert client.get("/api/spots", headers=headers).status_code == 200


def test_connections_given_back_are_kept_for_the_next_request(db_url):
    """psycopg2's pool closed each connection given back while one was idle: a streamed answer's second
    connection, and every concurrent request's but one, were a new server process each time (connected,
    signed in, its caches cold: an OGC items page of 10 features took 21 ms instead of 12)."""
    from starlette.requests import Request

    from api.deps import Database, session

    database = Database(db_url, max_connections=2)

    def backends() -> set[int]:
        """The server processes of one request's two connections, both given back at its end."""
        request = Request({"type": "http"})
        held = [session(database, request), session(database, request)]
        found = set()
        for conn in (next(held[0]), next(held[1])):
            with conn.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                found.add(cur.fetchone()[0])
        for connection in reversed(held):
            with pytest.raises(StopIteration):  # committed and given back
                next(connection)
        return found

    try:
        first = backends()
        assert len(first) == 2
        assert backends() == first
    finally:
        database.close()
