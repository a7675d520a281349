"""Local base maps: MBTiles, PMTiles and GeoTIFF files registered by the GIS office and served by the tool
itself, so a map on an intranet or a tablet needs no tile server on the internet.

Each file is read by a well-kept reader (sqlite3 for MBTiles, `pmtiles`, `rio-tiler` over rasterio for a
GeoTIFF, cut into web-mercator tiles as they are asked for); the registry is the `basemap` table.
"""

import math
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gis.db import Conn
from gis.errors import Conflict, InvalidInput, NotFound
from gis.publish.tiles import check_tile

KINDS = {".mbtiles": "mbtiles", ".pmtiles": "pmtiles", ".tif": "geotiff", ".tiff": "geotiff"}
MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/vnd.mapbox-vector-tile",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_GZIP = b"\x1f\x8b"
FIELDS = "name, kind, tile_format, path, attribution, min_zoom, max_zoom, id"


@dataclass
class Tile:
    """A tile's bytes as stored, with the type to serve them as (gzip for vector tiles stored compressed)."""

    body: bytes
    media_type: str
    gzip: bool = False


@dataclass
class TileSource:
    """What a file holds: its reader, the tiles' format and the zooms it covers."""

    kind: str
    tile_format: str
    min_zoom: int
    max_zoom: int


def inspect_file(path: Path) -> TileSource:
    """Which kind of base map `path` is and what it holds; InvalidInput naming the file when it is none."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput("file", "basemap_file_kind", path=path.name)
    if not path.is_file():
        raise InvalidInput("file", "path_missing", path=path)
    try:
        return {"mbtiles": _inspect_mbtiles, "pmtiles": _inspect_pmtiles, "geotiff": _inspect_geotiff}[kind](
            path
        )
    except InvalidInput:
        raise
    except Exception as exc:  # each reader fails its own way on a damaged file: one message names it
        raise InvalidInput("file", "basemap_unreadable", path=path.name, kind=kind, reason=str(exc)) from exc


def _format(name: str, path: Path) -> str:
    fmt = {"jpeg": "jpg", "mvt": "pbf"}.get(name.lower(), name.lower())
    if fmt not in MEDIA_TYPES:
        raise InvalidInput("file", "basemap_tile_format", path=path.name, format=name)
    return fmt


def _sniff(data: bytes) -> str:
    """A tile's format from its first bytes, for an MBTiles file whose metadata does not say."""
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "pbf"


def _mbtiles(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def _inspect_mbtiles(path: Path) -> TileSource:
    db = _mbtiles(path)
    try:
        meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        low, high, first = db.execute(
            "SELECT min(zoom_level), max(zoom_level), (SELECT tile_data FROM tiles LIMIT 1) FROM tiles"
        ).fetchone()
    finally:
        db.close()
    if first is None:
        raise InvalidInput("file", "basemap_no_tiles", path=path.name)
    fmt = _format(meta["format"], path) if meta.get("format") else _sniff(bytes(first))
    return TileSource(
        "mbtiles", fmt, int(meta.get("minzoom", low)), max(int(meta.get("maxzoom", high)), int(high))
    )


def _inspect_pmtiles(path: Path) -> TileSource:
    from pmtiles.tile import TileType

    header = _pmtiles_header(path)
    names = {TileType.MVT: "pbf", TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
    if header["tile_type"] not in names:
        raise InvalidInput("file", "basemap_tile_format", path=path.name, format=header["tile_type"].name)
    return TileSource("pmtiles", names[header["tile_type"]], header["min_zoom"], header["max_zoom"])


def _pmtiles_header(path: Path) -> dict:
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as handle:
        return dict(Reader(MmapSource(handle)).header())


def _inspect_geotiff(path: Path) -> TileSource:
    import rasterio
    from rio_tiler.io import Reader

    with rasterio.open(path) as dataset:
        if dataset.crs is None:
            raise InvalidInput("file", "geotiff_no_crs", path=path.name)
    with Reader(str(path)) as reader:
        low, high = int(reader.minzoom), int(reader.maxzoom)
    return TileSource("geotiff", "png", low, max(low, high))


def check_name(name: str) -> str:
    """A base map's name goes into its tiles' URL: lower-case letters, digits, '-' and '_'."""
    if not _NAME.match(name):
        raise InvalidInput("name", "basemap_name_characters", name=name)
    return name


def add_basemap(conn: Conn, source: Path, *, name: str, attribution: str, folder: Path) -> dict:
    """Register `source` as base map `name`, copying it into `folder` (the data folder): the tool serves the
    copy, so the original may move. The caller commits; on any error the copy is removed."""
    check_name(name)
    found = inspect_file(source)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM basemap WHERE name = %s", (name,))
        if cur.fetchone():
            raise Conflict("basemap_name_taken", field="name", name=name)
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / f"{name}{source.suffix.lower()}").resolve()
    shutil.copyfile(source, target)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO basemap (name, kind, tile_format, path, attribution, min_zoom, max_zoom)"
                f" VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {FIELDS}",
                (
                    name,
                    found.kind,
                    found.tile_format,
                    str(target),
                    attribution,
                    found.min_zoom,
                    found.max_zoom,
                ),
            )
            return _row(cur)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _row(cur) -> dict:
    names = [c.name for c in cur.description]
    return dict(zip(names, cur.fetchone()))


