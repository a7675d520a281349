"""Real QGIS (Debian's python3-qgis, headless) opens the project `safemap qgis-project` writes, against a
live server: once with a GIS officer's Basic auth config, once anonymously with the same QGIS cache. Every
layer is valid and holds what the API gives that caller; no staff answer is served from the cache later."""

import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import httpx
import psycopg2
import pytest

from gis.db import transaction
from gis.publish.basemaps import add_basemap
from gis.publish.exports import export
from tests.basemap_files import make_mbtiles
from tests.conftest import bearer_headers, bearer_token
from tests.exports.test_exports import cli

QGIS_PYTHON = "/usr/bin/python3"
SESSION = Path(__file__).with_name("qgis_session.py")
SPOT_COLLECTIONS = ("spot-points", "spot-lines", "spot-areas")
AREA_COLLECTIONS = ("neighbourhoods", "sub-districts")


@pytest.fixture(scope="module")
def office_token(shared_db_url: str) -> str:
    with transaction(shared_db_url) as conn:
        return bearer_token(conn, "qgis-officer", "gis_office")


@pytest.fixture(scope="module")
def orthophoto(shared_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registered raster base map (MBTiles), which the project offers as an XYZ layer."""
    folder = tmp_path_factory.mktemp("basemaps")
    with transaction(shared_db_url) as conn:
        add_basemap(
            conn, make_mbtiles(folder / "o.mbtiles"), name="ortho", attribution="", folder=folder / "b"
        )
    return "ortho"


def _api(live_url: str, collection_id: str, token: str | None) -> dict[int, dict]:
    """Every feature of a collection as the API gives it to this caller, by id."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(
        f"{live_url}/ogc/collections/{collection_id}/items",
        params={"limit": 10000},
        headers=headers,
        timeout=60,
    )
    answer.raise_for_status()
    return {f["id"]: f["properties"] for f in answer.json()["features"]}


