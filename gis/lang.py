"""Persian as users type and read it: Arabic ي/ك, Persian and Arabic-Indic digits, the Persian decimal
separator, the one match key resolvers compare words by, and Solar Hijri (Jalali)
dates for display and input (parse_day; the database stores ISO dates)."""

import re
from datetime import date, datetime

import jdatetime

from gis.errors import InvalidInput

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# Embedding and override marks (U+202A–U+202E) and isolates (U+2066–U+2069) reorder what a reader sees: a name
# shown reversed, a link disguised. Stored text never needs them (RLM/LRM and ZWNJ stay).
_NORMAL = {**_LETTERS, **{code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}}


def normalise_persian(text: str) -> str:
    """Arabic letter forms to Persian (ي→ی, ك→ک), so the same word always matches itself; the characters that
    reorder text are dropped."""
    return text.translate(_NORMAL)


def latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; the Persian decimal separator (٫) and comma (،) too."""
    return text.translate(_DIGITS).replace("٫", ".").replace("٬", "").replace("،", ",")


_IGNORED = re.compile("[\u064b-\u065f\u0670\u0640\u200f\u200e]")  # diacritics, hamza above, tatweel, marks
_SPACES = re.compile(r"[\s\u200c_\-ـ]+")


def match_key(text: object) -> str:
    """The form every spelling of one word shares, so resolvers compare like with like: Persian letter forms,
    Latin digits, no diacritics, one space for ZWNJ, '_', '-' and runs of spaces, lower-case Latin.
    'گوشهٔ بی‌مراقبت پارک' and 'گوشه بي مراقبت پارك' share one key, as do '۲۲۰۳' and '2203'."""
    value = _IGNORED.sub("", normalise_persian(latin_digits(str(text))))
    return _SPACES.sub(" ", value).strip().lower()


def persian_digits(value: object) -> str:
    """Digits for Persian pages: 1403 → ۱۴۰۳ (the decimal point becomes ٫)."""
    return str(value).translate(_TO_PERSIAN).replace(".", "٫")


MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)


def jalali(value: date | datetime | None) -> str:
    """An ISO date as the Jalali '1399/09/15' (Latin digits; pages turn them Persian)."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


def jalali_month(value: date, lang: str = "fa") -> str:
    """'Azar 1399' / 'آذر 1399': the label of the Jalali month a day falls in."""
    day = jdatetime.date.fromgregorian(date=value)
    return f"{(MONTHS_EN if lang == 'en' else MONTHS_FA)[day.month - 1]} {day.year}"


def jalali_month_start(value: date) -> date:
    """The first day (ISO) of the Jalali month that `value` falls in."""
    day = jdatetime.date.fromgregorian(date=value)
    return jdatetime.date(day.year, day.month, 1).togregorian()


def parse_day(field: str, text: str | None) -> date | None:
    """An ISO date (2026-03-21) or a Solar Hijri one (۱۴۰۵/۰۱/۰۱, 1405-01-01: years before 1700 are
    Jalali)."""
    if not text or not text.strip():
        return None
    parts = latin_digits(text).strip().replace("/", "-").split("-")
    try:
        year, month, day = (int(p) for p in parts)
        if year < 1700:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(field, "not_a_date", text=text) from exc