def list_basemaps(conn: Conn) -> list[dict]:
    """Every registered base map, in the order they were added (the first is shown by default)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {FIELDS} FROM basemap ORDER BY id")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def remove_basemap(conn: Conn, name: str) -> Path:
    """Unregister base map `name`; returns its copied file, for the caller to delete once committed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM basemap WHERE name = %s RETURNING path", (name,))
        row = cur.fetchone()
    if row is None:
        raise NotFound("no_such_basemap", field="name", name=name)
    return Path(row[0])


def basemap_tile(conn: Conn, name: str, z: int, x: int, y: int) -> Tile | None:
    """The tile z/x/y of base map `name` (XYZ numbering), or None where the file holds none."""
    check_tile(z, x, y)
    row = None
    if _NAME.match(name):  # a name no base map can have is not looked up
        with conn.cursor() as cur:
            cur.execute("SELECT kind, tile_format, path FROM basemap WHERE name = %s", (name,))
            row = cur.fetchone()
    if row is None or not Path(row[2]).is_file():  # a copy deleted by hand: as if never added
        raise NotFound("no_such_basemap", field="name", name=name)
    kind, fmt, path = row
    body = {"mbtiles": _mbtiles_tile, "pmtiles": _pmtiles_tile, "geotiff": _geotiff_tile}[kind](
        Path(path), z, x, y
    )
    if body is None:
        return None
    return Tile(body, MEDIA_TYPES[fmt], gzip=fmt == "pbf" and body.startswith(_GZIP))


def _mbtiles_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    db = _mbtiles(path)
    try:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),  # MBTiles number rows from the south (TMS)
        ).fetchone()
    finally:
        db.close()
    return bytes(row[0]) if row else None


def _pmtiles_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as handle:
        data = Reader(MmapSource(handle)).get(z, x, y)
    return bytes(data) if data else None


def _geotiff_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    from rio_tiler.errors import TileOutsideBounds
    from rio_tiler.io import Reader

    with Reader(str(path)) as reader:
        if not reader.tile_exists(x, y, z):
            return None
        try:
            image = reader.tile(x, y, z, tilesize=256)
        except TileOutsideBounds:
            return None
    return image.render(img_format="PNG")


# The zooms a facilitator's tablet keeps offline: the whole neighbourhood (12) down to a street's houses
# (17), within what the base map holds (Leaflet scales its deepest tiles further).
OFFLINE_ZOOMS = (12, 17)
# A size is measured on this many tiles, spread over the list, when there are more.
SIZE_SAMPLE = 48


def tiles_over(bbox: tuple[float, float, float, float], zooms: tuple[int, int]) -> list[tuple[int, int, int]]:
    """(z, x, y) of every tile over `bbox` (west, south, east, north in degrees) at each zoom of the range,
    with one more tile on each side: the tablet's screen shows a little around its neighbourhoods."""
    west, south, east, north = bbox
    found = []
    for z in range(zooms[0], zooms[1] + 1):
        last = 2**z - 1
        x0, y0 = _tile_xy(north, west, z)
        x1, y1 = _tile_xy(south, east, z)
        found += [
            (z, x, y)
            for x in range(max(0, x0 - 1), min(last, x1 + 1) + 1)
            for y in range(max(0, y0 - 1), min(last, y1 + 1) + 1)
        ]
    return found


def _tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat = max(-85.0511, min(85.0511, lat))
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


def offline_tiles(conn: Conn, name: str, bbox: tuple[float, float, float, float]) -> dict:
    """What keeping base map `name` offline over `bbox` takes: its zooms (OFFLINE_ZOOMS within the file's),
    the tiles, and their size in bytes, measured on the tiles themselves (on a spread sample when there are
    many: a GeoTIFF's tiles are cut as they are asked for)."""
    row = next((row for row in list_basemaps(conn) if row["name"] == name), None)
    if row is None:
        raise NotFound("no_such_basemap", field="basemap", name=name)
    low = min(max(OFFLINE_ZOOMS[0], row["min_zoom"]), row["max_zoom"])
    high = max(min(OFFLINE_ZOOMS[1], row["max_zoom"]), low)
    tiles = tiles_over(bbox, (low, high))
    step = max(1, len(tiles) // SIZE_SAMPLE)
    sample = tiles[step // 2 :: step]
    measured = [basemap_tile(conn, name, *tile) for tile in sample]
    average = sum(len(tile.body) for tile in measured if tile) / max(1, len(sample))
    return {"basemap": name, "zooms": [low, high], "tiles": tiles, "bytes": round(average * len(tiles))}
