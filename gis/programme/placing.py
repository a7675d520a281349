"""Placing a spot: the GIS office puts it where it is, by dragging it or typing its coordinates.

A spot known only by its address or neighbourhood lies at the neighbourhood's point until then; once put by
hand its precision is "placed", and the move, from where to where, is in its history.
"""

from gis.access import SpotScope
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput
from gis.intake.files.rows import typed_point
from gis.intake.reports import placed_geometry
from gis.programme.workflow import _lock, _require
from gis.spots import record_event, scope_condition
from gis.users import User


def move_spot(
    conn: Conn,
    *,
    user: User,
    spot_id: int,
    version: int | None,
    geometry: dict | None = None,
    x: object = None,
    y: object = None,
    note: str = "",
) -> int:
    """Put the spot at `geometry` (dragged or drawn) or at x/y typed in any format an import reads; the
    version read must be the current one. Returns the new version."""
    user.require("spot.edit")
    spot = _lock(conn, user=user, spot_id=spot_id, version=version)
    _require(spot, 1, 2, 3, 4, statuses=("open", "resolved"))
    if geometry is None:
        if x is None or y is None or x == "" or y == "":
            raise InvalidInput("location", "give_geometry_or_x_y")
        lon, lat = typed_point(x, y)
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    geojson, area_id = placed_geometry(conn, geometry)
    with conn.cursor() as cur:
        cur.execute(
            """
            WITH before AS (SELECT geom, location_precision, area_id FROM spot WHERE id = %(id)s)
            UPDATE spot s SET geom = ST_SetSRID(ST_GeomFromGeoJSON(%(geom)s), 4326), area_id = %(area)s,
                              location_precision = 'placed', version = s.version + 1, updated_at = now()
            FROM before b WHERE s.id = %(id)s
            RETURNING s.version, ST_AsGeoJSON(b.geom, 7)::json, ST_AsGeoJSON(s.geom, 7)::json,
                      b.location_precision, b.area_id
            """,
            {"id": spot.id, "geom": geojson, "area": area_id},
        )
        new_version, before, after, precision, area_before = cur.fetchone()
        record_event(
            cur,
            spot.id,
            user,
            "moved",
            note.strip(),
            **{
                "from": before,
                "to": after,
                "precision": {"from": precision, "to": "placed"},
                "area": {"from": area_before, "to": area_id},
            },
        )
    return new_version


UNPLACED_SQL = f"""
    SELECT s.id, s.title, s.category, s.stage, s.version, s.location_precision, a.code AS area_code,
           a.name_fa AS area_fa, a.name_en AS area_en,
           ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat,
           ARRAY(SELECT DISTINCT r.address FROM report r WHERE r.spot_id = s.id AND r.address <> ''
                 ORDER BY r.address) AS addresses
    FROM spot s LEFT JOIN area a ON a.id = s.area_id
    WHERE s.status = 'open' AND s.location_precision IN ('address', 'neighbourhood')
      AND {scope_condition("s")}
    ORDER BY a.code, s.id
    LIMIT 2000
"""


def unplaced_spots(conn: Conn, *, scope: SpotScope) -> list[dict]:
    """The open spots known only by address or neighbourhood that the reader may see, to be placed; the
    point is their neighbourhood's, never a place (the public's scope holds none of them)."""
    with dict_cursor(conn) as cur:
        cur.execute(UNPLACED_SQL, scope.params())
        return [dict(row) for row in cur.fetchall()]


def spot_addresses(conn: Conn, spot_id: int) -> list[str]:
    """The addresses the spot's reports give, for the staff placing it."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT address FROM report WHERE spot_id = %s AND address <> '' ORDER BY address",
            (spot_id,),
        )
        return [row[0] for row in cur.fetchall()]
