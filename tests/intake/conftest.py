"""Messy report files as sub-district mayors send them, built fresh in each test."""

import csv
import io
from pathlib import Path

import psycopg2
import pytest
from pyproj import Transformer

from gis.db import transaction
from gis.intake.files import ImportOptions, ImportResult, import_reports

HEADER_FA = ["ردیف", "عرض جغرافیایی", "طول جغرافیایی", "نوع", "توضیحات", "آدرس", "محله", "تاریخ"]


def inside(db_url: str, code: str) -> tuple[float, float]:
    """(lon, lat) of a point well inside a neighbourhood, away from the demo spots."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT ST_X(p), ST_Y(p) FROM (
                SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(geom::geography, -150)::geometry, 300, 5))).geom
                    AS p FROM area WHERE code = %s) q
            WHERE NOT EXISTS (SELECT 1 FROM spot s WHERE ST_DWithin(s.geom::geography, q.p::geography, 200))
            LIMIT 1
            """,
            (code,),
        )
        return cur.fetchone()


def import_file(db_url: str, path: Path, **options) -> ImportResult:
    """Import a file (a mayor's, unless `source` says otherwise) in a transaction of its own, committed as the
    command line and the upload commit theirs."""
    with transaction(db_url) as conn:
        return import_reports(conn, path, ImportOptions(**{"source": "mayor", **options}))


def persian(number: float) -> str:
    """35.7512 → '۳۵٫۷۵۱۲' as a mayor's office types it."""
    return f"{number:.6f}".translate(str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫"))


@pytest.fixture
def places(db_url: str) -> dict[str, tuple[float, float]]:
    return {code: inside(db_url, code) for code in ("2201", "2207", "2209", "2210")}


@pytest.fixture
def messy_csv(tmp_path: Path, places) -> Path:
    """Windows-1256, Persian headers, Arabic ي/ك, a blank row; rows outside, swapped, of no category."""
    (lon1, lat1), (lon2, lat2), (lon3, lat3) = places["2201"], places["2207"], places["2209"]
    rows = [
        HEADER_FA,
        [
            "1",
            f"{lat1:.6f}",
            f"{lon1:.6f}",
            "زمين باير",
            "زمين رها شده با نخاله",
            "بلوار اصلي",
            "",
            "1399/09/15",
        ],
        ["", "", "", "", "", "", "", ""],
        ["2", f"{lat2:.6f}", f"{lon2:.6f}", "كوچه بن بست", "كوچه تاريك", "", "", "1402-07-01"],
        ["3", "", "", "پارك", "گوشه پارك بدون نگهبان", "", "زيبادشت بالا", ""],
        ["4", "35.700000", "51.420000", "زمين باير", "خارج از منطقه", "", "", ""],
        ["5", f"{lon3:.6f}", f"{lat3:.6f}", "زيرگذر", "مختصات جابجا", "", "", ""],
        ["6", f"{lat3:.6f}", f"{lon3:.6f}", "چيز عجيب", "نوع نامعلوم", "", "", ""],
    ]
    path = tmp_path / "nahie-3.csv"
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().replace("ی", "ي").encode("cp1256"))  # Windows has no Persian ی
    return path


@pytest.fixture
def clean_xlsx(tmp_path: Path, places) -> Path:
    """XLSX: Persian digits and decimal separator, UTM 39N metres, Jalali dates, a blank row, a clock time."""
    from openpyxl import Workbook

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32639", always_xy=True)
    (lon1, lat1), (lon2, lat2) = places["2209"], places["2210"]
    east, north = to_utm.transform(lon2, lat2)
    book = Workbook()
    sheet = book.active
    sheet.append(["X", "Y", "Category", "Description", "Date", "زمان"])
    sheet.append([persian(lon1), persian(lat1), "vacant_lot", "lot by the lake", "۱۴۰۲/۰۳/۰۱", "شب"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(
        [round(east, 2), round(north, 2), "Isolated transit stop", "ایستگاه خلوت", "2024-01-15", "۱۸:۳۰"]
    )
    path = tmp_path / "nahie-5.xlsx"
    book.save(path)
    return path


@pytest.fixture
def tokens(client, db_url) -> dict[str, dict[str, str]]:
    """Authorization headers for a GIS-office user, a facilitator and a viewer."""
    from gis.db import transaction
    from gis.users import create_user

    with transaction(db_url) as conn:
        create_user(conn, username="gis", password="s3cret-gis", role="gis_office", full_name="دفتر GIS")
        create_user(conn, username="sara", password="s3cret-sara", role="facilitator", areas=["2201"])
        create_user(conn, username="ali", password="s3cret-ali", role="viewer")
    headers = {}
    for name in ("gis", "sara", "ali"):
        token = client.post("/api/auth/token", json={"username": name, "password": f"s3cret-{name}"}).json()
        headers[name] = {"Authorization": f"Bearer {token['access_token']}"}
    return headers
