"""Mapbox vector tiles of spots and areas, built by PostGIS (ST_AsMVT over ST_TileEnvelope), simplified by
zoom; spots gathered into grid cells at low zooms; the public's tiles cached until the spots change."""

from collections.abc import Hashable

from gis.access import PUBLIC_SPOTS
from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.places.areas import LEVELS
from gis.publish.precision import grid_margin_degrees, precision_params, public_geom
from gis.publish.tilecache import GENERATION_SQL, PUBLIC_TILES, generation
from gis.spots import EVERY_SPOT, SpotScope, check_categories, scope_condition

MAX_ZOOM = 22
EXTENT = 4096
# Web Mercator's circumference in metres: one tile unit at zoom z is this / (EXTENT * 2^z).
WORLD_M = 40075016.68
LAYERS = ("spots", "areas")

# Up to this zoom a tile holds grid cells (count, dominant stage) instead of every spot, as tile servers do
# for millions of points; past it, each spot with only what a map styles it by (the rest comes on click from
# /api/spots/{id}).
CELL_MAX_ZOOM = 13
# Cells per tile side: 16 cells of 16 pixels on a 256-pixel tile.
CELLS = 16
# The coarsest cell level migration 0023 keeps; lower zooms gather its cells.
MIN_CELL_LEVEL = 10
POINT_FIELDS = ("stage", "category", "location_precision")


# The spots the reader may see near the tile, each with the point the reader may see it at: the public's
# tiles hold a spot only where its public point lies, so a deep zoom never narrows down the true one. The
# index finds the candidates: a public point lies within the public grid of its true place, or at its
# neighbourhood's point for the categories shown only by neighbourhood. OFFSET 0 draws each spot's point
# once rather than once per use.
VISIBLE_SPOTS = (
    f"""
    SELECT t.id, t.stage, t.category, t.location_precision, {public_geom("t")} AS geom
    FROM spot t, bounds b
    WHERE t.status <> 'merged'
      AND (%(scope_exact)s AND t.geom && b.envelope_4326
           OR NOT %(scope_exact)s AND (t.geom && ST_Expand(b.envelope_4326, %(precision_margin)s)
                                      OR t.category = ANY(%(precision_area)s::text[])))
      AND """
    + scope_condition("t")
    + """
      AND (%(stages)s::smallint[] IS NULL OR t.stage = ANY(%(stages)s))
      AND (%(categories)s::text[] IS NULL OR t.category = ANY(%(categories)s))
    OFFSET 0"""
)

# Each spot, the id becoming the feature's id.
SPOTS_LAYER = f"""
    SELECT ST_AsMVT(layer, 'spots', %(extent)s, 'geom', 'id') FROM (
        SELECT v.id, {", ".join(f"v.{name}" for name in POINT_FIELDS)},
               ST_AsMVTGeom(ST_Simplify(ST_Transform(v.geom, 3857), %(tolerance)s, true),
                            b.envelope, %(extent)s, 64, true) AS geom
        FROM ({VISIBLE_SPOTS}) v, bounds b
        WHERE v.geom && b.envelope_4326
    ) AS layer WHERE layer.geom IS NOT NULL
"""

# Per cell of the tile's 16 × 16 grid and stage: how many spots, and the sums of their Web Mercator
# coordinates. Cells are numbered across the world at a cell level (migration 0023's cell_index: level z is
# zoom z's grid; below zoom 10, level 10's cells shifted together); each spot is counted in one tile only.
# Counted here from the spots the reader may see, at their visible points, by hashing (never sorting them).
SPOT_CELL_COUNTS = f"""
    SELECT m.cx, m.cy, m.stage, count(*) AS n, sum(m.x) AS sx, sum(m.y) AS sy
    FROM (
        SELECT p.stage, p.x, p.y, (cell_index(p.x, %(level)s) >> %(shift)s) - %(gx0)s AS cx,
               (cell_index(p.y, %(level)s) >> %(shift)s) - %(gy0)s AS cy
        FROM (
            SELECT q.stage, mercator_x(q.point) AS x, mercator_y(q.point) AS y
            FROM (SELECT v.stage, cell_point(v.geom) AS point FROM ({VISIBLE_SPOTS}) v) q
            OFFSET 0) p
    ) m
    WHERE m.cx >= 0 AND m.cx < {CELLS} AND m.cy >= 0 AND m.cy < {CELLS}
    GROUP BY m.cx, m.cy, m.stage
"""

