"""Solar Hijri (Jalali) dates for display; the database stores ISO dates (parsing: gis.spots.parse_day)."""
from datetime import date, datetime

import jdatetime

MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
MONTHS_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey",
             "Bahman", "Esfand")


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
