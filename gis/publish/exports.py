"""Exports: GeoJSON, CSV, XLSX, GeoPackage and zipped Shapefile of spots, reports, areas and events.

GeoPackage and Shapefile hold one geometry type a table (spots_points, spots_lines, spots_polygons), as QGIS
loads them; the GeoPackage carries each table's map style (stage colours, Persian labels and column
headers, from `gis.publish.styles`) as its default in `layer_styles`, so QGIS opens it styled.

Rows come from a server-side cursor in batches, so an export of any size never sits in memory whole.
Column names have at most 10 characters so every format (Shapefile's DBF included) keeps the same names;
times are ISO 8601 (UTC) text with a Jalali-date companion column, read the same way back from every format.
Reporters' contact data is never exported. Text that starts like a spreadsheet formula is written to CSV and
XLSX with a leading ' so a spreadsheet shows it instead of running it (OWASP's advice on CSV injection).

pandas, geopandas and pyogrio (which loads pandas) are imported where a GeoPackage or Shapefile is written:
they take seconds to load, which every server and CLI start would otherwise pay.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import jdatetime
import shapely

from gis import clock
from gis.db import Conn, batches
from gis.errors import InvalidInput
from gis.publish.fields import REPORT_FIELDS, SPOT_ID_FIELD, report_source
from gis.publish.precision import precision_params, public_geom
from gis.publish.styles import OUTLINE, STAGES, load_words, qml, sld
from gis.spots import EVERY_SPOT, ID_FIELD, SPOT_FIELDS, PublicField, SpotScope, scope_condition, spot_source

if TYPE_CHECKING:
    import pandas as pd

BATCH = 2000
FORMATS = ("geojson", "csv", "xlsx", "gpkg", "shp")
SINGLE_LAYER_FORMATS = ("geojson", "csv")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportOptions:
    """How an export file is written: Persian column headers (CSV, Excel), a callback told of each batch of
    rows written, and whose view of the spots it holds."""

    persian_headers: bool = False
    progress: Progress | None = None
    scope: SpotScope = EVERY_SPOT


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportLayer:
    """An exported table: where its rows come from and which columns it has (never personal data)."""

    name: str
    source: str
    columns: tuple[PublicField, ...]  # as written: the export's name (≤ 10 characters), SQL over t
    order: str
    has_geometry: bool = True
    private: bool = False
    spot_alias: str | None = None  # the spot whose SpotScope decides whether a reader gets the row
    geom: str = "t.geom"  # the geometry as the reader may see it (spots and reports: the public precision)


def _columns(fields: tuple[PublicField, ...]) -> tuple[PublicField, ...]:
    """Fields as export columns: under their short names, over the row `t`, a yes/no as 1/0 (DBF holds no
    boolean)."""
    return tuple(
        PublicField(f.export_name, f"({f.sql.format(t='t')})::int", "int", f.fa)
        if f.kind == "bool"
        else PublicField(f.export_name, f.sql.format(t="t"), f.kind, f.fa)
        for f in fields
    )


# The areas and the spots' history are exported from their own tables (staff read the history: it names who
# acted); a spot's and a report's columns are their public fields.
AREA_FIELDS: tuple[PublicField, ...] = (
    PublicField("code", "{t}.code", "str", "کد"),
    PublicField("level", "{t}.level", "str", "سطح"),
    PublicField("name_fa", "{t}.name_fa", "str", "نام"),
    PublicField("name_en", "{t}.name_en", "str", "نام انگلیسی"),
    PublicField("parent", "p.code", "str", "کد بالادست"),
    PublicField("population", "{t}.population", "int", "جمعیت"),
    PublicField(
        "area_km2",
        "round((ST_Area({t}.geom::geography) / 1e6)::numeric, 3)::float8",
        "float",
        "مساحت (کیلومتر مربع)",
    ),
)
EVENT_FIELDS: tuple[PublicField, ...] = (ID_FIELD, SPOT_ID_FIELD) + (
    PublicField("kind", "{t}.kind", "str", "رویداد"),
    PublicField("actor", "{t}.actor_name", "str", "انجام‌دهنده"),
    PublicField("at", "{t}.at", "time", "زمان"),
    PublicField("note", "{t}.note", "str", "یادداشت"),
    PublicField("payload", "{t}.payload::text", "str", "جزئیات"),
)


LAYERS: dict[str, ExportLayer] = {
    layer.name: layer
    for layer in (
        ExportLayer(
            name="spots",
            source=f"{spot_source('t')} WHERE t.status <> 'merged'",
            columns=_columns(SPOT_FIELDS),
            order="t.id",
            spot_alias="t",
            geom=public_geom("t"),
        ),
        ExportLayer(
            name="reports",
            source=report_source("t"),
            columns=_columns(REPORT_FIELDS),
            order="t.id",
            private=True,
            spot_alias="sp",
            geom=public_geom("t", category="sp.category"),
        ),
        ExportLayer(
            name="areas",
            source="area t LEFT JOIN area p ON p.id = t.parent_id",
            columns=_columns(AREA_FIELDS),
            order="t.code",
        ),
        ExportLayer(
            name="events",
            source="spot_event t JOIN spot s ON s.id = t.spot_id",
            columns=_columns(EVENT_FIELDS),
            order="t.id",
            has_geometry=False,
            private=True,  # names the staff who acted
            spot_alias="s",
        ),
    )
}

# Shapefiles hold one geometry family each: spots and reports are split by dimension.
FAMILIES = {0: "points", 1: "lines", 2: "polygons"}


def jalali(value: datetime | None) -> str | None:
    """The Solar Hijri date of an instant, as the day is called in Tehran: 1405/01/15."""
    if value is None:
        return None
    return jdatetime.date.fromgregorian(date=clock.day_of(value)).strftime("%Y/%m/%d")


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, identical in every format."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def local_time(text: str | None) -> datetime | None:
    """An ISO instant as the wall-clock time in the programme's zone, for a spreadsheet's date cell (Excel's
    cells hold no time zone)."""
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(clock.zone()).replace(tzinfo=None)


def spreadsheet_cell(value: object) -> object:
    """Text a spreadsheet would read as a formula gets a leading ': a report's `=HYPERLINK(…)` or an area
    named `@SUM(…)` is shown, never run; numbers, dates and empty cells stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def output_columns(layer: ExportLayer) -> list[tuple[str, str, str]]:
    """(name, kind, Persian header) of every written column; a time adds its Jalali date as `<name>_j`.
    A time travels as ISO 8601 text (CSV, GeoJSON) and becomes a real date-time where the format has one."""
    result = []
    for column in layer.columns:
        if column.kind == "time":
            result.append((column.name, "time", column.fa))
            result.append((f"{column.name}_j", "str", f"{column.fa} (تاریخ شمسی)"))
        else:
            result.append((column.name, column.kind, column.fa))
    return result


