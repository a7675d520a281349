"""One row of a file → a `ReportCreate`, or every field that cannot be read and why (all at once, so a
second problem of a row does not wait for the first to be fixed).

Numbers may use Persian or Arabic-Indic digits and the Persian decimal separator, coordinates may be degrees
(decimal or 35°45'12") or UTM 39N metres, dates may be Jalali (1399/09/15, or 99/9/18 read as 1399 and
flagged) or ISO. What the parser decides but a person should check (a محله the coordinates disagree with, a
two-digit year) is kept as the report's flags, not silently settled. Nothing here touches the database: the
lookups were loaded once for the whole file.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

import jdatetime
from pyproj import Transformer

from gis import clock
from gis.errors import InvalidInput, text
from gis.intake.files.columns import Lookups
from gis.intake.reports import ReportCreate
from gis.lang import latin_digits, normalise_persian, parse_day
from gis.places.neighbourhoods import named_in_text
from gis.settings import get_settings
from gis.vocabulary import TWO_DIGIT_YEAR

T = TypeVar("T")

UTM_39N = "EPSG:32639"
_DMS = re.compile(
    r"^\s*(-?\d+(?:\.\d+)?)\s*[°d:\s]\s*(\d+(?:\.\d+)?)\s*['′m:\s]?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*[\"″s]?)?\s*([NSEWnsew]?)\s*$"
)
_SHORT_YEAR = re.compile(r"^(\d{2})[/-](\d{1,2})[/-](\d{1,2})$")


class RowProblems(InvalidInput):
    """Every problem of one row, each naming its field; reads as the first one where one is expected."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        first = problems[0]
        super().__init__(first.field or "", first.key, **first.params)
        self.problems = problems


def flag(kind: str, field: str, **params: object) -> dict:
    """Something a person should check on an accepted row, in English and Persian from the catalogue."""
    key = f"flag_{kind}"
    return {
        "kind": kind,
        "field": field,
        "message": text(key, **params),
        "message_fa": text(key, "fa", **params),
    }


