"""Reading report files as they arrive: CSV (UTF-8 or Windows-1256), XLSX, GeoJSON, GeoPackage, Shapefile.

Every reader yields the same thing: the header, then rows of (row number as the user sees it, values by
column, geometry as GeoJSON in WGS 84 or None). CSV and XLSX are streamed; GIS layers are read whole.
A spreadsheet's header row is found where its cells name report fields, so a letter's title and blank rows
above it are skipped (and listed); a totals row («جمع», «مجموع») closing the list is marked, not read as a
report.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from gis.errors import InvalidInput
from gis.intake.files.columns import header_fields
from gis.lang import match_key

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
# How far down a spreadsheet the header row is looked for (below a letter's title, date and blank rows).
HEADER_SEARCH_ROWS = 30
# A cell that says the row sums the list up: «جمع», «جمع کل:», «مجموع ۲۵», "Total".
_TOTAL = re.compile(r"^(جمع|مجموع|total|sum|grand total)( کل)?\s*:?\s*\d*$")
# A cell starting with a Latin digit (a coordinate, a date, a clock time) keeps it first in its match key,
# so it cannot say «جمع»: such cells skip the match key, which took a fifth of reading a large file.
_DIGIT_FIRST = re.compile(r"\s*[0-9]")


@dataclass
class Row:
    """One row of a file: `number` is what the user sees (the spreadsheet row, or the feature number)."""

    number: int
    values: dict[str, object]
    geometry: dict | None = None
    total: bool = False  # the totals row closing a list: skipped with a note, never a report


@dataclass
class Table:
    """A file opened for reading: its format, header, an estimate of its rows, and the rows themselves."""

    format: str
    columns: list[str]
    total: int
    rows: Iterator[Row]
    header_row: int = 0  # the spreadsheet row holding the headers (0: a GIS layer has none)
    skipped: list[int] = field(default_factory=list)  # rows above the headers: a title, blank rows


def file_format(path: Path) -> str:
    """The format by the file's extension; anything else is refused with the list of what is read."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InvalidInput("file", "unknown_format_send_csv_xlsx", path_name=path.name)
    return found


def open_table(path: Path, *, crs: str | None = None, header_row: int | None = None) -> Table:
    """Open a report file of any supported format; `crs` names a GIS layer's CRS when the file has none,
    `header_row` a spreadsheet's header row when it should not be found automatically."""
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    kind = file_format(path)
    if kind == "csv":
        return _csv(path, header_row)
    if kind == "xlsx":
        return _xlsx(path, header_row)
    return _layer(path, kind, crs)


def _filled(cells: Iterable[object]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def find_header(
    records: Iterator[tuple[int, list]], header_row: int | None = None
) -> tuple[int, list[str], list[int], Iterator[tuple[int, list]]]:
    """(header row, its column names, the rows above it, the rows after it).

    The header is the first of the top HEADER_SEARCH_ROWS rows naming two report fields (or the category),
    else the first filled row; `header_row` forces it.
    """
    above: list[tuple[int, list]] = []
    found, number, cells = False, 0, []
    for number, cells in records:
        if header_row is not None:
            found = number == header_row
        else:
            named = header_fields(cells)
            found = len(named) >= 2 or "category" in named
        if found:
            break
        above.append((number, cells))
        if header_row is None and len(above) >= HEADER_SEARCH_ROWS:
            break
    if not found:
        if header_row is not None:
            raise InvalidInput("header_row", "header_row_beyond_file", row=header_row)
        # No row names report fields: the first filled one is the header (map_columns says what is missing).
        first = next((i for i, (_, c) in enumerate(above) if _filled(c)), None)
        if first is None:
            return 0, [], [n for n, _ in above], records
        number, cells = above[first]
        records = chain(above[first + 1 :], records)
        above = above[:first]
    columns = [str(c).strip() if c is not None else "" for c in cells]
    return number, columns, [n for n, _ in above], records


def _is_total(values: dict[str, object]) -> bool:
    return any(
        isinstance(v, str) and not _DIGIT_FIRST.match(v) and _TOTAL.match(match_key(v))
        for v in values.values()
    )


def with_totals(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows, the totals rows closing the list marked as such (a «جمع» row followed by data is read)."""
    held: list[Row] = []
    for row in rows:
        if (held or _is_total(row.values)) and (_is_total(row.values) or not _filled(row.values.values())):
            held.append(row)
            continue
        yield from held
        held.clear()
        yield row
    for row in held:
        row.total = _is_total(row.values)
        yield row


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


def _csv(path: Path, header_row: int | None) -> Table:
    encoding = csv_encoding(path)
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(SNIFF_BYTES), b""))
    handle = open(path, encoding=encoding, newline="")
    try:
        top = [line for line in (handle.readline() for _ in range(HEADER_SEARCH_ROWS)) if line]
    except UnicodeDecodeError as exc:
        handle.close()
        raise InvalidInput("file", "valid_utf_after_line_save", path_name=path.name, line=1) from exc
    # The delimiter the widest of the top lines uses most (a title line above the headers has none).
    delimiter = max(DELIMITERS, key=lambda d: max((line.count(d) for line in top), default=0))
    reader = csv.reader(chain(top, handle), delimiter=delimiter)
    try:
        header, columns, skipped, after = find_header(enumerate(reader, start=1), header_row)
    except csv.Error as exc:
        handle.close()
        raise InvalidInput("file", "not_csv", path_name=path.name, line_num=reader.line_num, exc=exc) from exc

    def rows() -> Iterator[Row]:
        with handle:
            try:
                for index, values in after:
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

    return Table("csv", columns, max(lines - header, 0), with_totals(rows()), header, skipped)


def _xlsx(path: Path, header_row: int | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors: all mean "not an XLSX file"
        raise InvalidInput("file", "readable_xlsx_workbook", path_name=path.name, exc=exc) from exc
    sheet = book.worksheets[0]
    cells = enumerate(sheet.iter_rows(values_only=True), start=1)
    header, columns, skipped, after = find_header(cells, header_row)

    def rows() -> Iterator[Row]:
        try:
            for index, values in after:
                yield Row(index, dict(zip(columns, values)))
        finally:
            book.close()

    total = max((sheet.max_row or 0) - header, 0)
    return Table("xlsx", columns, total, with_totals(rows()), header, skipped)


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
