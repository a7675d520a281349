"""Address search on every map: neighbourhoods by any of their names (the one resolver's names and aliases),
landmarks by name, streets of a loaded street layer, and coordinates typed in any form the importer reads.

Nothing here reads spots or reports: what it answers is public base data.
"""

import re

from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.files.rows import number, to_degrees
from gis.lang import latin_digits, match_key
from gis.places.neighbourhoods import neighbourhood_names

MAX_QUERY = 200
LIMIT = 10
# Between the two numbers of a coordinate pair: a separator, a comma and a space, or spaces alone.
_SPLITS = (re.compile(r"\s*[;/|]\s*"), re.compile(r",\s+"), re.compile(r"\s*,\s*"), re.compile(r"\s+"))
_AFTER_HEMISPHERE = re.compile(r"(?<=[NSEWnsew])\s+")

AREAS = """
    SELECT code, name_fa, name_en, ST_X(p), ST_Y(p), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
    FROM area, ST_PointOnSurface(geom) p, Box2D(geom) b WHERE id = ANY(%(ids)s) ORDER BY code
"""
LANDMARKS = """
    SELECT kind, name_fa, name_en, ST_X(geom), ST_Y(geom) FROM landmark
    WHERE name_key LIKE %(pattern)s OR lower(name_en) LIKE %(pattern)s
    ORDER BY name_key NOT LIKE %(prefix)s, length(name_key) LIMIT %(limit)s
"""
STREETS = """
    SELECT name, ST_X(p), ST_Y(p), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
        SELECT min(name) AS name, ST_Collect(geom) AS geom, bool_or(name_key LIKE %(prefix)s) AS starts
        FROM street WHERE name_key LIKE %(pattern)s GROUP BY name_key
    ) s, ST_ClosestPoint(s.geom, ST_Centroid(s.geom)) p, Box2D(s.geom) b
    ORDER BY NOT s.starts, length(s.name) LIMIT %(limit)s
"""


def search_places(conn: Conn, query: str, *, lang: str = "fa", limit: int = LIMIT) -> list[dict]:
    """What `query` may name, best first: a coordinate pair, then neighbourhoods, landmarks and streets.
    Each result has a kind, a label in `lang`, a point to go to and, for areas and streets, their bounds."""
    text = query.replace("\x00", "").strip()
    if not text:
        raise InvalidInput("q", "required")
    if len(text) > MAX_QUERY:
        raise InvalidInput("q", "at_most_n_characters", limit=MAX_QUERY)
    point = parse_coordinates(text)
    if point is not None and not _in_areas(conn, *point) and _in_areas(conn, point[1], point[0]):
        point = point[1], point[0]  # typed longitude first, without hemispheres
    results = [] if point is None else [_result("coordinates", _point_label(*point), *point)]
    key = match_key(text)
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params = {"pattern": pattern, "prefix": pattern[1:], "limit": limit}
    results += _neighbourhoods(conn, key, lang)
    with conn.cursor() as cur:
        cur.execute(LANDMARKS, params)
        for kind, name_fa, name_en, lon, lat in cur.fetchall():
            results.append(_result(kind, (name_en if lang == "en" else None) or name_fa, lon, lat))
        cur.execute(STREETS, params)
        for name, lon, lat, *bbox in cur.fetchall():
            results.append(_result("street", name, lon, lat, bbox))
    return results[:limit]


def _in_areas(conn: Conn, lon: float, lat: float) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM area"
            " WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)))",
            (lon, lat),
        )
        return cur.fetchone()[0]


def _result(
    kind: str, label: str, lon: float, lat: float, bbox: list[float] | None = None, code: str | None = None
) -> dict:
    return {
        "kind": kind,
        "label": label,
        "code": code,
        "lon": round(lon, 6),
        "lat": round(lat, 6),
        "bbox": bbox,
    }


def _point_label(lon: float, lat: float) -> str:
    return f"{lat:.6f}, {lon:.6f}"


def _neighbourhoods(conn: Conn, key: str, lang: str) -> list[dict]:
    """Neighbourhoods whose code, name or local name (Abshar, Daryacheh) holds the query, the whole name
    first."""
    names = neighbourhood_names(conn)
    bare = key.removeprefix("محله ")
    exact = [names[k][0] for k in (key, bare) if k in names]
    partial = [area_id for name, (area_id, code) in names.items() if bare in name and name != code]
    ids = list(dict.fromkeys(exact + (partial if len(bare) >= 2 else [])))
    if not ids:
        return []
    with conn.cursor() as cur:
        cur.execute(AREAS, {"ids": ids})
        rows = {code: row for code, *row in cur.fetchall()}
    order = {area_id: n for n, area_id in enumerate(ids)}
    by_id = {names[code][0]: code for code in rows if code in names}
    results = []
    for area_id in sorted(by_id, key=order.__getitem__):
        name_fa, name_en, lon, lat, *bbox = rows[by_id[area_id]]
        label = (name_en if lang == "en" else None) or name_fa
        results.append(_result("neighbourhood", label, lon, lat, bbox, code=by_id[area_id]))
    return results


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lon, lat) of a typed pair — decimal degrees, 35°45'12"N 51°11'32"E, Persian digits, or UTM 39N
    metres, as the importer reads them; latitude first unless the hemispheres or the values say otherwise.
    None when the text is not a pair."""
    plain = latin_digits(text).strip()
    for split in (_AFTER_HEMISPHERE, *_SPLITS):
        parts = split.split(plain)
        if len(parts) != 2 or not all(parts):
            continue
        try:
            first, second = (number("q", part) for part in parts)
        except InvalidInput:
            continue
        point = _ordered(parts, first, second)
        if point is not None:
            return point
    return None


def _ordered(parts: list[str], first: float, second: float) -> tuple[float, float] | None:
    """(lon, lat) of two numbers typed in either order."""
    ends = [part.rstrip()[-1:].upper() for part in parts]
    if ends[0] in ("E", "W") or ends[1] in ("N", "S"):
        lon, lat = first, second
    elif abs(first) <= 90 and abs(second) <= 180:
        lon, lat = second, first  # as maps copy a point: latitude, longitude
    elif abs(first) <= 180 and abs(second) <= 90:
        lon, lat = first, second
    else:
        easting, northing = (first, second) if first < second else (second, first)
        try:
            lon, lat = to_degrees(easting, northing)
        except InvalidInput:
            return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat
