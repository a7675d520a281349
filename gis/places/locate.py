"""Where a reported point lies: which neighbourhood, or why it cannot be accepted."""

from gis.db import Conn
from gis.errors import InvalidInput

# How far outside the loaded areas a point may fall and still be taken (GPS noise at the boundary).
TOLERANCE_M = 100.0

LOCATE_SQL = """
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom)
    SELECT near.id, ST_Distance(near.geom::geography, p.geom::geography) AS metres
    FROM p, LATERAL (
        SELECT a.id, a.geom FROM area a WHERE a.level = 'neighbourhood' ORDER BY a.geom <-> p.geom LIMIT 8
    ) AS near
    ORDER BY metres
    LIMIT 1
"""


def locate(conn: Conn, *, lon: float, lat: float, field: str = "location") -> int:
    """The id of the neighbourhood that holds the point; InvalidInput if it lies outside every one."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(field, "longitude_latitude_pair_degrees", lon=lon, lat=lat)
    with conn.cursor() as cur:
        cur.execute(LOCATE_SQL, {"lon": lon, "lat": lat})
        row = cur.fetchone()
        if row is None:
            raise InvalidInput(field, "neighbourhoods_are_loaded_run_safemap")
        area_id, metres = row
        if metres <= TOLERANCE_M:
            return area_id
        cur.execute(LOCATE_SQL, {"lon": lat, "lat": lon})
        swapped = cur.fetchone()
    if swapped is not None and swapped[1] <= TOLERANCE_M:
        raise InvalidInput(field, "latitude_longitude_look_swapped_inside", lat=lat, lon=lon)
    raise InvalidInput(
        field,
        "outside_district_km_from_nearest",
        lon=lon,
        lat=lat,
        km=metres / 1000,
    )
