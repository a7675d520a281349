"""What the GIS office settles on the import page before importing, applied the same way by the check, the
import in the request and the background job: cells fixed in a row (`7:عرض جغرافیایی=35.71`), and readings of
the file's date forms (`99/9/18=1399/09/18`) confirmed for the whole file.

A date form is listed for a person when the importer would guess it: a two-digit year (read in this Jalali
century or the last), a day and month without a year, a day written first, or a Gregorian date in a column of
Jalali ones. Each distinct form is listed once with the reading suggested; what the office confirms is used
for every cell written that way.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

import jdatetime

from gis import clock
from gis.errors import InvalidInput
from gis.intake.files.read import Row
from gis.intake.files.rows import _SHORT_YEAR, date_key, short_year
from gis.lang import latin_digits, normalise_persian, parse_day
from gis.vocabulary import TWO_DIGIT_YEAR

_DAY_MONTH = re.compile(r"^(\d{1,2})[/-](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")
GREGORIAN_YEARS = 1700  # a four-digit year from here on is Gregorian (as gis.lang.parse_day reads it)


@dataclass
class Adjustments:
    """Columns matched by hand (column → field), fixed cells (row → column → text), date readings."""

    columns: dict[str, str] = field(default_factory=dict)
    fixes: dict[int, dict[str, str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        """As a job keeps them (row numbers as text keys)."""
        return {
            "columns": self.columns,
            "fixes": {str(n): cells for n, cells in self.fixes.items()},
            "dates": self.dates,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "Adjustments":
        data = data or {}
        fixes = {int(n): cells for n, cells in (data.get("fixes") or {}).items()}
        return cls(data.get("columns") or {}, fixes, data.get("dates") or {})

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The file's rows with the office's fixes in their cells."""
        for row in rows:
            cells = self.fixes.get(row.number)
            yield replace(row, values=row.values | cells) if cells else row


def parse_fixes(pairs: Iterable[str], columns: list[str] | None = None) -> dict[int, dict[str, str]]:
    """'7:عرض جغرافیایی=35.71' pairs (row:column=text, as the page and the CLI send them) → row → cells."""
    fixes: dict[int, dict[str, str]] = {}
    for pair in pairs:
        number, _, rest = pair.partition(":")
        column, sep, cell = rest.partition("=")
        number = latin_digits(number).strip()
        if not (number.isascii() and number.isdigit()) or not sep or not column.strip():
            raise InvalidInput("fix", "fix_pair", pair=pair)
        column = normalise_persian(column).strip()
        if columns is not None and column not in columns:
            raise InvalidInput("fix", "map_column_unknown", column=column, columns=", ".join(columns))
        fixes.setdefault(int(number), {})[column] = cell.strip()
    return fixes


def split_pairs(pairs: Iterable[str], name: str, reason: str) -> Iterator[tuple[str, str]]:
    """'left=right' pairs as the page and the CLI send them (the last '=' splits, so a left side may hold
    one), as they were written; a pair with an empty side is refused as the field `name` with `reason`."""
    for pair in pairs:
        left, sep, right = pair.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise InvalidInput(name, reason, pair=pair)
        yield left, right


def parse_dates(pairs: Iterable[str]) -> dict[str, str]:
    """'99/9/18=1399/09/18' pairs → the form as `date_key` writes it → its reading, each reading a day."""
    dates: dict[str, str] = {}
    for written, reading in split_pairs(pairs, "date", "date_pair"):
        reading = latin_digits(reading).strip()
        parse_day("date", reading)
        dates[date_key(written)] = reading
    return dates


def _jalali(day: date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


def _day_month(match: re.Match) -> str:
    """A day and month with no year: the latest such day not ahead of today (month first, as Jalali dates
    are written, unless the first number cannot be a month)."""
    first, second = int(match[1]), int(match[2])
    month, day = (first, second) if first <= 12 else (second, first)
    year = jdatetime.date.fromgregorian(date=clock.today()).year
    try:
        if jdatetime.date(year, month, day).togregorian() > clock.today():
            year -= 1
        return _jalali(jdatetime.date(year, month, day).togregorian())
    except ValueError:
        return ""


def date_form(value: object, rules: set[str]) -> tuple[str, str] | None:
    """(the form's kind, the reading suggested; "" when none) for a date cell a person should confirm; None
    for one that reads plainly (or whose form the office confirmed once for every file). A Gregorian date is
    'gregorian' here: the caller lists it only in a column that also holds Jalali dates."""
    if value is None or isinstance(value, date) or not str(value).strip():
        return None
    written = date_key(value)
    if short := _SHORT_YEAR.match(written):
        return None if TWO_DIGIT_YEAR in rules else (TWO_DIGIT_YEAR, short_year(short))
    if day_month := _DAY_MONTH.match(written):
        return "no_year", _day_month(day_month)
    if day_first := _DAY_FIRST.match(written):
        reading = f"{day_first[3]}/{int(day_first[2]):02d}/{int(day_first[1]):02d}"
    elif year_first := _YEAR_FIRST.match(written):
        if int(year_first[1]) < GREGORIAN_YEARS:
            return None
        reading = f"{year_first[1]}/{int(year_first[2]):02d}/{int(year_first[3]):02d}"
    else:
        try:
            parse_day("date", written)
            return None
        except InvalidInput:
            return "unreadable", ""
    try:
        day = parse_day("date", reading)
    except InvalidInput:
        return "unreadable", ""
    kind = "day_first" if day_first else "gregorian"
    return kind, _jalali(day) if day is not None else ""
