"""A sub-district mayor's list as it really arrives: a title row above the headers, a blank row, Persian
digits, two-digit Jalali years, free-text categories no alias knows, a row placed by its address and محله
only, and a «جمع» totals row at the end. Shared by the import page's API and browser tests."""

import time
from pathlib import Path

from openpyxl import Workbook

from tests.api.channels import point_in

FA = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
HEADER = ["ردیف", "نوع فضا", "نشانی", "محله", "عرض جغرافیایی", "طول جغرافیایی", "تاریخ", "زمان"]
# The free-text categories of this list that no alias knows yet, and what the office maps them to.
UNKNOWN = {"نور کم": "poor_lighting", "ساختمان خرابه": "abandoned_building"}
# The broken row's latitude as mistyped.
BROKEN_LAT = "۳۵٫۷x"


def finished_job(client, url: str, headers: dict[str, str], timeout: float = 300) -> dict:
    """The import job at `url` once it has ended (polled; fails past `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while (job := client.get(url, headers=headers).json())["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return job


def broken_place(db_url: str) -> tuple[float, float]:
    """Where the broken row is (lon, lat): its latitude is what the office types to fix it."""
    return point_in(db_url, "2207")


def messy_xlsx(db_url: str, path: Path, *, broken: bool = False) -> Path:
    """Write the list to `path`, its points clear of every spot (a second list is about other places);
    `broken` adds a row (8) whose latitude is mistyped (BROKEN_LAT), to be fixed in the page with the right
    one (`broken_place`, asked before anything is imported there)."""
    points = [point_in(db_url, code) for code in ("2201", "2203", "2205")]
    rows = [
        ["1", "نور کم", "کوچه شهید رضایی", "شریف", points[0][1], points[0][0], "99/9/18", "شب"],
        ["2", "ساختمان خرابه", "انتهای بلوار", "آبشار", points[1][1], points[1][0], "۹۹/۹/۲۰", "۲۱:۰۰"],
        ["3", "زمین خالی", "پشت پارک", "زیبادشت", points[2][1], points[2][0], "1399/09/21", "عصر"],
        ["4", "نور کم", "خیابان دریاچه، کوچه ۵", "دریاچه", None, None, "۱۳۹۹/۰۹/۲۲", "شب"],
    ]
    if broken:
        rows.append(
            ["5", "زمین خالی", "کنار اتوبان", "", BROKEN_LAT, broken_place(db_url)[0], "1399/09/23", "شب"]
        )
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
                lat if isinstance(lat, str) or lat is None else f"{lat:.6f}".translate(FA),
                None if lon is None else f"{lon:.6f}".translate(FA),
                day,
                when,
            ]
        )
    sheet.append(["جمع", None, None, None, None, None, None, "۴"])
    book.save(path)
    return path
