"""Areas: district → sub-district → neighbourhood polygons, their import and their GeoJSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gis.db import Conn, one_value
from gis.errors import InvalidInput, NotFound
from gis.lang import normalise_persian

if TYPE_CHECKING:
    import geopandas as gpd

LEVELS = ("district", "sub_district", "neighbourhood")

# Header names seen in municipal layers, by the column they fill (first match wins).
FIELD_ALIASES = {
    "code": ("code", "mahalle_code", "naheh_code", "nahieh_code", "kod", "کد"),
    "name_fa": ("name_fa", "name", "nam", "نام", "name_p", "mahalle", "naheh"),
    "name_en": ("name_en", "name_e", "english"),
    "name_latin": ("name_latin",),
    "population": ("population", "pop", "jamiat", "جمعیت"),
}


@dataclass(frozen=True)
class AreaImport:
    """What `import_areas` did: how many areas were added and how many were updated."""

    inserted: int
    updated: int


def read_area_file(path: Path) -> gpd.GeoDataFrame:
    """Read any layer GDAL reads (GeoJSON, GeoPackage, Shapefile or a zipped one) in WGS 84."""
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    # Imported here: geopandas (and pandas) takes seconds to load, which every server and CLI start would pay.
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # GDAL raises many kinds; any of them means "not a readable layer"
        raise InvalidInput("file", "readable_gis_layer", path_name=path.name, exc=exc) from exc
    if frame.crs is None:
        raise InvalidInput("file", "has_coordinate_reference_system", path_name=path.name)
    return frame.to_crs(4326)


def _pick(columns: list[str], field: str, given: str | None) -> str | None:
    if given:
        if given not in columns:
            raise InvalidInput(field, "column_file_columns", given=given, columns=", ".join(columns))
        return given
    lowered = {c.lower(): c for c in columns}
    return next((lowered[a] for a in FIELD_ALIASES[field] if a in lowered), None)


def import_areas(
    conn: Conn,
    frame: gpd.GeoDataFrame,
    *,
    level: str,
    code_field: str | None = None,
    name_field: str | None = None,
    code_prefix: str = "",
) -> AreaImport:
    """Insert or update areas of one level, then re-link every area to the one that contains it."""
    if level not in LEVELS:
        raise InvalidInput("level", "one_of", choices=", ".join(LEVELS))
    columns = [c for c in frame.columns if c != frame.geometry.name]
    code_col = _pick(columns, "code", code_field)
    name_col = _pick(columns, "name_fa", name_field)
    if name_col is None:
        raise InvalidInput("name_fa", "name_column_found_name_with", columns=columns)
    en_col, latin_col, pop_col = (_pick(columns, f, None) for f in ("name_en", "name_latin", "population"))
    inserted = updated = 0
    with conn.cursor() as cur:
        for number, row in enumerate(frame.itertuples(index=False), start=1):
            values = row._asdict()
            geom = values[frame.geometry.name]
            where = f"feature {number}"
            if geom is None or geom.is_empty:
                raise InvalidInput(f"{where}: geometry", "empty_geometry")
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise InvalidInput(f"{where}: geometry", "not_a_polygon", geom_type=geom.geom_type)
            code = str(values[code_col]).strip() if code_col else str(number)
            code = code_prefix + (code[:-2] if code.endswith(".0") else code)
            name = normalise_persian(str(values[name_col] or "").strip())
            if not name:
                raise InvalidInput(f"{where}: name_fa", "empty_name")
            cur.execute(
                "SELECT ST_IsValidReason(ST_GeomFromGeoJSON(%s))", (json.dumps(geom.__geo_interface__),)
            )
            reason = cur.fetchone()[0]
            if reason != "Valid Geometry":
                raise InvalidInput(f"{where}: geometry", "invalid_polygon", reason=reason)
            population = _text(values.get(pop_col)) if pop_col else None
            cur.execute(
                """
                INSERT INTO area (level, code, name_fa, name_en, name_latin, population, geom)
                VALUES (%(level)s, %(code)s, %(name_fa)s, %(name_en)s, %(name_latin)s, %(population)s,
                        ST_Multi(ST_GeomFromGeoJSON(%(geom)s)))
                ON CONFLICT (code) DO UPDATE SET
                    level = EXCLUDED.level, name_fa = EXCLUDED.name_fa, name_en = EXCLUDED.name_en,
                    name_latin = EXCLUDED.name_latin, population = EXCLUDED.population, geom = EXCLUDED.geom
                RETURNING (xmax = 0) AS inserted
                """,
                {
                    "level": level,
                    "code": code,
                    "name_fa": name,
                    "name_en": _text(values.get(en_col)) if en_col else None,
                    "name_latin": _text(values.get(latin_col)) if latin_col else None,
                    "population": int(float(population)) if population else None,
                    "geom": json.dumps(geom.__geo_interface__),
                },
            )
            if cur.fetchone()[0]:
                inserted += 1
            else:
                updated += 1
    relink_parents(conn)
    return AreaImport(inserted=inserted, updated=updated)


def _text(value: object) -> str | None:
    return None if value is None or value != value else str(value)


def relink_parents(conn: Conn) -> None:
    """Each area's parent is the smallest area of a higher level that contains its interior point."""
    with conn.cursor() as cur:
        cur.execute(
            """
            UPDATE area AS child SET parent_id = (
                SELECT parent.id FROM area AS parent
                JOIN area_level pl ON pl.code = parent.level
                JOIN area_level cl ON cl.code = child.level
                WHERE pl.rank < cl.rank AND ST_Contains(parent.geom, ST_PointOnSurface(child.geom))
                ORDER BY pl.rank DESC LIMIT 1)
            """
        )


def area_id_by_code(conn: Conn, code: str) -> int:
    """The id of the area with this code; NotFound names the field."""
    missing = NotFound("area_area_with_code", code=code, field="area")
    return one_value(conn, "SELECT id FROM area WHERE code = %s", (code,), missing)


def areas_geojson(conn: Conn, *, level: str | None = None, parent: str | None = None) -> str:
    """Areas as a GeoJSON FeatureCollection, built in PostGIS."""
    if level is not None and level not in LEVELS:
        raise InvalidInput("level", "one_of", choices=", ".join(LEVELS))
    parent_id = area_id_by_code(conn, parent) if parent else None
    query = """
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
            json_build_object('type', 'Feature', 'id', a.code,
                'geometry', ST_AsGeoJSON(a.geom, 6)::json,
                'properties', json_build_object(
                    'code', a.code, 'level', a.level, 'name_fa', a.name_fa, 'name_en', a.name_en,
                    'name_latin', a.name_latin, 'parent_code', p.code, 'population', a.population,
                    'area_km2', round((ST_Area(a.geom::geography) / 1e6)::numeric, 3)))
            ORDER BY a.code), '[]'::json))::text
        FROM area a LEFT JOIN area p ON p.id = a.parent_id
        WHERE (%(level)s::text IS NULL OR a.level = %(level)s)
          AND (%(parent)s::int IS NULL OR a.parent_id = %(parent)s)
    """
    with conn.cursor() as cur:
        cur.execute(query, {"level": level, "parent": parent_id})
        return cur.fetchone()[0]