@dataclass
class RowParser:
    """Turns rows into reports with the file's column mapping, lookups and coordinate system."""

    mapping: dict[str, str]
    lookups: Lookups
    source: str
    source_ref: str
    crs: str = "auto"
    # Readings the office confirmed for this file's date forms: the cell as `date_key` writes it → the day.
    dates: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._transformers: dict[str, Transformer] = {}
        # (what, cell) → what the resolver made of it: a file names few categories, days and times of day in
        # many rows, so each resolver runs once per distinct cell (a refusal is not kept: it is raised anew).
        self._resolved: dict[tuple[str, type, object], object] = {}

    def _once(self, what: str, value: object, resolve: Callable[[object], T]) -> T:
        """`resolve(value)`, asked once per distinct value of the file (by type too: 1 and 1.0 read apart)."""
        key = (what, type(value), value)
        try:
            known = key in self._resolved
        except TypeError:  # a GIS layer's list or mapping cell
            return resolve(value)
        if not known:
            self._resolved[key] = resolve(value)
        return self._resolved[key]  # type: ignore[return-value]

    def cell(self, values: dict[str, object], field: str) -> object:
        column = self.mapping.get(field)
        value = values.get(column) if column else None
        if isinstance(value, str):
            value = normalise_persian(value).replace("\x00", "").strip()
        return None if value == "" else value

    def parse(self, values: dict[str, object], geometry: dict | None) -> ReportCreate:
        """The report a row describes, its flags in `provenance["flags"]`; InvalidInput names the field and
        the reason it cannot be read (RowProblems, when several fields cannot, lists every one)."""
        problems: list[InvalidInput] = []
        flags: list[dict] = []

        def attempt(step: Callable[[], T]) -> T | None:
            try:
                return step()
            except InvalidInput as exc:
                problems.append(exc)
                return None

        report = ReportCreate(
            source=self.source,
            category=attempt(lambda: self._category(values)) or "",
            source_ref=self.source_ref,
            description=str(self.cell(values, "description") or ""),
            address=str(self.cell(values, "address") or ""),
        )
        if geometry is not None and geometry["type"] != "Point":
            report.geometry = geometry
        elif geometry is not None:
            report.lon, report.lat = geometry["coordinates"][:2]
        else:
            attempt(lambda: self._place(values, report))
        if report.lon is not None and report.lat is not None:
            self._check_neighbourhood(values, report, flags)
        day = attempt(lambda: self._day(self.cell(values, "date"), flags))
        if day is not None:
            report.reported_at = clock.noon(day)
        report.time_of_day = attempt(
            lambda: self._once("time_of_day", self.cell(values, "time_of_day"), self.lookups.time_of_day)
        )
        if problems:
            raise problems[0] if len(problems) == 1 else RowProblems(problems)
        if flags:
            report.provenance = {"flags": flags}
        return report

    def _category(self, values: dict[str, object]) -> str:
        raw_category = self.cell(values, "category")
        if raw_category is None:
            raise InvalidInput("category", "empty")
        return self._once("category", raw_category, self.lookups.category)

    def _check_neighbourhood(
        self, values: dict[str, object], report: ReportCreate, flags: list[dict]
    ) -> None:
        """A محله the row names that its coordinates fall outside: the row keeps its coordinates, flagged."""
        named = self.cell(values, "neighbourhood")
        if named is None:
            return
        try:
            code = self._once("neighbourhood", named, self.lookups.neighbourhood)
        except InvalidInput:
            return  # a name nobody knows says nothing against the coordinates
        located = self.lookups.locate(report.lon, report.lat)
        if located is not None and located != code:
            flags.append(
                flag("neighbourhood_conflict", "neighbourhood", named=named, code=code, located=located)
            )

    def _place(self, values: dict[str, object], report: ReportCreate) -> None:
        x_field, y_field = ("lon", "lat") if "lon" in self.mapping or "lat" in self.mapping else ("x", "y")
        x_raw, y_raw = self.cell(values, x_field), self.cell(values, y_field)
        if x_raw is None and y_raw is None:
            named = self.cell(values, "neighbourhood")
            address = self.cell(values, "address")
            if named is None and address is not None:
                # An address alone: the neighbourhood it names holds it until the GIS office places it.
                named = named_in_text(self.lookups.neighbourhoods, str(address))
            if named is None:
                raise InvalidInput("location", "coordinates_neighbourhood")
            report.area_code = self._once("neighbourhood", named, self.lookups.neighbourhood)
            return
        if x_raw is None or y_raw is None:
            raise InvalidInput(x_field if x_raw is None else y_field, "missing_other_one_given")
        x, y = number(x_field, x_raw), number(y_field, y_raw)
        report.lon, report.lat = self._to_degrees(x, y)

    def _to_degrees(self, x: float, y: float) -> tuple[float, float]:
        return to_degrees(x, y, self.crs, self._transformers)

    def _day(self, value: object, flags: list[dict]) -> date | None:
        """`_date` once per distinct cell: the day, and its flags added to the row's."""
        day, found = self._once("date", value, self._date_flags)
        flags.extend(dict(f) for f in found)
        return day

    def _date_flags(self, value: object) -> tuple[date | None, list[dict]]:
        flags: list[dict] = []
        return self._date(value, flags), flags

    def _date(self, value: object, flags: list[dict]) -> date | None:
        """The day a cell names; a two-digit Jalali year is read in this century or the last, and flagged;
        a day before the programme began or after today is refused."""
        if value is None:
            return None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            written = date_key(value)
            short = _SHORT_YEAR.match(written)
            if written in self.dates:  # a reading the office confirmed for this file
                written = self.dates[written]
            elif short:
                written = short_year(short)
                if TWO_DIGIT_YEAR not in self.lookups.date_rules:  # unless the office confirmed the rule
                    flags.append(flag("two_digit_year", "date", value=value, read_as=written))
            day = parse_day("date", written)
        if day > clock.today():
            raise InvalidInput("date", "value_in_future", value=value)
        start = get_settings().programme_start
        if day < start:
            begun = jdatetime.date.fromgregorian(date=start).strftime("%Y/%m/%d")
            raise InvalidInput("date", "date_before_programme", value=value, start=begun)
        return day


def date_key(value: object) -> str:
    """A date cell as its form is compared: Latin digits, the time of day after it left out."""
    words = latin_digits(normalise_persian(str(value))).split()
    return words[0] if words else ""


def short_year(match: re.Match) -> str:
    """A two-digit Jalali year read in this century or the last, whichever is not ahead (99/9/18: 1399)."""
    year = 1400 + int(match[1])
    if year > jdatetime.date.fromgregorian(date=clock.today()).year:
        year -= 100
    return f"{year}/{int(match[2]):02d}/{int(match[3]):02d}"


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
