"""What the interactive map loads by viewport: spots or grid clusters, heat points, simplified areas (SQL)."""

from gis.db import Conn, dict_cursor, without_jit
from gis.publish.precision import grid_margin_degrees, public_geom
from gis.settings import get_settings
from gis.spots import (
    PUBLIC_GEOM,
    SPOT_FIELDS,
    SPOTS_WHERE,
    SpotFilter,
    filter_params,
    properties_sql,
    scope_condition,
)

MAX_SPOTS = 1500
CLUSTER_CELL_PX = 64
HEAT_CELL_PX = 8
SHAPE_MIN_ZOOM = 15
# The few public fields a marker needs, light enough for 1500 markers, and its shape when zoomed in.
MAP_PROPERTIES = properties_sql(
    SPOT_FIELDS,
    "s",
    ("id", "title", "stage", "category", "status", "report_count", "location_precision", "version"),
    extra=f"'shape', CASE WHEN %(zoom)s >= %(shape_zoom)s AND GeometryType({PUBLIC_GEOM}) <> 'POINT'"
    f" THEN ST_AsGeoJSON({PUBLIC_GEOM}, 6)::json END",
)
# The reader's spots in the viewport, found through the spatial index: the true geometry lies in the viewport
# (staff), or near it or anywhere for a category shown only at its neighbourhood's point (the public, whose
# public point SPOTS_WHERE then tests, so a small viewport never finds a true place).
VIEWPORT = (
    "ST_MakeEnvelope((%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2], (%(bbox)s::float8[])[3],"
    " (%(bbox)s::float8[])[4], 4326)"
)
VIEWPORT_WHERE = f"""{SPOTS_WHERE}
      AND (%(bbox)s::float8[] IS NULL
           OR %(scope_exact)s AND s.geom && {VIEWPORT}
           OR NOT %(scope_exact)s AND (s.category = ANY(%(precision_area)s::text[])
                                       OR s.geom && ST_Expand({VIEWPORT}, %(precision_margin)s)))
"""
COUNT_SQL = f"SELECT count(*) FROM (SELECT 1 FROM spot s {VIEWPORT_WHERE} LIMIT %(cap)s + 1) m"
SPOTS_SQL = f"""
    SELECT json_build_object('type', 'FeatureCollection', 'mode', 'spots',
        'features', coalesce(json_agg(json_build_object('type', 'Feature', 'id', s.id,
            'geometry', ST_AsGeoJSON(ST_PointOnSurface({PUBLIC_GEOM}), 6)::json,
            'properties', {MAP_PROPERTIES})
            ORDER BY s.priority DESC, s.id), '[]'::json))::text
    FROM spot s {VIEWPORT_WHERE}
"""
# Grid cells of `cell` degrees, each placed at the mean of its spots' points, with their bounds (a click zooms
# to them), how many they hold and the stage most of them are at (the lowest on a tie): counted per cell and
# stage by hashing, never by sorting every spot.
CLUSTERS_SQL = f"""
    WITH p AS (
        SELECT q.stage, ST_X(q.point) AS x, ST_Y(q.point) AS y
        FROM (SELECT s.stage, CASE WHEN GeometryType(g.geom) = 'POINT' THEN g.geom
                                   ELSE ST_PointOnSurface(g.geom) END AS point
              FROM spot s, LATERAL (SELECT {PUBLIC_GEOM} AS geom) g {VIEWPORT_WHERE} OFFSET 0) q
    ), part AS (
        SELECT floor(x / %(cell)s) AS cx, floor(y / %(cell)s) AS cy, stage, count(*) AS n, sum(x) AS sx,
               sum(y) AS sy, min(x) AS minx, min(y) AS miny, max(x) AS maxx, max(y) AS maxy
        FROM p GROUP BY 1, 2, 3
    ), cell AS (
        SELECT sum(n) AS n, sum(sx) / sum(n) AS x, sum(sy) / sum(n) AS y, min(minx) AS minx,
               min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy,
               (array_agg(stage ORDER BY n DESC, stage))[1] AS stage
        FROM part GROUP BY cx, cy
    )
    SELECT json_build_object('type', 'FeatureCollection', 'mode', 'clusters',
        'features', coalesce(json_agg(json_build_object('type', 'Feature',
            'geometry', json_build_object('type', 'Point', 'coordinates',
                                          json_build_array(round(x::numeric, 6), round(y::numeric, 6))),
            'properties', json_build_object('count', n, 'stage', stage,
                'bbox', json_build_array(minx, miny, maxx, maxy)))), '[]'::json))::text
    FROM cell
"""
# A report in the heatmap where the reader may see it: at its spot's category's public precision.
REPORT_GEOM = public_geom("r", category="s.category")
# About a metre in degrees: heat cells are never finer than the public grid for the public.
DEGREE_M = 111_320.0


def _cell_degrees(zoom: int, pixels: int) -> float:
    """The width in degrees of `pixels` screen pixels at this web-mercator zoom."""
    return 360.0 / (2**zoom) * pixels / 256.0


