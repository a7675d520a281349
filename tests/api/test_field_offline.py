"""Preparing the tablet for offline work (issue 14): the size of a local base map's tiles over the
facilitator's neighbourhoods and of their spots is told before anything is downloaded, and a download over
SAFEMAP_FIELD_OFFLINE_MAX_MB is refused in Persian naming the size and the limit."""

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from gis.db import transaction
from gis.publish.basemaps import add_basemap
from gis.settings import get_settings
from tests.basemap_files import make_mbtiles, tile_of
from tests.conftest import bearer_headers

BASEMAP = "d22-field"


def add_field_basemap(db_url: str, folder: Path) -> str:
    """A small MBTiles of PNG tiles at zooms 10–12 over District 22, registered as BASEMAP."""
    with transaction(db_url) as conn:
        add_basemap(conn, make_mbtiles(folder / "d22.mbtiles"), name=BASEMAP, attribution="", folder=folder)
    return BASEMAP


def _facilitator(db_url: str) -> dict[str, str]:
    with transaction(db_url) as conn:
        return bearer_headers(conn, "maryam", "facilitator", areas=["2201", "2209"])


def test_the_size_is_told_for_the_facilitators_neighbourhoods_and_spots_only(client, db_url, tmp_path):
    add_field_basemap(db_url, tmp_path)
    headers = _facilitator(db_url)
    plan = client.get(f"/api/field/offline?basemap={BASEMAP}", headers=headers)
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["zooms"] == [12, 12]  # the file's deepest zoom: Leaflet scales it further
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM area"
            " WHERE code IN ('2201', '2209')"
        )
        centres = cur.fetchall()
        cur.execute(
            "SELECT s.id FROM spot s JOIN area a ON a.id = s.area_id WHERE a.code IN ('2201', '2209')"
        )
        theirs = {row[0] for row in cur.fetchall()}
    tiles = {tuple(tile) for tile in body["tiles"]}
    for lon, lat in centres:
        assert (12, *tile_of(lat, lon, 12)) in tiles
    measured = sum(len(client.get(f"/basemaps/{BASEMAP}/{z}/{x}/{y}.png").content) for z, x, y in tiles)
    assert body["bytes"] == measured  # few tiles: each one measured
    page = client.get("/field", headers=headers).text
    config = json.loads(re.search(r'id="field-config">(.*?)</script>', page, re.S).group(1))
    assert config["spots"] and {spot["id"] for spot in config["spots"]} <= theirs  # what is kept offline
    assert body["spots_bytes"] > 0
    assert body["total_bytes"] == body["bytes"] + body["spots_bytes"]
    assert body["limit_bytes"] == 50_000_000
    missing = client.get("/api/field/offline?basemap=nowhere", headers=headers | {"Accept-Language": "fa"})
    assert missing.status_code == 404 and "nowhere" in missing.json()["error"]["message"]
    assert client.get(f"/api/field/offline?basemap={BASEMAP}").status_code == 401


def test_over_the_limit_the_download_is_refused_in_persian_naming_size_and_limit(
    db_url, tmp_path, monkeypatch
):
    add_field_basemap(db_url, tmp_path)
    headers = _facilitator(db_url)
    monkeypatch.setenv("SAFEMAP_FIELD_OFFLINE_MAX_MB", "0.01")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db_url)) as client:
            refused = client.get(
                f"/api/field/offline?basemap={BASEMAP}", headers=headers | {"Accept-Language": "fa"}
            )
    finally:
        get_settings.cache_clear()
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["field"] == "basemap"
    assert re.search(
        r"آماده‌سازی برای کار بی‌اینترنت [\d.]+ مگابایت است و از حد 0\.0 مگابایت بیشتر است", error["message"]
    )
