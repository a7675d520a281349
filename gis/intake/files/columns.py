"""Which column holds what, and which category or neighbourhood a cell names, in Persian or English.

Headers, categories and neighbourhood names are compared by `match_key`: Arabic letter forms, diacritics,
zero-width non-joiners, underscores and case do not matter. The lookups are loaded once per file.
"""

import re
from dataclasses import dataclass

from gis.db import Conn
from gis.errors import InvalidInput
from gis.lang import latin_digits, normalise_persian

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

# Words people use for each category, beyond its code and its Persian and English labels.
CATEGORY_SYNONYMS = {
    "poor_lighting": (
        "روشنایی",
        "تاریک",
        "معبر تاریک",
        "کم نور",
        "نور ناکافی",
        "فاقد روشنایی",
        "lighting",
        "dark",
        "unlit",
        "no lighting",
        "dark street",
    ),
    "abandoned_building": (
        "ساختمان متروکه",
        "متروکه",
        "ساختمان نیمه ساز",
        "نیمه ساز",
        "ساختمان نیمه کاره",
        "نیمه کاره",
        "مخروبه",
        "ساختمان مخروبه",
        "abandoned",
        "abandoned building",
        "half built building",
        "derelict building",
    ),
    "vacant_lot": ("زمین بایر", "بایر", "زمین خالی", "زمین رها شده", "vacant", "vacant land", "empty lot"),
    "underpass_bridge": (
        "زیرگذر",
        "پل عابر",
        "پل عابر پیاده",
        "زیرگذر عابر پیاده",
        "underpass",
        "pedestrian bridge",
        "footbridge",
        "overpass",
    ),
    "park_corner": ("پارک", "گوشه پارک", "فضای سبز", "park", "park corner"),
    "dead_end_alley": (
        "کوچه بن بست",
        "بن بست",
        "کوچه باریک",
        "کوچه",
        "dead end",
        "alley",
        "dead end alley",
        "narrow alley",
    ),
    "isolated_stop": (
        "ایستگاه",
        "ایستگاه اتوبوس",
        "ایستگاه تاکسی",
        "ایستگاه دورافتاده",
        "bus stop",
        "stop",
        "transit stop",
        "isolated stop",
    ),
    "river_highway_margin": (
        "حاشیه رودخانه",
        "حاشیه بزرگراه",
        "رودخانه",
        "بزرگراه",
        "حریم بزرگراه",
        "river",
        "highway",
        "river margin",
        "highway margin",
    ),
    "offender_gathering": (
        "تجمع معتادان",
        "محل تجمع معتادان",
        "معتادان",
        "بزهکار",
        "تجمع اراذل",
        "drug users",
        "offenders",
        "offender gathering",
    ),
    "other": ("سایر", "دیگر", "متفرقه"),
}

TIMES_OF_DAY = {
    "day": ("day", "daytime", "روز", "صبح", "ظهر", "بعدازظهر", "بعد از ظهر"),
    "evening": ("evening", "عصر", "غروب"),
    "night": ("night", "شب", "نیمه شب", "شبانه"),
}

_IGNORED = re.compile("[\u064b-\u065f\u0670\u0640\u200f\u200e]")  # diacritics, hamza above, tatweel, marks
_SPACES = re.compile(r"[\s\u200c_\-ـ]+")


def match_key(text: object) -> str:
    """The form two spellings of one word share: 'گوشهٔ بی‌مراقبت پارک' and 'گوشه بي مراقبت پارك' match."""
    value = _IGNORED.sub("", normalise_persian(latin_digits(str(text))))
    return _SPACES.sub(" ", value).strip().lower()


def _index(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {match_key(word): name for name, words in groups.items() for word in words}


_HEADER_INDEX = _index(HEADERS)
_TIME_INDEX = _index(TIMES_OF_DAY)


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


def time_of_day(text: str) -> str | None:
    """'شب' → night, 'Evening' → evening; None when the cell names no time of day."""
    return _TIME_INDEX.get(match_key(text))


@dataclass
class Lookups:
    """Categories and neighbourhoods by every name a file may use for them, loaded once per file."""

    categories: dict[str, str]
    neighbourhoods: dict[str, str]

    def category(self, text: str) -> str | None:
        return self.categories.get(match_key(text))

    def neighbourhood(self, text: str) -> str | None:
        key = match_key(text)
        if key.endswith(".0"):
            key = key[:-2]
        return self.neighbourhoods.get(key) or self.neighbourhoods.get(key.removeprefix("محله "))


def load_lookups(conn: Conn) -> Lookups:
    """Read the category and neighbourhood tables once, indexed by `match_key`."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, label_fa, label_en FROM category")
        categories = {
            match_key(word): code
            for code, *labels in cur.fetchall()
            for word in (code, *labels, *CATEGORY_SYNONYMS.get(code, ()))
        }
        cur.execute("SELECT code, name_fa, name_en, name_latin FROM area WHERE level = 'neighbourhood'")
        neighbourhoods = {
            match_key(name): code for code, *names in cur.fetchall() for name in (code, *names) if name
        }
    return Lookups(categories, neighbourhoods)
