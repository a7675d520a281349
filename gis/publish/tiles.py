"""Mapbox vector tiles of spots and areas, built by PostGIS (ST_AsMVT over ST_TileEnvelope), simplified by
zoom."""

from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.publish.precision import precision_params, public_geom
from gis.spots import (
    EVERY_SPOT,
    SPOT_FIELDS,
    SpotScope,
    check_categories,
    field_sql,
    scope_condition,
    spot_source,
)

MAX_ZOOM = 22
EXTENT = 4096
# Web Mercator's circumference in metres: one tile unit at zoom z is this / (EXTENT * 2^z).
WORLD_M = 40075016.68
LAYERS = ("spots", "areas")
AREA_LEVELS = ("district", "sub_district", "neighbourhood")

# A spot's public fields, the id becoming the feature's id; placed where the reader may see it (the public's
# tiles hold a spot only where its public point lies, so a deep zoom never narrows down the true one).
SPOTS_LAYER = (
    f"""
    SELECT ST_AsMVT(layer, 'spots', %(extent)s, 'geom', 'id') FROM (
        SELECT {", ".join(field_sql(SPOT_FIELDS, "t"))},
               ST_AsMVTGeom(ST_Simplify(ST_Transform(p.geom, 3857), %(tolerance)s, true),
                            b.envelope, %(extent)s, 64, true) AS geom
        FROM {spot_source("t")} CROSS JOIN LATERAL (SELECT {public_geom("t")} AS geom) p, bounds b
        WHERE t.status <> 'merged' AND p.geom && b.envelope_4326 AND """
    + scope_condition("t")
    + """
          AND (%(stages)s::smallint[] IS NULL OR t.stage = ANY(%(stages)s))
          AND (%(categories)s::text[] IS NULL OR t.category = ANY(%(categories)s))
    ) AS layer WHERE layer.geom IS NOT NULL
"""
)

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


def tile_sql(layers: tuple[str, ...] = LAYERS) -> str:
    """The one tile query for the asked layers (the API's and the benchmarks' raw-SQL limit run the same)."""
    parts = {"spots": SPOTS_LAYER, "areas": AREAS_LAYER}
    selects = " || ".join(f"coalesce(({parts[name]}), ''::bytea)" for name in layers)
    return f"""
        WITH bounds AS (
            SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope,
                   ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / %(extent)s), 4326)
                       AS envelope_4326)
        SELECT {selects}
    """


def tile_params(z: int, x: int, y: int, *, scope: SpotScope = EVERY_SPOT, **filters: object) -> dict:
    """What `tile_sql` binds for one tile: every spot and area level unless `filters` (stages, categories,
    levels, area_layer) narrow it; unchecked (`tile` checks them first)."""
    unfiltered = {"stages": None, "categories": None, "levels": list(AREA_LEVELS), "area_layer": "areas"}
    return {
        "z": z,
        "x": x,
        "y": y,
        "extent": EXTENT,
        "tolerance": tolerance(z),
        **unfiltered,
        **filters,
        **precision_params(scope),
    }


def tile(
    conn: Conn,
    z: int,
    x: int,
    y: int,
    *,
    layers: tuple[str, ...] = LAYERS,
    area_levels: tuple[str, ...] = AREA_LEVELS,
    area_layer: str = "areas",
    stages: list[int] | None = None,
    categories: list[str] | None = None,
    scope: SpotScope = EVERY_SPOT,
) -> bytes:
    """One tile with the asked layers (spots; areas of the given levels), as MVT bytes; empty when nothing
    is there."""
    check_tile(z, x, y)
    unknown = [name for name in layers if name not in LAYERS]
    if unknown or not layers:
        raise InvalidInput("layers", "among_layers", layers=", ".join(LAYERS))
    check_categories(conn, categories)
    levels = list(area_levels)
    params = tile_params(
        z, x, y, scope=scope, stages=stages, categories=categories, levels=levels, area_layer=area_layer
    )
    with conn.cursor() as cur:
        cur.execute(tile_sql(layers), params)
        return bytes(cur.fetchone()[0])


# OGC API collections served as tiles (WebMercatorQuad): collection id -> (layers, area levels).
TILED_COLLECTIONS = {
    "spots": (("spots",), AREA_LEVELS),
    "neighbourhoods": (("areas",), ("neighbourhood",)),
    "sub-districts": (("areas",), ("sub_district",)),
}


def collection_tile(
    conn: Conn, collection_id: str, z: int, x: int, y: int, *, scope: SpotScope = EVERY_SPOT
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
    return tile(conn, z, x, y, layers=layers, area_levels=levels, area_layer=collection_id, scope=scope)
