"""Small base map files made by the tests themselves: an MBTiles (sqlite3), a PMTiles (the pmtiles writer) and
a GeoTIFF (rasterio) over District 22, each with tiles where the map page opens."""

import gzip
import io
import math
import sqlite3
from pathlib import Path

from PIL import Image

# The map page opens at zoom 12 on (35.73, 51.12): tiles around it, at that zoom and the two below.
CENTRE = (35.73, 51.12)
ZOOMS = (10, 11, 12)


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tiles_around(radius: int = 4) -> list[tuple[int, int, int]]:
    """(z, x, y) of every tile within `radius` tiles of the page's centre, at each zoom of ZOOMS."""
    found = []
    for z in ZOOMS:
        cx, cy = tile_of(*CENTRE, z)
        found += [
            (z, x, y)
            for x in range(cx - radius, cx + radius + 1)
            for y in range(cy - radius, cy + radius + 1)
        ]
    return found


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, "PNG")
    return buffer.getvalue()


def mvt_tiles(conn) -> dict[tuple[int, int, int], bytes]:
    """Vector tiles (MVT) of the database's areas around the page's centre, made by PostGIS."""
    tiles = {}
    with conn.cursor() as cur:
        for z, x, y in tiles_around():
            cur.execute(
                "SELECT ST_AsMVT(q, 'areas', 4096, 'geom') FROM (SELECT code, ST_AsMVTGeom(ST_Transform(geom,"
                " 3857), ST_TileEnvelope(%s, %s, %s)) AS geom FROM area"
                " WHERE ST_Transform(geom, 3857) && ST_TileEnvelope(%s, %s, %s)) q",
                (z, x, y, z, x, y),
            )
            body = bytes(cur.fetchone()[0] or b"")
            if body:
                tiles[(z, x, y)] = body
    return tiles


def make_mbtiles(
    path: Path, colour: tuple[int, int, int] = (200, 230, 200), *, vector: dict | None = None
) -> Path:
    """An MBTiles file of PNG tiles, or of the gzipped `vector` tiles (rows numbered from the south, as the
    format says)."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name text, value text);"
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
    )
    db.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [
            ("name", "test"),
            ("format", "pbf" if vector else "png"),
            ("minzoom", str(min(ZOOMS))),
            ("maxzoom", str(max(ZOOMS))),
        ],
    )
    body = png(colour)
    tiles = {key: gzip.compress(data) for key, data in vector.items()} if vector else None
    db.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, 2**z - 1 - y, tiles[(z, x, y)] if tiles else body) for z, x, y in tiles or tiles_around()],
    )
    db.commit()
    db.close()
    return path


def make_pmtiles(
    path: Path, colour: tuple[int, int, int] = (200, 200, 240), *, vector: dict | None = None
) -> Path:
    """A PMTiles archive of PNG tiles, or of the `vector` tiles uncompressed, written by the pmtiles
    package."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    body = png(colour)
    tiles = {zxy_to_tileid(*key): data for key, data in vector.items()} if vector else None
    with write(str(path)) as writer:
        for tile_id in sorted(tiles or (zxy_to_tileid(z, x, y) for z, x, y in tiles_around())):
            writer.write_tile(tile_id, tiles[tile_id] if tiles else body)
        writer.finalize(
            {
                "tile_type": TileType.MVT if vector else TileType.PNG,
                "tile_compression": Compression.NONE,
                "min_zoom": min(ZOOMS),
                "max_zoom": max(ZOOMS),
                "min_lon_e7": int(51.0 * 1e7),
                "min_lat_e7": int(35.6 * 1e7),
                "max_lon_e7": int(51.3 * 1e7),
                "max_lat_e7": int(35.85 * 1e7),
                "center_zoom": 12,
                "center_lon_e7": int(CENTRE[1] * 1e7),
                "center_lat_e7": int(CENTRE[0] * 1e7),
            },
            {"name": "test"},
        )
    return path


def make_geotiff(path: Path, colour: tuple[int, int, int] = (240, 220, 180)) -> Path:
    """A 3-band 8-bit orthophoto in UTM 39N over the west of District 22, as municipal offices hold them."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    # About 51.05–51.20 E, 35.68–35.78 N in UTM 39N metres, 50 m pixels.
    west, north, size = 504_500, 3_960_000, 50
    width, height = 280, 230
    data = np.empty((3, height, width), dtype="uint8")
    for band, value in enumerate(colour):
        data[band] = value
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=3,
        dtype="uint8",
        crs="EPSG:32639",
        transform=from_origin(west, north, size, size),
    ) as dataset:
        dataset.write(data)
    return path