def get_layer(name: str) -> ExportLayer:
    """The export layer of this name; the error lists the others."""
    if name not in LAYERS:
        raise InvalidInput("layers", "unknown_layer_layers", name=name, layers=", ".join(LAYERS))
    return LAYERS[name]


def parse_layers(text: str | None, *, allowed: tuple[str, ...] = tuple(LAYERS)) -> list[str]:
    """'spots,areas' → ['spots', 'areas']; empty means every allowed layer."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()] or list(allowed)
    for name in names:
        get_layer(name)
    return list(dict.fromkeys(names))


def _where(layer: ExportLayer, family: int | None, scope: SpotScope) -> tuple[str, dict]:
    """The layer's FROM … WHERE, within the reader's scope, and the parameters it binds."""
    conditions = [f"ST_Dimension({layer.geom}) = {int(family)}" if family is not None else "true"]
    if layer.spot_alias is None:
        params = scope.params()
    else:
        conditions.append(scope_condition(layer.spot_alias))
        if layer.has_geometry:
            conditions.append(f"{layer.geom} IS NOT NULL")
        params = precision_params(scope)
    joiner = " AND " if " WHERE " in layer.source else " WHERE "
    return f"{layer.source}{joiner}{' AND '.join(conditions)}", params


def count_rows(conn: Conn, layers: list[str], *, scope: SpotScope = EVERY_SPOT) -> int:
    """How many rows the export of these layers writes (the CLI's progress total)."""
    total = 0
    with conn.cursor() as cur:
        for name in layers:
            where, params = _where(get_layer(name), None, scope)
            cur.execute(f"SELECT count(*) FROM {where}", params)
            total += cur.fetchone()[0]
    return total


def iter_batches(
    conn: Conn,
    layer: ExportLayer,
    *,
    geometry: str | None,
    family: int | None = None,
    scope: SpotScope = EVERY_SPOT,
) -> Iterator[list[list]]:
    """Rows in batches from a server-side cursor; times become ISO text plus a Jalali date.

    `geometry` appends one value per row: 'wkb', 'geojson' (text), 'wkt', 'lonlat' (two values) or nothing.
    """
    geometry_sql = {
        None: "",
        "wkb": f", ST_AsBinary({layer.geom})",
        "geojson": f", ST_AsGeoJSON({layer.geom}, 7)",
        "wkt": f", ST_AsText({layer.geom})",
        "lonlat": f", ST_X(ST_PointOnSurface({layer.geom})), ST_Y(ST_PointOnSurface({layer.geom}))",
    }[geometry if layer.has_geometry else None]
    kinds = [c.kind for c in layer.columns]
    where, params = _where(layer, family, scope)
    query = (
        f"SELECT {', '.join(c.sql for c in layer.columns)}{geometry_sql} FROM {where} ORDER BY {layer.order}"
    )
    for rows in batches(conn, f"export_{layer.name}", query, params, BATCH):
        out = []
        for row in rows:
            values: list = []
            for kind, value in zip(kinds, row):
                values.extend((iso(value), jalali(value)) if kind == "time" else (value,))
            values.extend(bytes(v) if isinstance(v, memoryview) else v for v in row[len(kinds) :])
            out.append(values)
        yield out


def geojson_chunks(
    conn: Conn, layer_name: str, progress: Progress | None = None, *, scope: SpotScope = EVERY_SPOT
) -> Iterator[str]:
    """A FeatureCollection as text pieces (geometry built by PostGIS), for a file or an HTTP stream."""
    layer = get_layer(layer_name)
    names = [name for name, _, _ in output_columns(layer)]
    yield (
        json.dumps({"type": "FeatureCollection", "name": layer.name}, ensure_ascii=False)[:-1]
        + ',"features":['
    )
    first = True
    for rows in iter_batches(conn, layer, geometry="geojson", scope=scope):
        piece = []
        for row in rows:
            properties = json.dumps(dict(zip(names, row)), ensure_ascii=False)
            geometry = row[len(names)] if layer.has_geometry else "null"
            piece.append(
                ("" if first else ",")
                + f'{{"type":"Feature","properties":{properties},"geometry":{geometry}}}'
            )
            first = False
        yield "\n".join(piece)
        if progress:
            progress(len(rows))
    yield "]}\n"


def csv_chunks(
    conn: Conn,
    layer_name: str,
    *,
    persian_headers: bool = False,
    progress: Progress | None = None,
    scope: SpotScope = EVERY_SPOT,
) -> Iterator[str]:
    """CSV (UTF-8 with a byte-order mark, so spreadsheets show Persian) with the geometry as a WKT column."""
    layer = get_layer(layer_name)
    columns = output_columns(layer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [fa if persian_headers else name for name, _, fa in columns]
    writer.writerow(header + (["WKT"] if layer.has_geometry else []))
    yield "\ufeff" + buffer.getvalue()
    for rows in iter_batches(conn, layer, geometry="wkt", scope=scope):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
        yield buffer.getvalue()
        if progress:
            progress(len(rows))


def write_xlsx(conn: Conn, path: Path, layers: list[str], options: ExportOptions) -> None:
    """One sheet per layer, written row by row (openpyxl's write-only mode), with lon/lat of each feature."""
    from openpyxl import Workbook

    persian_headers, progress = options.persian_headers, options.progress
    book = Workbook(write_only=True)
    for name in layers:
        layer = get_layer(name)
        sheet = book.create_sheet(layer.name)
        columns = output_columns(layer)
        header = [fa if persian_headers else column for column, _, fa in columns]
        if layer.has_geometry:
            header += ["طول جغرافیایی", "عرض جغرافیایی"] if persian_headers else ["lon", "lat"]
        sheet.append(header)
        times = [index for index, (_, kind, _) in enumerate(columns) if kind == "time"]
        for rows in iter_batches(conn, layer, geometry="lonlat", scope=options.scope):
            for row in rows:
                for index in times:
                    row[index] = local_time(row[index])
                sheet.append([spreadsheet_cell(value) for value in row])
            if progress:
                progress(len(rows))
    book.save(path)


def _frame(layer: ExportLayer, rows: list[list], geometry: bool, *, dates: bool = False) -> pd.DataFrame:
    """A typed batch: nullable integers stay integers, so every batch appends to the same schema; with
    `dates`, times are date-times (a GeoPackage's DATETIME; a Shapefile's DBF has none and keeps ISO text)."""
    import pandas as pd

    columns = output_columns(layer)
    data = {}
    for index, (name, kind, _) in enumerate(columns):
        values = [row[index] for row in rows]
        if kind == "time" and dates:
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
            continue
        dtype = {"int": "Int64", "float": "float64"}.get(kind, object)
        data[name] = pd.array(values, dtype=dtype) if kind == "int" else pd.Series(values, dtype=dtype)
    frame = pd.DataFrame(data)
    if geometry:
        import geopandas as gpd

        return gpd.GeoDataFrame(
            frame, geometry=shapely.from_wkb([row[len(columns)] for row in rows]), crs=4326
        )
    return frame


def _write_layer(
    conn: Conn,
    path: Path,
    driver: str,
    layer: ExportLayer,
    *,
    file_layer: str,
    family: int | None,
    geometry_type: str | None,
    options: dict,
    progress: Progress | None,
    scope: SpotScope,
    long_texts: list[list] | None = None,
) -> int:
    import pyogrio

    written = 0
    texts = [index for index, (_, kind, _) in enumerate(output_columns(layer)) if kind == "str"]
    for rows in iter_batches(
        conn, layer, geometry="wkb" if layer.has_geometry else None, family=family, scope=scope
    ):
        if long_texts is not None:
            long_texts.extend(_too_long_for_dbf(layer, rows, texts))
        frame = _frame(layer, rows, layer.has_geometry, dates=driver == "GPKG")
        pyogrio.write_dataframe(
            frame,
            path,
            layer=file_layer,
            driver=driver,
            append=written > 0,
            geometry_type=geometry_type,
            layer_options=options,
        )
        written += len(rows)
        if progress:
            progress(len(rows))
    if written == 0:
        pyogrio.write_dataframe(
            _frame(layer, [], False), path, layer=file_layer, driver=driver, layer_options=options
        )
    return written


# A DBF text field holds 254 bytes (about 127 Persian letters); a longer text goes whole into a companion.
DBF_TEXT_BYTES = 254
FULL_TEXT_FILE = "full_texts.csv"
FULL_TEXT_NOTE = (
    "A Shapefile's text fields hold 254 bytes (about 127 Persian letters): every longer text is cut there in"
    f" the .dbf and given whole in {FULL_TEXT_FILE} (layer, id, field, text). GeoPackage keeps every text.\n"
    "فیلدهای متنی شیپ‌فایل ۲۵۴ بایت (حدود ۱۲۷ حرف فارسی) جا دارند: هر متن بلندتر در .dbf بریده شده و کامل"
    f" در {FULL_TEXT_FILE} آمده است. ژئوپکیج همهٔ متن را نگه می‌دارد.\n"
)


def _too_long_for_dbf(layer: ExportLayer, rows: list[list], texts: list[int]) -> Iterator[list]:
    """(layer, id, field, whole text) of every text a DBF field would cut."""
    names = [name for name, _, _ in output_columns(layer)]
    for row in rows:
        for index in texts:
            value = row[index]
            if isinstance(value, str) and len(value.encode("utf-8")) > DBF_TEXT_BYTES:
                yield [layer.name, row[0], names[index], value]


def write_geopackage(conn: Conn, path: Path, layers: list[str], options: ExportOptions) -> None:
    """One GeoPackage: a table per exported table and geometry type (events as an attribute table), each
    with its map style as the default in `layer_styles`."""
    styled = []
    for name in layers:
        layer = get_layer(name)
        for file_layer, family, geometry_type in _tables(conn, layer, options.scope, empty_type="Unknown"):
            _write_layer(
                conn,
                path,
                "GPKG",
                layer,
                file_layer=file_layer,
                family=family,
                geometry_type=geometry_type,
                options={},
                progress=options.progress,
                scope=options.scope,
            )
            styled.append((layer, file_layer, family))
    _write_styles(conn, path, styled)


# The style each exported table opens with in QGIS; the spots' and reports' label is the short column.
EXPORT_STYLES = {"spots": replace(STAGES, label_field="cat_fa"), "areas": OUTLINE}
EXPORT_STYLES["reports"] = EXPORT_STYLES["spots"]
GEOMETRY_NAMES = {0: "point", 1: "line", 2: "polygon"}


def _write_styles(conn: Conn, path: Path, tables: list[tuple[ExportLayer, str, int | None]]) -> None:
    """QGIS's `layer_styles` table: each geometry table's QML and SLD, its default (useAsDefault)."""
    words = load_words(conn, "fa")
    rows = []
    for layer, file_layer, family in tables:
        style = EXPORT_STYLES.get(layer.name)
        if style is None or not layer.has_geometry:
            continue
        geometry = GEOMETRY_NAMES[2 if family is None else family]
        aliases = [(name, fa) for name, _, fa in output_columns(layer)]
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": file_layer,
                "f_geometry_column": "geom",
                "styleName": file_layer,
                "styleQML": qml(style, words, geometry, aliases),
                "styleSLD": sld(style, words, geometry, file_layer),
                "useAsDefault": True,
                "description": "Safemap: " + style.title,
                "owner": "",
                "ui": None,
                "update_time": clock.now(),
            }
        )
    if rows:
        import pandas as pd
        import pyogrio

        pyogrio.write_dataframe(pd.DataFrame(rows), path, layer="layer_styles", driver="GPKG")


