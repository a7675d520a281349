"""Letters' attachments as the GIS office receives them: a title and a blank row above the headers, a «جمع»
row at the end, several problems in one row, two-digit Jalali years, a محله that disagrees with the
coordinates, and the same file sent again under another letter number."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from gis.db import transaction
from gis.errors import InvalidInput
from gis.intake.files import ImportOptions, ImportRejected, import_reports
from tests.conftest import query_one
from tests.intake.conftest import import_file, persian

HEADER = ["ردیف", "عرض جغرافیایی", "طول جغرافیایی", "نوع فضا", "توضیحات", "محله", "تاریخ", "ساعت"]


def _xlsx(path: Path, rows: list[list], *, title: bool = True, total: bool = True) -> Path:
    """A sheet as a sub-district office makes it: the letter's title and a blank row, then the table."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["فهرست فضاهای بی‌دفاع ناحیه ۳ — پیوست نامهٔ ۱۲۳/ن۳"])
        sheet.merge_cells("A1:H1")
        sheet.append([None] * len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if total:
        sheet.append(["جمع", None, None, None, f"{len(rows)} مورد", None, None, None])
    book.save(path)
    return path


@pytest.fixture
def letter(tmp_path: Path, places) -> Path:
    (lon1, lat1), (lon2, lat2) = places["2201"], places["2207"]
    return _xlsx(
        tmp_path / "letter.xlsx",
        [
            ["۱", persian(lat1), persian(lon1), "زمین بایر", "زمین رها شده", None, "1402/07/01", "شب"],
            ["۲", persian(lat2), persian(lon2), "کوچه بن بست", "کوچهٔ تاریک", None, "1402/07/02", None],
        ],
    )


def test_the_header_row_is_found_below_a_title_and_a_blank_row_and_the_totals_row_is_skipped(db_url, letter):
    result = import_file(db_url, letter, source_ref="123/3")
    assert result.written and result.count("accepted") == 2 and result.count("rejected") == 0
    assert (result.header_row, result.skipped, result.totals) == (3, [1, 2], [6])
    assert "headers on row 3, rows 1, 2 above them skipped" in result.summary()
    assert "totals row 6 skipped" in result.summary()
    answer = result.as_dict()
    assert (answer["header_row"], answer["skipped_above_header"], answer["totals_rows"]) == (3, [1, 2], [6])


def test_a_csv_with_a_title_line_is_read_from_its_headers(db_url, tmp_path, places):
    lon, lat = places["2209"]
    path = tmp_path / "titled.csv"
    lines = [
        "گزارش ناحیه ۵",
        "",
        "lat,lon,category,description",
        f"{lat},{lon},vacant_lot,lot",
        "جمع کل:,,,1",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(db_url, path)
    assert (result.count("accepted"), result.header_row, result.skipped, result.totals) == (1, 3, [1, 2], [5])


def test_the_header_row_can_be_forced(db_url, letter):
    with pytest.raises(InvalidInput) as caught:
        import_file(db_url, letter, header_row=4)  # a data row as headers
    assert caught.value.field == "columns"
    with pytest.raises(InvalidInput) as caught:
        import_file(db_url, letter, header_row=40)
    assert caught.value.field == "header_row" and "no row 40" in caught.value.text("en")
    result = import_file(db_url, letter, header_row=3)
    assert result.count("accepted") == 2


def test_a_totals_row_in_the_middle_is_an_ordinary_rejected_row(db_url, tmp_path, places):
    lon, lat = places["2210"]
    path = _xlsx(
        tmp_path / "mid.xlsx",
        [
            ["جمع", None, None, None, None, None, None, None],
            ["۱", lat, lon, "زمین بایر", "x", None, None, None],
        ],
        total=False,
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(db_url, path)
    assert [r.row for r in caught.value.result.rows if r.status == "rejected"] == [4]


def test_every_problem_of_a_row_is_told_at_once_in_persian_and_english(db_url, tmp_path, places):
    lon, lat = places["2201"]
    path = _xlsx(
        tmp_path / "many.xlsx",
        [
            ["۱", persian(lat), persian(lon), "زمین بایر", "درست", None, "1402/07/01", "شب"],
            ["۲", "سی و پنج", persian(lon), "چیز عجیب", "سه مشکل", None, "1402/13/40", "ساعت 21"],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(db_url, path)
    (row,) = [r for r in caught.value.result.rows if r.status == "rejected"]
    assert row.row == 5
    assert [p["field"] for p in row.problems] == ["category", "lat", "date", "time_of_day"]
    assert all(p["reason"] and p["reason_fa"] for p in row.problems)
    assert "unknown category" in row.reason and "not a number" in row.reason
    assert "دستهٔ ناشناخته" in row.reason_fa
    assert row.as_dict()["problems"] == row.problems


def test_conflicts_are_flagged_for_review_not_settled_silently(db_url, tmp_path, places):
    (lon1, lat1), (lon2, lat2), (lon3, lat3) = places["2201"], places["2207"], places["2209"]
    path = _xlsx(
        tmp_path / "conflicts.xlsx",
        [
            # محله 2201 written, the coordinates in 2207: kept where the coordinates say, flagged.
            ["۱", persian(lat2), persian(lon2), "زمین بایر", "محله دیگر", "2201", "1402/07/01", None],
            # «99/9/18»: 1399, not year 99 (0720), flagged.
            ["۲", persian(lat1), persian(lon1), "کوچه بن بست", "سال دو رقمی", None, "99/9/18", None],
            ["۳", persian(lat3), persian(lon3), "زمین بایر", "پیش از برنامه", None, "1390/01/01", None],
            ["۴", persian(lat3), persian(lon3), "زمین بایر", "آینده", None, "1499/01/01", None],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(db_url, path)
    rows = {r.row: r for r in caught.value.result.rows}
    assert rows[4].status == "accepted"
    (conflict,) = rows[4].flags
    assert (conflict["kind"], conflict["field"]) == ("neighbourhood_conflict", "neighbourhood")
    assert "2201" in conflict["message"] and "2207" in conflict["message"] and conflict["message_fa"]
    assert rows[5].status == "accepted"
    (year,) = rows[5].flags
    assert year["kind"] == "two_digit_year" and "1399/09/18" in year["message"]
    assert (rows[6].status, rows[6].field) == ("rejected", "date")
    assert "before the programme" in rows[6].reason
    assert (rows[7].status, rows[7].field) == ("rejected", "date")
    assert "in the future" in rows[7].reason


def test_flags_are_kept_with_the_report(db_url, tmp_path, places):
    lon, lat = places["2201"]
    path = _xlsx(
        tmp_path / "year.xlsx", [["۱", persian(lat), persian(lon), "زمین بایر", "x", None, "99/9/18", None]]
    )
    with transaction(db_url) as conn:
        result = import_reports(conn, path, ImportOptions(source="mayor"))
        with conn.cursor() as cur:
            cur.execute(
                "SELECT reported_at::date, provenance->'flags'->0->>'kind' FROM report WHERE id = %s",
                (result.rows[0].report_id,),
            )
            day, kind = cur.fetchone()
    assert (day.isoformat(), kind) == ("2020-12-08", "two_digit_year")


def _counts(db_url: str) -> tuple:
    return query_one(
        db_url,
        "SELECT count(*), (SELECT sum(report_count) FROM spot), (SELECT sum(priority) FROM spot) FROM report",
    )


def test_the_same_file_under_another_letter_is_all_duplicates_of_the_first_batch(db_url, letter):
    first = import_file(db_url, letter, source_ref="۱۲۳/ن۳")
    before = _counts(db_url)
    again = import_file(db_url, letter, source_ref="456/ن9")
    assert _counts(db_url) == before  # no new report, no inflated count or priority
    assert (again.count("accepted"), again.count("duplicate")) == (0, 2)
    assert (again.previous_batch, again.previous_ref) == (first.batch_id, "۱۲۳/ن۳")
    for row, original in zip(again.rows, first.rows):
        assert row.report_id == original.report_id
        assert "۱۲۳/ن۳" in row.reason and f"batch {first.batch_id}" in row.reason and row.reason_fa


def test_the_cli_dry_run_prints_every_problem_of_every_row_and_keeps_nothing(db_url, tmp_path, places):
    from tests.cli.test_cli import run

    lon1, (lon2, lat2) = places["2201"][0], places["2207"]
    path = _xlsx(
        tmp_path / "check.xlsx",
        [
            ["۱", persian(lat2), persian(lon2), "زمین بایر", "محله دیگر", "2201", "99/9/18", None],
            ["۲", "سی و پنج", persian(lon1), "چیز عجیب", "سه مشکل", None, "1402/13/40", "ساعت 21"],
        ],
    )
    env = {"DATABASE_URL": db_url, "SAFEMAP_LANG": "en"}
    checked = run("import", "reports", str(path), "--dry-run", env=env)
    assert checked.returncode == 1, checked.stderr  # a rejected row
    out = checked.stdout
    for field in ("category", "lat", "date", "time_of_day"):
        assert f"row 5: rejected: {field}: " in out
    assert "row 4: to review: neighbourhood: the row names neighbourhood '2201'" in out
    assert "row 4: to review: date: two-digit year 99/9/18 read as 1399/09/18" in out
    assert "headers on row 3, rows 1, 2 above them skipped; totals row 6 skipped" in out
    assert "a check only: nothing imported" in out
    forced = run("import", "reports", str(path), "--dry-run", "--header-row", "4", env=env)
    assert forced.returncode == 1 and "no category column" in forced.stdout + forced.stderr
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM import_batch")
        assert cur.fetchone()[0] == 0


def test_the_office_work_list_shows_the_conflicts_imports_flagged(db_url, tmp_path, places):
    from gis.programme.worklist import office_work
    from gis.users import create_user

    lon, lat = places["2207"]
    path = _xlsx(
        tmp_path / "flagged.xlsx",
        [["۱", persian(lat), persian(lon), "زمین بایر", "x", "2201", "99/9/18", None]],
    )
    with transaction(db_url) as conn:
        result = import_reports(conn, path, ImportOptions(source="mayor"))
        office = create_user(
            conn, username="office-flags", password="long enough password", role="gis_office"
        )
        work = {item["id"]: item for item in office_work(conn, user=office)}
    spot = work[result.rows[0].spot_id]
    assert "review" in spot["needs"]
    assert [f["kind"] for f in spot["flags"]] == ["neighbourhood_conflict", "two_digit_year"]
    assert spot["flags"][0]["report_id"] == result.rows[0].report_id
