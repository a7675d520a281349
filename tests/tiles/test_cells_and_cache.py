"""Low zooms' grid cells count only what the reader may see; the public's tiles are kept in memory until a
spot under them changes, and a signed-in reader's tile is never kept."""

import psycopg2

from gis.publish.tilecache import PUBLIC_TILES
from tests.tiles.test_tiles import read_tile, tile_of

# Zoom 9: the whole district in one tile.
DISTRICT_TILE = (9, 328, 201)


def cells(client, tmp_path, headers: dict[str, str] | None = None, name: str = "cells") -> list[dict]:
    z, x, y = DISTRICT_TILE
    body = client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "spots"}, headers=headers).content
    return read_tile(body, z, x, y, tmp_path / name).get("spots", [])


def matched(client, headers: dict[str, str] | None = None) -> int:
    """How many spots the reader may see, by the OGC API's count."""
    return client.get("/ogc/collections/spots/items", params={"limit": 1}, headers=headers).json()[
        "numberMatched"
    ]


def test_the_publics_cells_never_count_a_spot_before_stage_3(client, viewer_headers, tmp_path):
    public, staff = cells(client, tmp_path), cells(client, tmp_path, viewer_headers, "staff")
    assert sum(f["properties"]["count"] for f in public) == matched(client)
    assert sum(f["properties"]["count"] for f in staff) == matched(client, viewer_headers) > matched(client)
    assert {f["properties"]["stage"] for f in public} <= {3, 4}
    assert {f["properties"]["stage"] for f in staff} & {1, 2}


def _public_spot(db_url: str) -> tuple[int, float, float]:
    """A stage-3 spot the public sees at its exact point (a category shown exactly)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM spot WHERE stage = 3 AND status <> 'merged'"
            " AND category = 'poor_lighting' AND location_precision = 'exact' ORDER BY id LIMIT 1"
        )
        return cur.fetchone()


def test_a_change_to_a_spot_shows_in_the_next_public_tile(client, db_url, tmp_path):
    spot_id, lon, lat = _public_spot(db_url)
    z = 16
    x, y = tile_of(lon, lat, z)

    def public_ids(name: str) -> set[int]:
        body = client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "spots"}).content
        return {f["properties"]["mvt_id"] for f in read_tile(body, z, x, y, tmp_path / name).get("spots", [])}

    before = matched(client)
    assert spot_id in public_ids("first") and spot_id in public_ids("again")  # the second from the cache
    district_count = sum(f["properties"]["count"] for f in cells(client, tmp_path))
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE spot SET stage = 2 WHERE id = %s", (spot_id,))  # any write, by any path
    assert spot_id not in public_ids("after")
    assert sum(f["properties"]["count"] for f in cells(client, tmp_path, name="later")) == district_count - 1
    assert matched(client) == before - 1


def test_a_signed_in_readers_tile_is_never_kept(client, viewer_headers):
    PUBLIC_TILES.clear()
    z, x, y = DISTRICT_TILE
    for path in (f"/tiles/{z}/{x}/{y}.pbf", f"/ogc/collections/spots/tiles/WebMercatorQuad/{z}/{y}/{x}"):
        assert client.get(path, headers=viewer_headers).status_code == 200
    assert len(PUBLIC_TILES) == 0
    public = client.get(f"/tiles/{z}/{x}/{y}.pbf")
    assert len(PUBLIC_TILES) == 1 and client.get(f"/tiles/{z}/{x}/{y}.pbf").content == public.content
