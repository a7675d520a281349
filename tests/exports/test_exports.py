"""Exports round-trip through GDAL: the same feature count and the same attribute values, Persian included."""

import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime
import psycopg2
import pyogrio
import pytest

from gis.db import transaction
from gis.publish.exports import ExportOptions, count_rows, export
from gis.users import create_user, issue_token

SAFEMAP = str(Path(sys.executable).parent / "safemap")
SECRET_PHONE = "09127770011"


def cli(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    return subprocess.run(
        [SAFEMAP, *args], capture_output=True, text=True, env={**env, "DATABASE_URL": url}, timeout=300
    )


def rows(url: str, query: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()


def jalali(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo("Asia/Tehran")).date()
    return jdatetime.date.fromgregorian(date=local).strftime("%Y/%m/%d")


def expected_spots(url: str) -> dict[int, tuple]:
    return {
        r[0]: (r[1], r[2], float(r[3]), jalali(r[4]), r[5])
        for r in rows(
            url,
            "SELECT s.id, s.title, s.stage, s.priority, s.created_at, a.name_fa FROM spot s"
            " LEFT JOIN area a ON a.id = s.area_id WHERE s.status <> 'merged'",
        )
    }


def read_spots(frame) -> dict[int, tuple]:
    return {
        int(r.id): (r.title, int(r.stage), float(r.priority), r.created_j, r.area_fa)
        for r in frame.itertuples()
    }


@pytest.fixture
def secret_contact(db_url: str) -> str:
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report_contact (report_id, name, phone)"
            " SELECT min(id), 'Zahra Hidden', %s FROM report",
            (SECRET_PHONE,),
        )
    return SECRET_PHONE


@pytest.fixture
def token(db_url: str) -> str:
    with transaction(db_url) as conn:
        user = create_user(conn, username="exporter", password="long enough password", role="gis_office")
        return issue_token(conn, user.id)[0]


def test_cli_geopackage_has_every_layer_with_the_same_rows(db_url, tmp_path, secret_contact):
    out = tmp_path / "district22.gpkg"
    result = cli("export", "gpkg", str(out), url=db_url)
    assert result.returncode == 0, result.stderr
    counts = dict(
        rows(
            db_url,
            "SELECT 'spots', count(*) FROM spot WHERE status <> 'merged' UNION ALL"
            " SELECT 'reports', count(*) FROM report UNION ALL SELECT 'areas', count(*) FROM area"
            " UNION ALL SELECT 'events', count(*) FROM spot_event",
        )
    )
    assert f"{sum(counts.values())} rows" in result.stdout
    spot_tables = {"spots_points": "Point", "spots_lines": "LineString", "spots_polygons": "Polygon"}
    assert {name for name, _ in pyogrio.list_layers(out)} == {
        *spot_tables,
        "reports",
        "areas",
        "events",
        "layer_styles",  # each table's QGIS style
    }
    for layer, count in counts.items():
        if layer != "spots":
            assert pyogrio.read_info(out, layer=layer)["features"] == count, layer
    spots = {}
    for table, geometry_type in spot_tables.items():  # one geometry type a table, as QGIS loads them
        frame = pyogrio.read_dataframe(out, layer=table)
        assert set(frame.geometry.geom_type.str.removeprefix("Multi")) == {geometry_type}
        spots |= read_spots(frame)
    assert spots == expected_spots(db_url) and len(spots) == counts["spots"]
    assert secret_contact.encode() not in out.read_bytes()


def test_shapefile_zip_keeps_persian_names_and_splits_geometry_families(
    client, db_url, token, tmp_path, secret_contact
):
    response = client.get("/api/exports/shp", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    folder = tmp_path / "shp"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(folder)
    names = sorted(p.name for p in folder.iterdir())
    assert {
        "spots_points.cpg",
        "spots_lines.shp",
        "spots_polygons.shp",
        "areas.cpg",
        "events.dbf",
        "reports.shp",
    } <= set(names)
    assert (folder / "areas.cpg").read_text().strip() == "UTF-8"
    spots = {}
    for family in ("points", "lines", "polygons"):
        spots.update(read_spots(pyogrio.read_dataframe(folder / f"spots_{family}.shp")))
    assert spots == expected_spots(db_url)
    areas = pyogrio.read_dataframe(folder / "areas.shp")
    assert dict(zip(areas.code, areas.name_fa)) == dict(rows(db_url, "SELECT code, name_fa FROM area"))
    assert (
        len(pyogrio.read_dataframe(folder / "events.dbf"))
        == rows(db_url, "SELECT count(*) FROM spot_event")[0][0]
    )
    assert all(secret_contact.encode() not in p.read_bytes() for p in folder.iterdir())


def test_csv_streams_with_jalali_dates_and_optional_persian_headers(viewer_client, db_url, tmp_path):
    client = viewer_client
    response = client.get("/api/exports/csv", params={"layers": "spots"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="spots.csv"' in response.headers["content-disposition"]
    path = tmp_path / "spots.csv"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == len(expected_spots(db_url))
    assert {int(r.id): (r.title, r.created_j, r.area_fa) for r in frame.itertuples()} == {
        k: (v[0], v[3], v[4]) for k, v in expected_spots(db_url).items()
    }
    assert set(frame.geometry.geom_type) == {"Point", "LineString", "Polygon"}  # the WKT column is read back
    persian = client.get("/api/exports/csv", params={"layers": "spots", "persian_headers": "true"}).text
    header = persian.lstrip("\ufeff").splitlines()[0].split(",")
    assert header[:3] == ["شناسه", "عنوان", "کد دسته"] and "ثبت (تاریخ شمسی)" in header


def test_geojson_streams_and_reads_back(client, db_url, tmp_path):
    response = client.get("/api/exports/geojson", params={"layers": "areas"})
    assert response.headers["content-type"] == "application/geo+json"
    path = tmp_path / "areas.geojson"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    expected = {
        r[0]: (r[1], r[2], float(r[3]))
        for r in rows(
            db_url,
            "SELECT code, name_fa, level, round((ST_Area(geom::geography) / 1e6)::numeric, 3) FROM area",
        )
    }
    assert {r.code: (r.name_fa, r.level, r.area_km2) for r in frame.itertuples()} == expected
    assert set(frame.geometry.geom_type) == {"MultiPolygon"}


def test_xlsx_has_a_sheet_per_layer_with_persian_headers(db_url, tmp_path):
    out = tmp_path / "safemap.xlsx"
    result = cli(
        "export", "xlsx", str(out), "--layer", "spots", "--layer", "events", "--persian-headers", url=db_url
    )
    assert result.returncode == 0, result.stderr
    assert [name for name, _ in pyogrio.list_layers(out)] == ["spots", "events"]
    spots = pyogrio.read_dataframe(out, layer="spots")
    expected = expected_spots(db_url)
    assert len(spots) == len(expected)
    assert {int(i): (t, j) for i, t, j in zip(spots["شناسه"], spots["عنوان"], spots["ثبت (تاریخ شمسی)"])} == {
        k: (v[0], v[3]) for k, v in expected.items()
    }
    assert list(spots.columns[:2]) == ["شناسه", "عنوان"]


def test_reports_are_only_for_signed_in_users(client, token, tmp_path):
    for fmt in ("csv", "gpkg"):
        refused = client.get(f"/api/exports/{fmt}", params={"layers": "reports"})
        assert refused.status_code == 401 and refused.json()["error"]["field"] == "authorization"
    assert (
        client.get(
            "/api/exports/csv", params={"layers": "reports"}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )
    anonymous = client.get("/api/exports/gpkg")
    (tmp_path / "public.gpkg").write_bytes(anonymous.content)
    tables = [name for name, _ in pyogrio.list_layers(tmp_path / "public.gpkg")]
    assert tables == ["spots", "areas", "layer_styles"]  # the public's spots are points (public precision)
    public_stages = set(pyogrio.read_dataframe(tmp_path / "public.gpkg", layer="spots")["stage"])
    assert public_stages == {3, 4}  # the public never gets the unverified places of stages 1 and 2
    refused = client.get("/api/exports/csv", params={"layers": "events"})
    assert refused.status_code == 401  # events name the staff who acted


def test_bad_requests_name_the_field(client, db_url):
    assert (
        client.get("/api/exports/csv", params={"layers": "spots,areas"}).json()["error"]["field"] == "layers"
    )
    assert client.get("/api/exports/csv", params={"layers": "people"}).json()["error"]["field"] == "layers"
    assert client.get("/api/exports/pdf").status_code == 422
    result = cli("export", "csv", "/tmp/never.csv", "--layer", "people", url=db_url)
    assert result.returncode == 1 and result.stderr.strip().startswith("خطا: layers: لایهٔ ناشناخته 'people'")


def test_progress_counts_every_row_written(conn, tmp_path):
    seen = []
    export(conn, "gpkg", tmp_path / "p.gpkg", ["spots", "events"], ExportOptions(progress=seen.append))
    assert sum(seen) == count_rows(conn, ["spots", "events"]) > 200
