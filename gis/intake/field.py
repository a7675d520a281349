"""What the tablet page carries with it so it works without a connection: its neighbourhoods and
categories."""

from gis import access
from gis.db import Conn, dict_cursor
from gis.users import User

NEIGHBOURHOODS_SQL = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
        json_build_object('type', 'Feature', 'id', a.code, 'geometry', ST_AsGeoJSON(a.geom, 6)::json,
                          'properties', json_build_object('code', a.code, 'name_fa', a.name_fa,
                                                          'name_en',
                                                          coalesce(a.name_en, a.name_latin, a.name_fa)))
        ORDER BY a.code), '[]'::json))::text
    FROM area a
    WHERE a.level = 'neighbourhood' AND (%(all)s OR a.id = ANY(%(ids)s))
"""


def field_neighbourhoods(conn: Conn, user: User) -> str:
    """The neighbourhoods this user reports in (a facilitator's own, everyone's for staff), as GeoJSON
    text."""
    with conn.cursor() as cur:
        every = access.scope_of(user.role, "report.submit") is not access.Scope.AREAS
        cur.execute(NEIGHBOURHOODS_SQL, {"all": every, "ids": list(user.area_ids)})
        return cur.fetchone()[0]


def field_categories(conn: Conn) -> list[dict]:
    """The categories in the programme's order, with their labels and icons."""
    with dict_cursor(conn) as cur:
        cur.execute("SELECT code, label_fa, label_en, icon FROM category ORDER BY sort")
        return [dict(row) for row in cur.fetchall()]
