"""`safemap basemap add/list/remove/streets` as the GIS office runs them, tiles served from the copies, and
address search: files made here (sqlite3, the pmtiles writer, rasterio), real processes, real HTTP."""

import io
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from fastapi.testclient import TestClient
from PIL import Image
from shapely.geometry import LineString

from api.app import create_app
from tests.basemap_files import CENTRE, make_geotiff, make_mbtiles, make_pmtiles, mvt_tiles, tile_of
from tests.cli.test_cli import run

MAKERS = {
    "mbtiles": (make_mbtiles, ".mbtiles"),
    "pmtiles": (make_pmtiles, ".pmtiles"),
    "geotiff": (make_geotiff, ".tif"),
}


def _env(db_url: str, tmp_path) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "SAFEMAP_BASEMAP_DIR": str(tmp_path / "data" / "basemaps")}


@pytest.mark.parametrize("kind", MAKERS)
def test_a_registered_base_map_is_served_from_its_copy_and_removed_with_it(kind, tmp_path, db_url):
    maker, suffix = MAKERS[kind]
    original = maker(tmp_path / f"ortho{suffix}")
    env = _env(db_url, tmp_path)
    added = run(
        "basemap", "add", str(original), "--name", f"d22-{kind}", "--attribution", "© GIS office", env=env
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"base map d22-{kind}: {kind} of png tiles")
    copy = tmp_path / "data" / "basemaps" / f"d22-{kind}{suffix}"
    assert copy.is_file()
    original.unlink()  # the tool serves its own copy
    listed = run("basemap", "list", env=env)
    assert listed.returncode == 0 and f"d22-{kind}\t{kind}\tpng" in listed.stdout

    x, y = tile_of(*CENTRE, 12)
    with TestClient(create_app(db_url)) as client:
        tile = client.get(f"/basemaps/d22-{kind}/12/{x}/{y}.png")
        assert tile.status_code == 200, tile.text
        assert tile.headers["content-type"] == "image/png"
        assert tile.headers["cache-control"] == "public, max-age=86400"
        assert Image.open(io.BytesIO(tile.content)).size == (256, 256)
        far = client.get(f"/basemaps/d22-{kind}/12/0/0.png")  # the Pacific: no tile there
        assert far.status_code == 204
        missing = client.get("/basemaps/nowhere/12/1/1.png?lang=en")
        assert missing.status_code == 404 and "nowhere" in missing.json()["error"]["message"]
        bad = client.get(f"/basemaps/d22-{kind}/3/9/0.png?lang=en")
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "x"

    removed = run("basemap", "remove", f"d22-{kind}", env=env)
    assert removed.returncode == 0, removed.stderr
    assert not copy.exists()
    assert f"d22-{kind}" not in run("basemap", "list", env=env).stdout


