"""Mayors' files through the importer: the per-row report, all-or-nothing, --partial, no duplicates."""

import csv
import json
from datetime import date

import geopandas as gpd
import psycopg2
import pytest
from shapely.geometry import Point

from gis.db import transaction
from gis.errors import InvalidInput
from gis.intake.files import ImportOptions, ImportRejected, import_reports, write_rejected
from tests.intake.conftest import import_file


def _count(db_url: str, query: str = "SELECT count(*) FROM report") -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_a_messy_csv_gets_a_report_per_row_and_writes_nothing(db_url, messy_csv):
    before = _count(db_url)
    with pytest.raises(ImportRejected) as caught:
        import_file(db_url, messy_csv, source_ref="۱۲۳/ن۳ ۱۴۰۳/۰۲/۱۰")
    result = caught.value.result
    by_row = {r.row: r for r in result.rows}
    assert result.blank == 1 and sorted(by_row) == [2, 4, 5, 6, 7, 8]
    assert [by_row[n].status for n in (2, 4, 5)] == ["accepted", "accepted", "accepted"]
    assert (by_row[6].status, by_row[6].field) == ("rejected", "location")
    assert "outside the district" in by_row[6].reason
    assert "swapped" in by_row[7].reason
    assert (by_row[8].field, by_row[8].reason) == ("category", "unknown category 'چیز عجیب'")
    assert _count(db_url) == before and _count(db_url, "SELECT count(*) FROM import_batch") == 0