# The same, read from the counts kept per cell (migration 0023's spot_cell, a few thousand rows for a tile of
# 100,000 spots): only for readers who see every spot at its true place, whom only the stage filters.
KEPT_CELL_COUNTS = f"""
    SELECT (c.gx >> %(shift)s) - %(gx0)s AS cx, (c.gy >> %(shift)s) - %(gy0)s AS cy, c.stage,
           sum(c.n) AS n, sum(c.sx) AS sx, sum(c.sy) AS sy
    FROM spot_cell c
    WHERE c.level = %(level)s
      AND c.gx BETWEEN %(gx0)s << %(shift)s AND ((%(gx0)s + {CELLS}) << %(shift)s) - 1
      AND c.gy BETWEEN %(gy0)s << %(shift)s AND ((%(gy0)s + {CELLS}) << %(shift)s) - 1
      AND c.stage >= %(scope_stage)s
      AND (%(stages)s::smallint[] IS NULL OR c.stage = ANY(%(stages)s))
      AND (%(categories)s::text[] IS NULL OR c.category = ANY(%(categories)s))
    GROUP BY 1, 2, 3
"""

# Each cell placed at the mean of its spots' points, with how many it holds and the stage most of them are at
# (the lowest on a tie).
CELLS_LAYER = """
    SELECT ST_AsMVT(layer, 'spots', %(extent)s, 'geom') FROM (
        SELECT sum(c.n)::int AS count, (array_agg(c.stage ORDER BY c.n DESC, c.stage))[1] AS stage,
               ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sum(c.sx) / sum(c.n), sum(c.sy) / sum(c.n)), 3857),
                            (SELECT envelope FROM bounds), %(extent)s, 0, false) AS geom
        FROM ({counts}) c
        GROUP BY c.cx, c.cy
    ) AS layer
"""

AREAS_LAYER = """
    SELECT ST_AsMVT(layer, %(area_layer)s, %(extent)s, 'geom', 'id') FROM (
        SELECT t.id, t.code, t.level, t.name_fa, t.name_en, t.population,
               ST_AsMVTGeom(ST_SimplifyPreserveTopology(ST_Transform(t.geom, 3857), %(tolerance)s),
                            b.envelope, %(extent)s, 64, true) AS geom
        FROM area t, bounds b
        WHERE t.geom && b.envelope_4326 AND t.level = ANY(%(levels)s)
    ) AS layer WHERE layer.geom IS NOT NULL
"""