def test_a_file_that_is_no_base_map_or_a_bad_name_is_refused_in_one_line(tmp_path, db_url):
    env = _env(db_url, tmp_path)
    fake = tmp_path / "ortho.mbtiles"
    fake.write_text("not a database")
    refused = run("basemap", "add", str(fake), "--name", "ortho", env=env)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: file: ortho.mbtiles cannot be read as mbtiles")
    other = tmp_path / "roads.dxf"
    other.write_text("0\nEOF\n")
    refused = run("basemap", "add", str(other), "--name", "roads", env=env)
    assert refused.returncode == 1 and "give an .mbtiles, .pmtiles or GeoTIFF (.tif) file" in refused.stderr
    good = make_mbtiles(tmp_path / "good.mbtiles")
    named = run("basemap", "add", str(good), "--name", "Ortho 1403", env=env)
    assert named.returncode == 1 and "name: 'Ortho 1403': 1–63 characters of a-z" in named.stderr
    assert run("basemap", "add", str(good), "--name", "ortho", env=env).returncode == 0
    twice = run("basemap", "add", str(good), "--name", "ortho", env=env)
    assert twice.returncode == 1 and "a base map named 'ortho' exists" in twice.stderr
    persian = run("basemap", "add", str(good), "--name", "ortho", env={**env, "SAFEMAP_LANG": "fa"})
    assert persian.stderr.startswith("خطا:") and "نقشهٔ پایه‌ای به نام 'ortho' هست" in persian.stderr
    scan = tmp_path / "scan.tif"
    with rasterio.open(scan, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8") as dataset:
        dataset.write(np.zeros((1, 4, 4), dtype="uint8"))  # a scanned paper map, not georeferenced
    refused = run("basemap", "add", str(scan), "--name", "scan", env=env)
    assert refused.returncode == 1 and "scan.tif has no coordinate reference system" in refused.stderr
    assert not (tmp_path / "data" / "basemaps" / "roads.dxf").exists()


def test_a_street_layer_is_drawn_by_viewport_and_found_by_name(tmp_path, db_url):
    streets = gpd.GeoDataFrame(
        {
            "NAME": ["بلوار كاج", "خیابان آزادي", None],
            "geometry": [
                LineString([(51.180, 35.740), (51.190, 35.745)]),
                LineString([(51.200, 35.750), (51.210, 35.752)]),
                LineString([(51.150, 35.730), (51.151, 35.731)]),
            ],
        },
        crs="EPSG:4326",
    ).to_crs("EPSG:32639")
    path = tmp_path / "centrelines.gpkg"
    streets.to_file(path, driver="GPKG")
    loaded = run("basemap", "streets", str(path), env=_env(db_url, tmp_path))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "centrelines.gpkg: 2 named streets loaded"
    with TestClient(create_app(db_url)) as client:
        drawn = client.get("/api/streets?bbox=51.17,35.73,51.195,35.75").json()
        assert [f["properties"]["name"] for f in drawn["features"]] == ["بلوار کاج"]
        found = client.get("/api/search", params={"q": "خيابان آزادی", "lang": "fa"}).json()["results"]
        assert found[0]["kind"] == "street" and found[0]["label"] == "خیابان آزادی"
        assert 51.2 <= found[0]["lon"] <= 51.21


def test_address_search_finds_a_neighbourhood_by_its_local_name_and_a_landmark_by_name(client):
    abshar = client.get("/api/search", params={"q": "Abshar", "lang": "en"}).json()["results"]
    assert abshar[0]["kind"] == "neighbourhood" and abshar[0]["code"] == "2203"
    assert abshar[0]["label"] == "Omid / Dezhban"
    persian = client.get("/api/search", params={"q": "آبشار"}, headers={"Accept-Language": "fa"}).json()
    assert persian["results"][0]["code"] == "2203" and persian["results"][0]["label"] == "امید دژبان"
    mall = client.get("/api/search", params={"q": "ايران مال", "lang": "fa"}).json()[
        "results"
    ]  # Arabic ي as typed
    assert mall[0]["kind"] == "landmark" and mall[0]["label"] == "ایران مال"
    assert (mall[0]["lat"], mall[0]["lon"]) == pytest.approx((35.753389, 51.192417))
    metro = client.get("/api/search", params={"q": "Ekbatan", "lang": "en"}).json()["results"]
    assert metro[0]["kind"] == "metro" and metro[0]["label"] == "Shahrak-e Ekbatan"
    lake = {r["kind"] for r in client.get("/api/search", params={"q": "دریاچه"}).json()["results"]}
    assert {"neighbourhood", "lake"} <= lake


@pytest.mark.parametrize(
    "typed",
    [
        "35.7534, 51.1924",
        "۳۵٫۷۵۳۴، ۵۱٫۱۹۲۴",
        "35°45'12.2\"N 51°11'32.7\"E",
        "51.1924 35.7534",
        "517394 3956615",
    ],
)
def test_address_search_reads_coordinates_as_the_importer_does(client, typed):
    results = client.get("/api/search", params={"q": typed}).json()["results"]
    assert results[0]["kind"] == "coordinates"
    assert (results[0]["lat"], results[0]["lon"]) == pytest.approx((35.7534, 51.1924), abs=2e-3)


def test_an_empty_search_names_the_field(client):
    answer = client.get("/api/search", params={"q": "  ", "lang": "en"})
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "q"
    assert client.get("/api/search", params={"q": "x" * 201}).status_code == 422
    assert client.get("/api/search", params={"q": "\x00"}).status_code == 400  # nothing left to search
    assert client.get("/basemaps/%00/1/1/1.png").json()["error"]["field"] == "name"
    assert client.get("/api/streets", params={"bbox": "nan,nan,nan,nan"}).status_code == 400


def test_the_map_page_and_the_tablet_offer_every_base_map_with_the_configured_url_last(tmp_path, db_url):
    from gis.db import transaction
    from gis.publish.basemaps import add_basemap
    from tests.conftest import bearer_headers

    with transaction(db_url) as conn:
        row = add_basemap(
            conn, make_mbtiles(tmp_path / "a.mbtiles"), name="ortho", attribution="", folder=tmp_path / "b"
        )
        headers = bearer_headers(conn, "sara", "facilitator", areas=["2201"])
    with TestClient(create_app(db_url)) as client:
        page = client.get("/map").text
        assert "safemapBasemaps(" in page and f"/basemaps/ortho/{{z}}/{{x}}/{{y}}.png?v={row['id']}" in page
        tablet = client.get("/field", headers=headers).text
    config = json.loads(re.search(r'id="field-config">(.*?)</script>', tablet, re.S).group(1))
    assert [b["name"] for b in config["basemaps"]["basemaps"]] == ["ortho"]
    assert config["basemaps"]["searchApi"] == "/api/search"


def test_vector_base_maps_are_served_as_mapbox_vector_tiles(tmp_path, db_url):
    from gis.db import transaction
    from gis.publish.basemaps import add_basemap

    with transaction(db_url) as conn:
        tiles = mvt_tiles(conn)
        for name, maker in (("roads-mb", make_mbtiles), ("roads-pm", make_pmtiles)):
            path = maker(tmp_path / f"{name}.{name[-2:]}tiles", vector=tiles)
            added = add_basemap(conn, path, name=name, attribution="", folder=tmp_path / "b")
            assert added["tile_format"] == "pbf"
    (z, x, y), body = next(iter(tiles.items()))
    with TestClient(create_app(db_url)) as client:
        for name, encoding in (("roads-mb", "gzip"), ("roads-pm", None)):
            tile = client.get(f"/basemaps/{name}/{z}/{x}/{y}.pbf")
            assert tile.status_code == 200
            assert tile.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            assert tile.headers.get("content-encoding") == encoding
            assert tile.content == body  # gzip undone by the client, as a browser does