def _tables(
    conn: Conn, layer: ExportLayer, scope: SpotScope, *, empty_type: str | None = None
) -> list[tuple[str, int | None, str | None]]:
    """(table name, geometry family, geometry type) of each table a layer is written as: one a geometry
    family, named `<layer>_<family>` when there are several (a layer of areas is all polygons); a layer
    without geometry, or with no row, is one table (of `empty_type`)."""
    if not layer.has_geometry:
        return [(layer.name, None, None)]
    families = _families(conn, layer, scope)
    if not families:
        return [(layer.name, None, empty_type)]
    return [
        (
            layer.name if len(families) == 1 else f"{layer.name}_{FAMILIES[dimension]}",
            dimension,
            geometry_type,
        )
        for dimension, geometry_type in families.items()
    ]


def _families(conn: Conn, layer: ExportLayer, scope: SpotScope) -> dict[int, str]:
    where, params = _where(layer, None, scope)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT ST_Dimension({layer.geom}), bool_or(GeometryType({layer.geom}) LIKE 'MULTI%%')"
            f" FROM {where} GROUP BY 1 ORDER BY 1",
            params,
        )
        shapes = {0: "Point", 1: "LineString", 2: "Polygon"}
        return {dim: ("Multi" if multi or dim else "") + shapes[dim] for dim, multi in cur.fetchall()}


