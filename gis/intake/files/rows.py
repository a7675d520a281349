"""One row of a file → a `ReportCreate`, or the field and the reason it cannot be one.

Numbers may use Persian or Arabic-Indic digits and the Persian decimal separator, coordinates may be degrees
(decimal or 35°45'12") or UTM 39N metres, dates may be Jalali (1399/09/15) or ISO. Nothing here touches the
database: the lookups were loaded once for the whole file.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from pyproj import Transformer

from gis import clock
from gis.errors import InvalidInput
from gis.intake.files.columns import Lookups
from gis.intake.reports import ReportCreate
from gis.lang import latin_digits, normalise_persian, parse_day
from gis.vocabulary import time_of_day

UTM_39N = "EPSG:32639"
_DMS = re.compile(
    r"^\s*(-?\d+(?:\.\d+)?)\s*[°d:\s]\s*(\d+(?:\.\d+)?)\s*['′m:\s]?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*[\"″s]?)?\s*([NSEWnsew]?)\s*$"
)


@dataclass
class RowParser:
    """Turns rows into reports with the file's column mapping, lookups and coordinate system."""

    mapping: dict[str, str]
    lookups: Lookups
    source: str
    source_ref: str
    crs: str = "auto"

    def __post_init__(self) -> None:
        self._transformers: dict[str, Transformer] = {}

    def cell(self, values: dict[str, object], field: str) -> object:
        column = self.mapping.get(field)
        value = values.get(column) if column else None
        if isinstance(value, str):
            value = normalise_persian(value).replace("\x00", "").strip()
        return None if value == "" else value

    def parse(self, values: dict[str, object], geometry: dict | None) -> ReportCreate:
        """The report a row describes; InvalidInput names the field and the reason it cannot be read."""
        raw_category = self.cell(values, "category")
        if raw_category is None:
            raise InvalidInput("category", "empty")
        category = self.lookups.category(raw_category)
        report = ReportCreate(
            source=self.source,
            category=category,
            source_ref=self.source_ref,
            description=str(self.cell(values, "description") or ""),
            address=str(self.cell(values, "address") or ""),
        )
        if geometry is not None and geometry["type"] != "Point":
            report.geometry = geometry
        elif geometry is not None:
            report.lon, report.lat = geometry["coordinates"][:2]
        else:
            self._place(values, report)
        day = self._date(self.cell(values, "date"))
        if day is not None:
            report.reported_at = clock.noon(day)
        report.time_of_day = time_of_day(self.cell(values, "time_of_day"))
        return report

    def _place(self, values: dict[str, object], report: ReportCreate) -> None:
        x_field, y_field = ("lon", "lat") if "lon" in self.mapping or "lat" in self.mapping else ("x", "y")
        x_raw, y_raw = self.cell(values, x_field), self.cell(values, y_field)
        if x_raw is None and y_raw is None:
            named = self.cell(values, "neighbourhood")
            if named is None:
                raise InvalidInput("location", "coordinates_neighbourhood")
            report.area_code = self.lookups.neighbourhood(named)
            return
        if x_raw is None or y_raw is None:
            raise InvalidInput(x_field if x_raw is None else y_field, "missing_other_one_given")
        x, y = number(x_field, x_raw), number(y_field, y_raw)
        report.lon, report.lat = self._to_degrees(x, y)

    def _to_degrees(self, x: float, y: float) -> tuple[float, float]:
        return to_degrees(x, y, self.crs, self._transformers)

    @staticmethod
    def _date(value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            day = parse_day("date", str(value).split()[0])
        if day > clock.today():
            raise InvalidInput("date", "value_in_future", value=value)
        return day


def to_degrees(
    x: float, y: float, crs: str = "auto", transformers: dict[str, Transformer] | None = None
) -> tuple[float, float]:
    """(lon, lat) of x/y in `crs`; "auto" takes degrees as they are and UTM 39N metres by their range."""
    if crs == "auto":
        if -180 <= x <= 180 and -90 <= y <= 90:
            return x, y
        if 100_000 <= x <= 900_000 and 0 <= y <= 10_000_000:
            crs = UTM_39N
        else:
            raise InvalidInput("coordinates", "are_neither_degrees_nor_utm", x=x, y=y)
    if crs in ("EPSG:4326", "4326"):
        return x, y
    transformers = {} if transformers is None else transformers
    if crs not in transformers:
        transformers[crs] = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = transformers[crs].transform(x, y)
    if lon != lon or abs(lon) == float("inf"):
        raise InvalidInput("coordinates", "cannot_converted_from", x=x, y=y, crs=crs)
    return lon, lat


def typed_point(x: object, y: object) -> tuple[float, float]:
    """(lon, lat) of a point typed by hand, read as an imported row's: degrees, DMS or UTM 39N metres."""
    return to_degrees(number("x", x), number("y", y))


def number(field: str, value: object) -> float:
    """12.5, '۳۵٫۷۵', '35,75', '512,345.6' or 35°45'12"N as a float."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = latin_digits(str(value)).strip().replace("\u00a0", "").replace(" ", "")
    if "." in text:
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        pass
    match = _DMS.match(latin_digits(str(value)))
    if match is None:
        raise InvalidInput(field, "not_a_number", value=value)
    degrees, minutes, seconds, hemisphere = match.groups()
    result = abs(float(degrees)) + float(minutes) / 60 + float(seconds or 0) / 3600
    return -result if degrees.startswith("-") or hemisphere.upper() in ("S", "W") else result
