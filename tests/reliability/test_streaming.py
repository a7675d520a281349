"""Streamed answers: GeoJSON whole when it spans many chunks, and one turn of the pool per request."""

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