def write_shapefile_zip(conn: Conn, path: Path, layers: list[str], options: ExportOptions) -> None:
    """A zip of Shapefiles (UTF-8, with .cpg so Persian survives): one per layer and geometry family. Texts
    longer than a DBF field are never cut silently: they are whole in full_texts.csv, README.txt says so."""
    long_texts: list[list] = []
    with tempfile.TemporaryDirectory(prefix="safemap-shp-") as tmp:
        folder = Path(tmp)
        for name in layers:
            layer = get_layer(name)
            for file_name, family, geometry_type in _tables(conn, layer, options.scope):
                if layer.has_geometry and geometry_type is None:
                    continue  # no row: a Shapefile needs a geometry type
                _write_layer(
                    conn,
                    folder / f"{file_name}.{'shp' if layer.has_geometry else 'dbf'}",
                    "ESRI Shapefile",
                    layer,
                    file_layer=file_name,
                    family=family,
                    geometry_type=geometry_type,
                    options={"ENCODING": "UTF-8"},
                    progress=options.progress,
                    scope=options.scope,
                    long_texts=long_texts,
                )
        if long_texts:
            with open(folder / FULL_TEXT_FILE, "w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows([["layer", "id", "field", "text"], *long_texts])
            (folder / "README.txt").write_text(FULL_TEXT_NOTE, encoding="utf-8")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, file.name)