def _qgis(args: dict) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("QGIS", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        [QGIS_PYTHON, str(SESSION), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment | {"QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["layers"]


def _cached(cache: Path) -> list[str]:
    """The URLs QGIS's network disk cache holds (each entry's file starts with its URL)."""
    entries = [path.read_bytes() for path in cache.rglob("*.d")]
    return sorted(re.search(rb"http://[^\s\x00]+", entry).group().decode() for entry in entries)


def _by_collection(layers: dict) -> dict[tuple[str, str], dict]:
    return {
        (layer["collection"], layer["renderer"]): layer for layer in layers.values() if "collection" in layer
    }


def test_qgis_opens_the_project_as_the_gis_office_then_the_public_sees_nothing_cached(
    live_url, shared_db_url, office_token, orthophoto, tmp_path
):
    office_project, public_project = tmp_path / "office.qgz", tmp_path / "public.qgz"
    written = cli("qgis-project", str(office_project), "--url", live_url, url=shared_db_url)
    assert written.returncode == 0, written.stderr
    assert "safemap" in written.stdout
    public = httpx.get(f"{live_url}/ogc/qgis-project.qgz", timeout=30)
    assert public.status_code == 200 and public.headers["content-type"] == "application/zip"
    public_project.write_bytes(public.content)
    with zipfile.ZipFile(office_project) as archive:
        assert archive.namelist() == ["safemap.qgs"]

    cache = tmp_path / "qgis-cache"
    screenshot = os.environ.get("SAFEMAP_QGIS_SCREENSHOT") or str(tmp_path / "project.png")
    office = _qgis(
        {
            "project": str(office_project),
            "cache": str(cache),
            "basic": ["qgis-officer", office_token],
            "authcfg": "safemap",
            "screenshot": screenshot,
        }
    )
    assert all(layer["valid"] for layer in office.values()), office
    [basemap] = [layer for layer in office.values() if layer["provider"] == "wms"]
    assert basemap["name"] == orthophoto  # the registered base map, an XYZ layer over /basemaps
    read = _by_collection(office)
    areas_loaded = {c for c in AREA_COLLECTIONS if _api(live_url, c, None)}
    assert areas_loaded == {"neighbourhoods"}  # the demo has no sub-districts: an empty layer is left out
    expected = {(c, "categorizedSymbol") for c in SPOT_COLLECTIONS} | {
        ("reports", "categorizedSymbol"),
        ("reports", "heatmapRenderer"),
        ("neighbourhoods", "singleSymbol"),
    }
    assert set(read) == expected
    for collection_id, renderer in expected:
        wanted = _api(live_url, collection_id, office_token)
        key = "code" if collection_id in AREA_COLLECTIONS else "id"
        assert read[(collection_id, renderer)]["ids"] == sorted(p[key] for p in wanted.values()), (
            collection_id
        )
    lines, areas = read[("spot-lines", "categorizedSymbol")], read[("spot-areas", "categorizedSymbol")]
    assert lines["ids"] and areas["ids"]
    assert {1, 2} & set(
        lines["stages"] + areas["stages"] + read[("spot-points", "categorizedSymbol")]["stages"]
    )
    points = _api(live_url, "spot-points", office_token)
    titles = read[("spot-points", "categorizedSymbol")]["titles"]
    assert titles == {str(i): p["title"] for i, p in points.items()}
    assert any("\u0600" <= ch <= "\u06ff" for title in titles.values() for ch in title or "")
    assert lines["aliases"]["title"] == "عنوان" and lines["aliases"]["stage"] == "مرحله"
    assert len(read[("spot-points", "categorizedSymbol")]["shapes"]) > 3  # a marker shape a category
    assert Path(screenshot).stat().st_size > 10_000
    assert _cached(cache) == []  # every answer to the officer said no-store

    public_read = _qgis({"project": str(public_project), "cache": str(cache)})
    assert all(layer["valid"] for layer in public_read.values()), public_read
    seen = _by_collection(public_read)
    assert {collection for collection, _ in seen} == {*SPOT_COLLECTIONS, "neighbourhoods"}
    for collection_id in SPOT_COLLECTIONS:
        layer = seen[(collection_id, "categorizedSymbol")]
        assert layer["ids"] == sorted(_api(live_url, collection_id, None))
        assert set(layer["stages"]) <= {3, 4}
    cached = _cached(cache)  # the cache was in use: the public's answers are kept, as they may be
    assert any("/collections/spot-points/items" in url for url in cached)
    assert not any("reports" in url for url in cached)


def test_the_gis_office_downloads_the_project_from_its_work_page(client, conn):
    headers = bearer_headers(conn, "qgis-page-officer", "gis_office")
    conn.commit()
    page = client.get("/work", headers=headers)
    assert page.status_code == 200
    link = re.search(r'<a id="qgis-project" href="([^"]+)" download>([^<]+)</a>', page.text)
    assert link and link.group(2) == "پروژهٔ QGIS (لایه‌ها و سبک‌های نقشه)"
    signed_in = client.get(link.group(1), headers=headers)
    assert signed_in.status_code == 200 and signed_in.headers["cache-control"] == "private, no-store"
    office = zipfile.ZipFile(io.BytesIO(signed_in.content)).read("safemap.qgs").decode()
    assert "authcfg='safemap'" in office and "typename='reports'" in office and "گزارش‌ها" in office
    public = zipfile.ZipFile(io.BytesIO(client.get(link.group(1)).content)).read("safemap.qgs").decode()
    assert (
        "authcfg" not in public and "typename='reports'" not in public and "typename='spot-lines'" in public
    )
    english = client.get("/ogc/qgis-project.qgz", params={"lang": "en"})
    assert "Unsafe spots: lines" in zipfile.ZipFile(io.BytesIO(english.content)).read("safemap.qgs").decode()


def test_qgis_opens_the_geopackage_export_with_the_web_maps_colours_and_persian_headers(
    shared_db_url, tmp_path
):
    out = tmp_path / "district22.gpkg"
    with psycopg2.connect(shared_db_url) as conn:
        export(conn, "gpkg", out, ["spots", "areas"])
        with conn.cursor() as cur:
            cur.execute("SELECT colour FROM stage ORDER BY number")
            colours = sorted(colour for (colour,) in cur.fetchall())
    conn.close()
    tables = ["spots_points", "spots_lines", "spots_polygons", "areas"]
    read = _qgis({"gpkg": str(out), "tables": tables, "cache": str(tmp_path / "cache")})
    for table in tables[:3]:
        layer = read[table]
        assert layer["valid"] and layer["features"] > 0
        assert layer["renderer"] == "categorizedSymbol" and layer["colours"] == colours
        assert layer["labels"] == "cat_fa"
        assert layer["aliases"]["title"] == "عنوان" and layer["aliases"]["created_j"] == "ثبت (تاریخ شمسی)"
    assert read["areas"]["renderer"] == "singleSymbol" and read["areas"]["aliases"]["name_fa"] == "نام"