def test_partial_keeps_the_valid_rows_with_their_meaning(db_url, messy_csv, tmp_path):
    with transaction(db_url) as conn:
        result = import_reports(
            conn, messy_csv, ImportOptions(source="mayor", source_ref="123", partial=True)
        )
    assert (result.count("accepted"), result.count("rejected"), result.written) == (3, 3, True)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT r.category, r.location_verified, (r.reported_at AT TIME ZONE 'Asia/Tehran')::date, a.code,
                   r.provenance->>'row', r.import_batch_id = %s, r.description
            FROM report r JOIN area a ON a.id = r.area_id WHERE r.import_batch_id IS NOT NULL ORDER BY r.id
            """,
            (result.batch_id,),
        )
        rows = cur.fetchall()
    assert [r[:5] for r in rows[:2]] == [
        ("vacant_lot", True, date(2020, 12, 5), "2201", "2"),  # 1399/09/15
        ("dead_end_alley", True, date(2023, 9, 23), "2207", "4"),  # 1402-07-01
    ]
    assert (rows[2][0], rows[2][1], rows[2][3], rows[2][4]) == ("park_corner", False, "2205", "5")
    assert all(r[5] for r in rows) and rows[1][6] == "کوچه تاریک"  # ك/ي normalised to ک/ی
    out = tmp_path / "rejected.csv"
    assert write_rejected(out, result) == 3
    with open(out, encoding="utf-8-sig") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["field"]) for r in rejected] == [
        ("6", "location"),
        ("7", "location"),
        ("8", "category"),
    ]
    assert rejected[2]["نوع"] == "چيز عجيب"  # the original text, to fix and send again


def test_importing_the_same_file_again_adds_nothing(db_url, clean_xlsx):
    first = import_file(db_url, clean_xlsx, source_ref="letter 7")
    before = _count(db_url)
    again = import_file(db_url, clean_xlsx, source_ref="letter 7")
    assert (first.count("accepted"), first.blank) == (2, 1)
    assert (again.count("accepted"), again.count("duplicate"), again.previous_batch) == (0, 2, first.batch_id)
    assert [r.report_id for r in again.rows] == [r.report_id for r in first.rows]
    assert _count(db_url) == before


def test_utm_persian_digits_and_times_of_day(db_url, clean_xlsx, places):
    result = import_file(db_url, clean_xlsx)
    ids = [r.report_id for r in result.rows]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(geom), ST_Y(geom), category, time_of_day FROM report WHERE id = ANY(%s) ORDER BY id",
            (ids,),
        )
        rows = cur.fetchall()
    (lon1, lat1), (lon2, lat2) = places["2209"], places["2210"]
    assert rows[0][:2] == pytest.approx((lon1, lat1), abs=1e-6) and rows[0][2:] == ("vacant_lot", "night")
    assert rows[1][:2] == pytest.approx((lon2, lat2), abs=1e-6)
    assert rows[1][2:] == ("isolated_stop", "evening")


def test_geojson_and_geopackage_layers(db_url, places, tmp_path):
    (lon1, lat1), (lon2, lat2) = places["2201"], places["2210"]
    frame = gpd.GeoDataFrame(
        {"نوع": ["ساختمان نیمه‌ساز", "river"], "شرح": ["نیمه کاره", "edge"]},
        geometry=[Point(lon1, lat1), Point(lon2, lat2)],
        crs=4326,
    )
    frame.to_file(tmp_path / "points.geojson", driver="GeoJSON")
    frame.to_crs(32639).to_file(tmp_path / "points.gpkg", driver="GPKG")
    with transaction(db_url) as conn:
        geojson = import_reports(
            conn, tmp_path / "points.geojson", ImportOptions(source="mayor", source_ref="a")
        )
        gpkg = import_reports(conn, tmp_path / "points.gpkg", ImportOptions(source="mayor", source_ref="a"))
    assert geojson.count("accepted") == 2
    assert gpkg.count("duplicate") == 2  # the same rows in another format and CRS are the same reports


def test_a_zipped_shapefile(db_url, places, tmp_path):
    import zipfile

    (lon, lat) = places["2207"]
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame(
        {"category": ["dead_end_alley"], "desc": ["narrow"]}, geometry=[Point(lon, lat)], crs=4326
    ).to_crs(32639).to_file(folder / "alleys.shp")
    archive = tmp_path / "alleys.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            zipped.write(part, part.name)
    result = import_file(db_url, archive)
    assert result.file_format == "shapefile" and result.count("accepted") == 1


def test_files_the_importer_cannot_use_say_why(db_url, tmp_path):
    no_category = tmp_path / "list.csv"
    no_category.write_text("lat,lon,desc\n35.75,51.2,x\n", encoding="utf-8")
    with transaction(db_url) as conn, pytest.raises(InvalidInput) as caught:
        import_reports(conn, no_category, ImportOptions())
    assert caught.value.field == "columns"
    with transaction(db_url) as conn, pytest.raises(InvalidInput) as caught:
        import_reports(conn, no_category, ImportOptions(source="newspaper"))
    assert caught.value.field == "source"
    words = tmp_path / "list.docx"
    words.write_bytes(b"PK")
    with transaction(db_url) as conn, pytest.raises(InvalidInput, match="unknown format"):
        import_reports(conn, words, ImportOptions())


def test_the_rejected_rows_report_names_the_field(db_url, tmp_path, places):
    lon, lat = places["2209"]
    path = tmp_path / "bad.csv"
    path.write_text(
        "lat;lon;type;date;time\n"
        f"{lat};{lon};vacant lot;1403/13/40;night\n"
        f"{lat};abc;vacant lot;;\n"
        f"{lat};;vacant lot;;\n"
        f"{lat};{lon};vacant lot;;midnightish\n"
        f"{lat};{lon};;;\n",
        encoding="utf-8",
    )
    with transaction(db_url) as conn, pytest.raises(ImportRejected) as caught:
        import_reports(conn, path, ImportOptions())
    assert [(r["row"], r["field"]) for r in caught.value.rows] == [
        (2, "date"),
        (3, "lon"),
        (4, "lon"),
        (5, "time_of_day"),
        (6, "category"),
    ]
    assert json.dumps(caught.value.rows, ensure_ascii=False).count("values") == 5