def check_tile(z: int, x: int, y: int) -> None:
    """z 0–22 and x, y inside the zoom level's matrix, else an error naming the coordinate."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput("z", "zoom_out_of_range", max_zoom=MAX_ZOOM)
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2**z:
            raise InvalidInput(name, "tile_out_of_range", max_xy=2**z - 1, z=z)


def tolerance(z: int) -> float:
    """Simplify by one tile unit (in metres of Web Mercator): finer than a tile can show is wasted bytes."""
    return WORLD_M / (EXTENT * 2**z)


# The tile's envelope in Web Mercator, and with a margin in WGS 84 (what the spot index is searched by).
BOUNDS = """bounds AS (
    SELECT e.envelope,
           ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / %(extent)s), 4326)
               AS envelope_4326
    FROM (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope) e)"""


def tile_sql(layers: tuple[str, ...] = LAYERS, z: int = MAX_ZOOM, *, kept_cells: bool = False) -> str:
    """The one tile query for the asked layers at zoom `z` (cells up to CELL_MAX_ZOOM, read from the kept
    counts when `kept_cells`), and the tile generation read in the same snapshot (gis/publish/tilecache)."""
    cells = CELLS_LAYER.format(counts=KEPT_CELL_COUNTS if kept_cells else SPOT_CELL_COUNTS)
    parts = {"spots": cells if z <= CELL_MAX_ZOOM else SPOTS_LAYER, "areas": AREAS_LAYER}
    selects = " || ".join(f"coalesce(({parts[name]}), ''::bytea)" for name in layers)
    return f"WITH {BOUNDS} SELECT {selects}, {GENERATION_SQL}"


def reads_kept_cells(scope: SpotScope) -> bool:
    """Whether the kept counts per cell (migration 0023) answer this reader's low-zoom tiles: they count every
    spot at its true place, so only for readers who see all of them there (the stage filter applies); the
    public (points moved by the precision settings) and readers limited to areas or an agency's spots get
    theirs counted from the spots."""
    return scope.exact and scope.area_ids is None and scope.agency_id is None


def tile_params(z: int, x: int, y: int, *, scope: SpotScope = EVERY_SPOT, **filters: object) -> dict:
    """What `tile_sql` binds for one tile: every spot and area level unless `filters` (stages, categories,
    levels, area_layer) narrow it; unchecked (`tile` checks them first)."""
    unfiltered = {"stages": None, "categories": None, "levels": list(LEVELS), "area_layer": "areas"}
    level = max(z, MIN_CELL_LEVEL)
    return {
        "z": z,
        "x": x,
        "y": y,
        "extent": EXTENT,
        "tolerance": tolerance(z),
        # The tile's first cell, west and south, at zoom z's grid; cells of `level` shifted down to it.
        "level": level,
        "shift": level - z,
        "gx0": CELLS * x,
        "gy0": CELLS * (2**z - 1 - y),
        **unfiltered,
        **filters,
        **precision_params(scope),
        "precision_margin": grid_margin_degrees(),
    }


def tile(
    conn: Conn,
    z: int,
    x: int,
    y: int,
    *,
    layers: tuple[str, ...] = LAYERS,
    area_levels: tuple[str, ...] = LEVELS,
    area_layer: str = "areas",
    stages: list[int] | None = None,
    categories: list[str] | None = None,
    scope: SpotScope = EVERY_SPOT,
    alias: Hashable | None = None,
) -> bytes:
    """One tile with the asked layers (spots; areas of the given levels), as MVT bytes; empty when nothing
    is there. A public tile is kept under `alias` too (gis/publish/tilecache.py)."""
    check_tile(z, x, y)
    unknown = [name for name in layers if name not in LAYERS]
    if unknown or not layers:
        raise InvalidInput("layers", "among_layers", layers=", ".join(LAYERS))
    check_categories(conn, categories)
    levels = list(area_levels)
    params = tile_params(
        z, x, y, scope=scope, stages=stages, categories=categories, levels=levels, area_layer=area_layer
    )
    # The anonymous public's tiles are the same for all of them: kept, and served while nothing under them
    # changed. Anyone signed in gets theirs drawn for them and never kept.
    public = scope is PUBLIC_SPOTS
    key = (conn.info.host, conn.info.port, conn.info.dbname, z, x, y, layers, _frozen(params))
    if public:
        found = PUBLIC_TILES.get(key, generation(conn))
        if found is not None:
            return found
    with conn.cursor() as cur:
        # Compiling a tile query to machine code costs more than it saves (tens of ms on every cell tile).
        cur.execute("SET LOCAL jit = off; " + tile_sql(layers, z, kept_cells=reads_kept_cells(scope)), params)
        body, drawn_from = cur.fetchone()
    body = bytes(body)
    if public:
        PUBLIC_TILES.put(key, drawn_from, body, alias)
    return body


def _frozen(params: dict) -> tuple:
    """The bound parameters as a hashable cache key part (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


# OGC API collections served as tiles (WebMercatorQuad): collection id -> (layers, area levels).
TILED_COLLECTIONS = {
    "spots": (("spots",), LEVELS),
    "neighbourhoods": (("areas",), ("neighbourhood",)),
    "sub-districts": (("areas",), ("sub_district",)),
}


def collection_tile(
    conn: Conn,
    collection_id: str,
    z: int,
    x: int,
    y: int,
    *,
    scope: SpotScope = EVERY_SPOT,
    alias: Hashable | None = None,
) -> bytes:
    """One collection's tile, its layer named after the collection (the OGC API – Tiles path)."""
    if collection_id not in TILED_COLLECTIONS:
        raise NotFound(
            "no_tiles",
            collection_id=collection_id,
            tiled_collections=", ".join(TILED_COLLECTIONS),
            field="collectionId",
        )
    layers, levels = TILED_COLLECTIONS[collection_id]
    return tile(
        conn, z, x, y, layers=layers, area_levels=levels, area_layer=collection_id, scope=scope, alias=alias
    )
