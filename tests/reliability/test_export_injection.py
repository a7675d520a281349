"""Spreadsheet formula injection: text someone typed into a report (or an area's name) is never a live
formula in a CSV or XLSX export (OWASP's CSV injection guidance), and numbers stay numbers."""

import csv
import io

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from gis.db import transaction
from gis.intake.files import ImportOptions, import_reports, write_rejected
from gis.places.areas import import_areas
from tests.api.test_reports_api import _body as report_body

PAYLOADS = (
    '=HYPERLINK("http://evil.example","x")',
    "@SUM(1)",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture
def staff(role_tokens: dict[str, str]) -> dict[str, str]:
    """The GIS office reads the reports layer."""
    return {"Authorization": f"Bearer {role_tokens['gis_office']}"}


@pytest.fixture
def planted(client, staff, db_url) -> dict[str, str]:
    """One report per payload (through the API, as a facilitator's tablet sends it) and an area named by the
    first payload (through the function `safemap import areas` calls); report id → its stored description."""
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM area"
            " WHERE level = 'neighbourhood' ORDER BY code LIMIT 1) q"
        )
        lon, lat = cur.fetchone()
        frame = gpd.GeoDataFrame(
            {"code": ["EVIL1"], "name": [PAYLOADS[0]]}, geometry=[box(51.0, 35.0, 51.001, 35.001)], crs=4326
        )
        import_areas(conn, frame, level="neighbourhood", code_field="code", name_field="name")
    sent = []
    for payload in PAYLOADS:
        body = report_body((lon, lat), description=payload)
        response = client.post("/api/reports", json=body, headers=staff)
        assert response.status_code == 201, response.text
        sent.append(body["uuid"])
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, description FROM report WHERE uuid = ANY(%s::uuid[])", (sent,))
        stored = dict(cur.fetchall())
    # intake strips the tab and CR, and what is left still starts a formula
    assert len(stored) == len(PAYLOADS) and all(text[0] in "=+-@" for text in stored.values())
    return stored


def _is_neutral(cell: str, typed: str) -> bool:
    """OWASP: a cell starting with = + - @ tab or CR is prefixed with a single quote."""
    return cell == "'" + typed


def test_csv_text_cells_start_with_a_quote(client, staff, planted) -> None:
    response = client.get("/api/exports/csv", params={"layers": "reports"}, headers=staff)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    by_id = {int(row["id"]): row for row in rows}
    for report_id, payload in planted.items():
        cell = by_id[report_id]["descr"]
        assert _is_neutral(cell, payload), f"{payload!r} exported as {cell!r}"
    # numbers are still numbers, not quoted text
    assert all(row["id"].isdigit() for row in rows)

    areas = client.get("/api/exports/csv", params={"layers": "areas"}).text.lstrip("\ufeff")
    names = {row["code"]: row["name_fa"] for row in csv.DictReader(io.StringIO(areas))}
    assert names["EVIL1"] == "'" + PAYLOADS[0]


def test_xlsx_text_cells_are_text_not_formulas(client, staff, planted, tmp_path) -> None:
    response = client.get("/api/exports/xlsx", params={"layers": "reports,areas"}, headers=staff)
    assert response.status_code == 200
    path = tmp_path / "safemap.xlsx"
    path.write_bytes(response.content)
    book = load_workbook(path)
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []

    sheet = book["reports"]
    header = [cell.value for cell in sheet[1]]
    descr_at, id_at = header.index("descr"), header.index("id")
    cells = {row[id_at].value: row for row in sheet.iter_rows(min_row=2)}
    assert all(isinstance(report_id, int) for report_id in cells)  # numbers stay numbers
    for report_id, payload in planted.items():
        cell = cells[report_id][descr_at]
        assert cell.data_type == "s" and _is_neutral(cell.value, payload), (payload, cell.value)

    areas = book["areas"]
    header = [cell.value for cell in areas[1]]
    code_at, name_at = header.index("code"), header.index("name_fa")
    names = {row[code_at].value: row[name_at].value for row in areas.iter_rows(min_row=2)}
    assert names["EVIL1"] == "'" + PAYLOADS[0]


def test_the_rejected_rows_file_quotes_formulas_too(db_url, tmp_path) -> None:
    """The file of rejected rows a partial import writes holds the sender's own text: quoted the same way."""
    lines = [
        "ردیف,عرض جغرافیایی,طول جغرافیایی,نوع,توضیحات",
        '1,35.74,51.12,"=HYPERLINK(""http://evil.example"",""x"")",@SUM(1)',
    ]
    path = tmp_path / "letter.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with transaction(db_url) as conn:
        result = import_reports(conn, path, ImportOptions(source="mayor", source_ref="1", partial=True))
    out = tmp_path / "letter.rejected.csv"
    assert write_rejected(out, result) == 1
    with open(out, encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["نوع"], row["توضیحات"]) == ("'" + PAYLOADS[0], "'@SUM(1)")
