"""Street centrelines the GIS office already holds (a Shapefile or GeoPackage with a name column): loaded into
PostGIS, drawn on the maps by viewport and searched by name."""

import json
from pathlib import Path

from gis.db import Conn
from gis.errors import InvalidInput
from gis.lang import match_key, normalise_persian
from gis.places.areas import read_area_file

# Column names a street layer's name is found under, when the office does not name it (lower-cased).
NAME_COLUMNS = ("name_fa", "name", "nam", "street", "street_name", "streetname", "نام", "نام_خیابان", "esm")
MAX_FEATURES = 5000  # one viewport's answer: past this the map asks the reader to zoom in

STREETS_BY_BBOX = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', s.id, 'properties', json_build_object('name', s.name),
        'geometry', ST_AsGeoJSON(ST_Simplify(s.geom, %(tolerance)s), 6)::json)), '[]'::json))
    FROM (SELECT id, name, geom FROM street
          WHERE geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
          ORDER BY id LIMIT %(limit)s) s
"""


def load_streets(conn: Conn, path: Path, *, name_column: str | None = None) -> int:
    """Load the line features of `path` with their names (replacing a layer loaded before from a file of the
    same name); returns how many streets were loaded. Features without a name or a line are refused by
    number."""
    frame = read_area_file(path)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if name_column is not None and name_column not in columns:
        raise InvalidInput("name", "column_file_columns", given=name_column, columns=", ".join(columns))
    lowered = {c.lower(): c for c in columns}
    column = name_column or next((lowered[c] for c in NAME_COLUMNS if c in lowered), None)
    if column is None:
        raise InvalidInput("name", "streets_name_column", columns=", ".join(columns))
    rows = []
    for number, (name, geom) in enumerate(zip(frame[column], frame.geometry), start=1):
        if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
            kind = "empty" if geom is None or geom.is_empty else geom.geom_type
            raise InvalidInput(f"feature {number}: geometry", "streets_not_a_line", geom_type=kind)
        text = normalise_persian(str(name or "").strip()) if name == name else ""  # NaN: no name
        if text:
            rows.append((text, match_key(text), path.name, json.dumps(geom.__geo_interface__)))
    with conn.cursor() as cur:
        cur.execute("DELETE FROM street WHERE source = %s", (path.name,))
        cur.executemany(
            "INSERT INTO street (name, name_key, source, geom)"
            " VALUES (%s, %s, %s, ST_Multi(ST_GeomFromGeoJSON(%s)))",
            rows,
        )
    return len(rows)


def has_streets(conn: Conn) -> bool:
    """Whether any street layer was loaded: the maps offer the layer only then."""
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM street)")
        return cur.fetchone()[0]


def streets_geojson(conn: Conn, west: float, south: float, east: float, north: float) -> str:
    """The streets in a viewport as GeoJSON, simplified to about a pixel of that viewport."""
    tolerance = max(east - west, north - south) / 2000
    with conn.cursor() as cur:
        cur.execute(
            STREETS_BY_BBOX,
            {
                "west": west,
                "south": south,
                "east": east,
                "north": north,
                "tolerance": tolerance,
                "limit": MAX_FEATURES,
            },
        )
        return json.dumps(cur.fetchone()[0], ensure_ascii=False)
