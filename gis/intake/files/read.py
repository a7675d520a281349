"""Reading report files as they arrive: CSV (UTF-8 or Windows-1256), XLSX, GeoJSON, GeoPackage, Shapefile.

Every reader yields the same thing: the header, then rows of (row number as the user sees it, values by
column, geometry as GeoJSON in WGS 84 or None). CSV and XLSX are streamed; GIS layers are read whole.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gis.errors import InvalidInput

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
}
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 1 << 20


@dataclass
class Row:
    """One row of a file: `number` is what the user sees (the spreadsheet row, or the feature number)."""

    number: int
    values: dict[str, object]
    geometry: dict | None = None


@dataclass
class Table:
    """A file opened for reading: its format, header, an estimate of its rows, and the rows themselves."""

    format: str
    columns: list[str]
    total: int
    rows: Iterator[Row]


def file_format(path: Path) -> str:
    """The format by the file's extension; anything else is refused with the list of what is read."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InvalidInput("file", "unknown_format_send_csv_xlsx", path_name=path.name)
    return found


def open_table(path: Path, *, crs: str | None = None) -> Table:
    """Open a report file of any supported format; `crs` names a GIS layer's CRS when the file has none."""
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    kind = file_format(path)
    if kind == "csv":
        return _csv(path)
    if kind == "xlsx":
        return _xlsx(path)
    return _layer(path, kind, crs)


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the start of the file decodes as UTF-8, else Windows-1256."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniffing window is still UTF-8.
        if exc.start < len(head) - 3:
            return "cp1256"
    return "utf-8"


def _csv(path: Path) -> Table:
    encoding = csv_encoding(path)
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(SNIFF_BYTES), b""))
    handle = open(path, encoding=encoding, newline="")
    first = handle.readline()
    delimiter = max(DELIMITERS, key=first.count)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    columns = [str(c).strip() for c in header]

    def rows() -> Iterator[Row]:
        with handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                for index, values in enumerate(reader, start=2):
                    yield Row(index, dict(zip(columns, values)))
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    "file",
                    "valid_utf_after_line_save",
                    path_name=path.name,
                    line=reader.line_num + 1,
                ) from exc
            except csv.Error as exc:
                raise InvalidInput(
                    "file", "not_csv", path_name=path.name, line_num=reader.line_num, exc=exc
                ) from exc

    return Table("csv", columns, max(lines - 1, 0), rows())


def _xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors: all mean "not an XLSX file"
        raise InvalidInput("file", "readable_xlsx_workbook", path_name=path.name, exc=exc) from exc
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header_row, columns = 0, []
    for header_row, values in enumerate(cells, start=1):
        if any(v is not None and str(v).strip() for v in values):
            columns = [str(v).strip() if v is not None else "" for v in values]
            break

    def rows() -> Iterator[Row]:
        try:
            for index, values in enumerate(cells, start=header_row + 1):
                yield Row(index, dict(zip(columns, values)))
        finally:
            book.close()

    return Table("xlsx", columns, max((sheet.max_row or 0) - header_row, 0), rows())


def _layer(path: Path, kind: str, crs: str | None) -> Table:
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # GDAL raises many kinds; any of them means "not a readable layer"
        raise InvalidInput("file", "readable_gis_layer", path_name=path.name, exc=exc) from exc
    if frame.crs is None and len(frame):
        guessed = crs or layer_crs(tuple(frame.total_bounds))
        if guessed is None:
            raise InvalidInput(
                "crs",
                "has_coordinate_reference_system_coordinates",
                path_name=path.name,
            )
        frame = frame.set_crs(guessed)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometry = frame.geometry.name
    attributes = frame.drop(columns=geometry)
    columns = [str(c) for c in attributes.columns]

    def rows() -> Iterator[Row]:
        for index, (values, shape) in enumerate(zip(attributes.to_dict("records"), frame.geometry), start=1):
            clean = {str(k): (None if v != v else v) for k, v in values.items()}  # NaN is an empty cell
            yield Row(index, clean, None if shape is None or shape.is_empty else shape.__geo_interface__)

    return Table(kind, columns, len(frame), rows())


def layer_crs(bounds: tuple[float, float, float, float]) -> str | None:
    """A layer without a CRS: WGS 84 when its coordinates are degrees, UTM 39N when they are metres there."""
    xmin, ymin, xmax, ymax = bounds
    if -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90:
        return "EPSG:4326"
    if 100_000 <= xmin <= xmax <= 900_000 and 0 <= ymin <= ymax <= 10_000_000:
        return "EPSG:32639"
    return None
