"""Low zooms' grid cells count only what the reader may see; the public's tiles are kept in memory until a
spot under them changes, and a signed-in reader's tile is never kept."""

import psycopg2

from gis.access import EVERY_SPOT, PUBLIC_SPOTS, SpotScope
from gis.publish.tilecache import PUBLIC_TILES
from gis.publish.tiles import BOUNDS, KEPT_CELL_COUNTS, SPOT_CELL_COUNTS, reads_kept_cells, tile_params
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


def kept_and_counted(conn, z: int, x: int, y: int, scope: SpotScope, **filters) -> tuple[list, list]:
    """A tile's cells (cell, stage, count, mean point to a millimetre) read from the kept counts and counted
    from the spots themselves."""
    found = []
    for counts in (KEPT_CELL_COUNTS, SPOT_CELL_COUNTS):
        with conn.cursor() as cur:
            cur.execute(
                f"WITH {BOUNDS} SELECT cx, cy, stage, n, round((sx / n)::numeric, 3),"
                f" round((sy / n)::numeric, 3) FROM ({counts}) c ORDER BY 1, 2, 3",
                tile_params(z, x, y, scope=scope, **filters),
            )
            found.append(cur.fetchall())
    return found[0], found[1]


def test_kept_cell_counts_equal_the_spots_own_after_spots_change(db_url):
    spot_id, lon, lat = _public_spot(db_url)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot (geom, category, stage) VALUES"
            " (ST_SetSRID(ST_MakePoint(%s, %s), 4326), 'vacant_lot', 2),"
            " (ST_Buffer(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 0.001), 'park_corner', 3) RETURNING id",
            (lon + 0.002, lat, lon - 0.003, lat + 0.001),
        )
        added = [row[0] for row in cur.fetchall()]
        cur.execute("UPDATE spot SET geom = ST_Translate(geom, 0.004, -0.002) WHERE id = %s", (spot_id,))
        cur.execute(
            "UPDATE spot SET stage = 4 - stage % 2 WHERE id IN (SELECT id FROM spot ORDER BY id LIMIT 50)"
        )
        cur.execute(
            "UPDATE spot SET status = 'merged', merged_into = %s WHERE id = %s", (spot_id, added[0] - 1)
        )
        cur.execute("DELETE FROM spot WHERE id = %s", (added[0],))
        cur.execute("UPDATE spot SET report_count = report_count + 1")  # no cell changes
    readers = [
        (EVERY_SPOT, {}),
        (EVERY_SPOT, {"stages": [2, 3], "categories": ["poor_lighting", "park_corner", "vacant_lot"]}),
        (SpotScope(min_stage=3, names=False), {}),
    ]
    with psycopg2.connect(db_url) as conn:
        for z in range(9, 14):
            x, y = tile_of(lon, lat, z)
            for scope, filters in readers:
                kept, counted = kept_and_counted(conn, z, x, y, scope, **filters)
                assert kept == counted and kept, (z, scope, filters)
        assert not reads_kept_cells(PUBLIC_SPOTS)  # the public's points are moved: counted from its spots


def test_a_public_tile_asked_again_is_the_same_answer_and_never_a_signed_in_readers(client, viewer_headers):
    z, x, y = DISTRICT_TILE
    path = f"/tiles/{z}/{x}/{y}.pbf?layers=spots"
    first, again = client.get(path), client.get(path)  # the second from the cache, before routing
    assert again.content == first.content
    assert {k: v for k, v in again.headers.items() if k != "date"} == {
        k: v for k, v in first.headers.items() if k != "date"
    }
    assert client.get(path, headers={"if-none-match": first.headers["etag"]}).status_code == 304
    staff = client.get(path, headers=viewer_headers)
    assert staff.content != first.content and staff.headers["cache-control"] == "private, no-store"