def check_export(fmt: str, layers: list[str]) -> None:
    """A known format, known layers, and exactly one layer for GeoJSON and CSV."""
    if fmt not in FORMATS:
        raise InvalidInput("format", "one_of", choices=", ".join(FORMATS))
    for name in layers:
        get_layer(name)
    if fmt in SINGLE_LAYER_FORMATS and len(layers) != 1:
        raise InvalidInput("layers", "holds_one_layer_choose_one", fmt=fmt, layers=", ".join(LAYERS))


def export(
    conn: Conn, fmt: str, path: Path, layers: list[str], options: ExportOptions = ExportOptions()
) -> None:
    """Write an export file of the given format; GeoJSON and CSV hold exactly one layer."""
    check_export(fmt, layers)
    progress, scope = options.progress, options.scope
    if fmt in SINGLE_LAYER_FORMATS:
        chunks = (
            geojson_chunks(conn, layers[0], progress, scope=scope)
            if fmt == "geojson"
            else csv_chunks(
                conn, layers[0], persian_headers=options.persian_headers, progress=progress, scope=scope
            )
        )
        with open(path, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(conn, path, layers, options)
    elif fmt == "gpkg":
        path.unlink(missing_ok=True)
        write_geopackage(conn, path, layers, options)
    else:
        write_shapefile_zip(conn, path, layers, options)


def export_to_temporary(conn: Conn, fmt: str, layers: list[str], options: ExportOptions) -> tuple[Path, Path]:
    """Write an export into a fresh temporary folder; returns (file, folder) — the caller removes the
    folder."""
    folder = Path(tempfile.mkdtemp(prefix="safemap-export-"))
    path = folder / f"safemap.{'zip' if fmt == 'shp' else fmt}"
    try:
        export(conn, fmt, path, layers, options)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, folder
