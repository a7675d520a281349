"""Streamed GeoJSON is whole when it spans many chunks: every feature once, and numberReturned says so."""

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
