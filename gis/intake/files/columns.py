"""Which column holds what, and which category or neighbourhood a cell names, in Persian or English.

Headers are compared by `gis.lang.match_key`: Arabic letter forms, diacritics, zero-width non-joiners,
underscores and case do not matter. Categories and neighbourhoods resolve as in every other channel
(`gis.vocabulary`, `gis.places.neighbourhoods`), with their names loaded once per file.
"""

from dataclasses import dataclass, field

from shapely.geometry import Point
from shapely.prepared import PreparedGeometry, prep

from gis.db import Conn
from gis.errors import InvalidInput
from gis.lang import match_key
from gis.places.neighbourhoods import neighbourhood_names, neighbourhood_outlines, resolve_neighbourhood
from gis.vocabulary import category_names, date_rules, resolve_category, time_names, time_of_day

# The report field each header fills (several headers may name one field; the first column found wins).
HEADERS = {
    "lat": ("lat", "latitude", "عرض", "عرض جغرافیایی", "عرض جغرافیایی (lat)", "y wgs84"),
    "lon": ("lon", "lng", "long", "longitude", "طول", "طول جغرافیایی", "طول جغرافیایی (lon)", "x wgs84"),
    "y": ("y", "northing", "utm y", "y utm", "north", "مختصات y", "عرض utm"),
    "x": ("x", "easting", "utm x", "x utm", "east", "مختصات x", "طول utm"),
    "category": (
        "category",
        "type",
        "kind",
        "category code",
        "نوع",
        "نوع فضا",
        "نوع فضای بی دفاع",
        "دسته",
        "دسته بندی",
        "نوع مشکل",
        "عنوان",
    ),
    "description": ("description", "desc", "details", "notes", "توضیحات", "شرح", "شرح مشکل", "توضیح"),
    "address": ("address", "location", "آدرس", "نشانی", "محل"),
    "neighbourhood": (
        "neighbourhood",
        "neighborhood",
        "mahalle",
        "mahalle code",
        "area",
        "area code",
        "محله",
        "نام محله",
        "کد محله",
    ),
    "date": ("date", "reported at", "reported on", "تاریخ", "تاریخ گزارش", "تاریخ ثبت", "تاریخ بازدید"),
    "time_of_day": ("time of day", "time", "زمان", "زمان ناامنی", "ساعت", "زمان وقوع"),
}

_HEADER_INDEX = {match_key(word): name for name, words in HEADERS.items() for word in words}


def header_fields(cells: list[object]) -> set[str]:
    """The report fields a row's cells name as headers: a header row names some, a title or data row none."""
    return {_HEADER_INDEX[key] for c in cells if c is not None and (key := match_key(c)) in _HEADER_INDEX}


def map_columns(columns: list[str]) -> dict[str, str]:
    """Report field → the file's column; refuses a file in which nothing looks like a place or a category."""
    mapping: dict[str, str] = {}
    for column in columns:
        field = _HEADER_INDEX.get(match_key(column))
        if field and field not in mapping:
            mapping[field] = column
    if "category" not in mapping:
        raise InvalidInput("columns", "category_column_category_among", columns=", ".join(columns))
    return mapping


@dataclass
class Lookups:
    """Categories and neighbourhoods by every name a file may use for them, loaded once per file."""

    categories: dict[str, str]
    neighbourhoods: dict[str, tuple[int, str]]
    # Each neighbourhood's code and outline, to tell which one a row's coordinates fall in.
    outlines: list[tuple[str, PreparedGeometry]] = field(default_factory=list)
    # Words for the times of day, the GIS office's confirmed ones among them.
    times: dict[str, str] | None = None
    # The date forms the GIS office confirmed once for every file (gis.vocabulary.TWO_DIGIT_YEAR).
    date_rules: set[str] = field(default_factory=set)

    def category(self, text: object) -> str:
        """The category a cell names (as `gis.vocabulary.category` resolves it)."""
        return resolve_category(self.categories, text)

    def neighbourhood(self, text: object) -> str:
        """The code of the neighbourhood a cell names (as every channel resolves it)."""
        return resolve_neighbourhood(self.neighbourhoods, text, field="neighbourhood")[1]

    def time_of_day(self, text: object) -> str | None:
        """The time of day a cell names (as `gis.vocabulary.time_of_day` resolves it); None when blank."""
        return time_of_day(text, names=self.times)

    def locate(self, lon: float, lat: float) -> str | None:
        """The code of the neighbourhood a point falls in; None outside them all."""
        point = Point(lon, lat)
        return next((code for code, outline in self.outlines if outline.contains(point)), None)


def load_lookups(conn: Conn) -> Lookups:
    """Read the category and neighbourhood names (and outlines) once for the whole file."""
    outlines = [(code, prep(shape)) for code, shape in neighbourhood_outlines(conn)]
    return Lookups(
        category_names(conn), neighbourhood_names(conn), outlines, time_names(conn), date_rules(conn)
    )
