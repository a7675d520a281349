"""A sub-district mayor's list as it really arrives: a title row above the headers, a blank row, Persian
digits, two-digit Jalali years, free-text categories no alias knows, a row placed by its address and محله
only, and a «جمع» totals row at the end. Shared by the import page's API and browser tests."""

from pathlib import Path

from openpyxl import Workbook

from tests.api.channels import point_in

FA = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
HEADER = ["ردیف", "نوع فضا", "نشانی", "محله", "عرض جغرافیایی", "طول جغرافیایی", "تاریخ", "زمان"]
# The free-text categories of this list that no alias knows yet, and what the office maps them to.
UNKNOWN = {"نور کم": "poor_lighting", "ساختمان خرابه": "abandoned_building"}


def messy_xlsx(db_url: str, path: Path) -> Path:
    """Write the list to `path`, its points clear of every spot (a second list is about other places)."""
    points = [point_in(db_url, code) for code in ("2201", "2203", "2205")]
    rows = [
        ["1", "نور کم", "کوچه شهید رضایی", "شریف", points[0][1], points[0][0], "99/9/18", "شب"],
        ["2", "ساختمان خرابه", "انتهای بلوار", "آبشار", points[1][1], points[1][0], "۹۹/۹/۲۰", "۲۱:۰۰"],
        ["3", "زمین خالی", "پشت پارک", "زیبادشت", points[2][1], points[2][0], "1399/09/21", "عصر"],
        ["4", "نور کم", "خیابان دریاچه، کوچه ۵", "دریاچه", None, None, "۱۳۹۹/۰۹/۲۲", "شب"],
    ]
    book = Workbook()
    sheet = book.active
    sheet.append(["فهرست فضاهای بی‌دفاع ناحیه — پیوست نامه"])
    sheet.append([])
    sheet.append(HEADER)
    for number, category, address, area, lat, lon, day, when in rows:
        sheet.append(
            [
                number.translate(FA),
                category,
                address,
                area,
                None if lat is None else f"{lat:.6f}".translate(FA),
                None if lon is None else f"{lon:.6f}".translate(FA),
                day,
                when,
            ]
        )
    sheet.append(["جمع", None, None, None, None, None, None, "۴"])
    book.save(path)
    return path
