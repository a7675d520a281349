"""Exports that QGIS and Excel read as data: a GeoPackage's times are DATETIME fields, a workbook's are date
cells (Tehran's wall clock, the Jalali date beside), a Shapefile never cuts a long Persian text silently."""

import csv
import io
import zipfile
from datetime import datetime

import psycopg2
import pyogrio
from openpyxl import load_workbook

from gis import clock
from gis.publish.exports import export

LONG_TITLE = "کوچهٔ تاریک پشت پارک که زنان و دختران شب از آن نمی‌گذرند " * 6


def _created(db_url: str) -> dict[int, datetime]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, created_at FROM spot WHERE status <> 'merged'")
        found = dict(cur.fetchall())
    conn.close()
    return found


def test_a_geopackage_has_real_date_times(conn, db_url, tmp_path):
    export(conn, "gpkg", tmp_path / "d.gpkg", ["spots"])
    read = {}
    for table in ("spots_points", "spots_lines", "spots_polygons"):
        info = pyogrio.read_info(tmp_path / "d.gpkg", layer=table)
        kinds = dict(zip(info["fields"], info["dtypes"]))
        assert kinds["created"].startswith("datetime64") and kinds["created_j"] == "object"
        frame = pyogrio.read_dataframe(tmp_path / "d.gpkg", layer=table)
        read |= {int(r.id): r.created.to_pydatetime() for r in frame.itertuples()}
    created = _created(db_url)
    assert read == {spot: moment.replace(microsecond=0) for spot, moment in created.items()}


def test_a_workbook_has_date_cells_in_tehrans_wall_clock(conn, db_url, tmp_path):
    export(conn, "xlsx", tmp_path / "d.xlsx", ["spots"])
    sheet = load_workbook(tmp_path / "d.xlsx", read_only=True)["spots"]
    header, *body = sheet.iter_rows(values_only=True)
    at, spot_id = header.index("created"), header.index("id")
    created = _created(db_url)
    for row in body:
        assert isinstance(row[at], datetime)
        expected = created[row[spot_id]].astimezone(clock.zone()).replace(tzinfo=None, microsecond=0)
        assert row[at] == expected


def test_a_shapefile_gives_a_long_persian_text_whole_beside_it(conn, tmp_path):
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE spot SET title = %s WHERE id = (SELECT min(id) FROM spot WHERE status <> 'merged')"
            " RETURNING id",
            (LONG_TITLE,),
        )
        (spot_id,) = cur.fetchone()
    assert len(LONG_TITLE.encode()) > 254
    export(conn, "shp", tmp_path / "d.zip", ["spots"])
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        names = archive.namelist()
        full = list(csv.reader(io.StringIO(archive.read("full_texts.csv").decode("utf-8-sig"))))
        note = archive.read("README.txt").decode()
    assert "full_texts.csv" in note and "254" in note
    assert ["spots", str(spot_id), "title", LONG_TITLE] in full
    assert any(name.endswith(".dbf") for name in names)