def map_spots(conn: Conn, spot_filter: SpotFilter, *, zoom: int, max_spots: int = MAX_SPOTS) -> str:
    """Spots in the viewport as light GeoJSON points; past `max_spots`, grid clusters instead (mode says
    which)."""
    params = filter_params(conn, spot_filter)
    params.update(
        cap=max_spots,
        zoom=zoom,
        shape_zoom=SHAPE_MIN_ZOOM,
        cell=_cell_degrees(zoom, CLUSTER_CELL_PX),
        precision_margin=grid_margin_degrees(),
    )
    # Compiling these queries to machine code costs more than it saves (as for tiles).
    without_jit(conn)
    with conn.cursor() as cur:
        cur.execute(COUNT_SQL, params)
        cur.execute(SPOTS_SQL if cur.fetchone()[0] <= max_spots else CLUSTERS_SQL, params)
        return cur.fetchone()[0]


def heat_points(conn: Conn, spot_filter: SpotFilter, *, zoom: int) -> str:
    """Reports in the viewport as [lat, lon, weight] on a grid fine enough for a heatmap, with the largest
    weight. The public's cells are no finer than the public grid, placed at the cell's centre, and hold at
    least k reports (public_min_count)."""
    params = filter_params(conn, spot_filter)
    cell = _cell_degrees(zoom, HEAT_CELL_PX)
    if not spot_filter.scope.exact:
        cell = max(cell, get_settings().public_grid_m / DEGREE_M)
    params["cell"] = cell
    # As for the spots: compiling costs more than it saves (1.3 s against a 0.5 s query at zoom 12).
    without_jit(conn)
    with conn.cursor() as cur:
        cur.execute(
            f"""
            WITH r AS (
                SELECT ST_PointOnSurface({REPORT_GEOM}) AS geom FROM report r
                JOIN spot s ON s.id = r.spot_id
                WHERE s.status <> 'merged' AND {scope_condition("s")} AND {REPORT_GEOM} IS NOT NULL
                  AND (%(stages)s::smallint[] IS NULL OR s.stage = ANY(%(stages)s))
                  AND (%(categories)s::text[] IS NULL OR s.category = ANY(%(categories)s))
                  AND (%(status)s::text IS NULL OR s.status = %(status)s)
                  AND (%(sources)s::text[] IS NULL OR r.source = ANY(%(sources)s))
                  AND (%(times)s::text[] IS NULL OR r.time_of_day = ANY(%(times)s))
                  AND (%(since)s::date IS NULL
                       OR r.reported_at >= (%(since)s::date::timestamp AT TIME ZONE %(tz)s))
                  AND (%(until)s::date IS NULL
                       OR r.reported_at < ((%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s))
                  AND (%(area)s::int IS NULL OR EXISTS (
                        SELECT 1 FROM area f WHERE f.id = %(area)s AND ST_Intersects(f.geom, {REPORT_GEOM})))
                  AND (%(bbox)s::float8[] IS NULL OR {REPORT_GEOM} && ST_MakeEnvelope((%(bbox)s::float8[])[1],
                        (%(bbox)s::float8[])[2], (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326))
            ), p AS (
                -- Columns, not functions in FROM: a function scan per report and axis cost 0.4 s at 250,000.
                SELECT x, y, floor(x / %(cell)s) AS cx, floor(y / %(cell)s) AS cy
                FROM (SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM r) xy
            ), cell AS (
                SELECT count(*) AS n,
                       CASE WHEN %(scope_exact)s THEN avg(y) ELSE (cy + 0.5) * %(cell)s END AS y,
                       CASE WHEN %(scope_exact)s THEN avg(x) ELSE (cx + 0.5) * %(cell)s END AS x
                FROM p
                GROUP BY cx, cy
                HAVING count(*) >= %(public_min_count)s
            )
            SELECT json_build_object('max', coalesce(max(n), 0), 'points', coalesce(json_agg(
                json_build_array(round(y::numeric, 5), round(x::numeric, 5), n)), '[]'::json))::text
            FROM cell
        """,
            params,
        )
        return cur.fetchone()[0]


def map_areas_geojson(conn: Conn) -> str:
    """Every area, simplified to about 5 m, for drawing under the spots (small enough to embed in the
    page)."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                json_build_object('type', 'Feature', 'id', a.code,
                    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, 0.00005), 5)::json,
                    'properties', json_build_object('code', a.code, 'level', a.level,
                                                    'name_fa', a.name_fa, 'name_en', a.name_en))
                ORDER BY a.level, a.code), '[]'::json))::text
            FROM area a
        """)
        return cur.fetchone()[0]


def map_reference(conn: Conn) -> dict[str, list[dict]]:
    """The stage, category and source rows the map styles and labels spots with."""
    queries = {
        "stages": "SELECT number, code, label_fa, label_en, colour FROM stage ORDER BY number",
        "categories": "SELECT code, label_fa, label_en, icon FROM category ORDER BY sort",
        "sources": "SELECT code, label_fa, label_en FROM source ORDER BY code",
    }
    found = {}
    with dict_cursor(conn) as cur:
        for name, query in queries.items():
            cur.execute(query)
            found[name] = [dict(row) for row in cur.fetchall()]
    return found
