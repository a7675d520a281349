"""A spot shows the public the same fields on every road out: the API, OGC, the vector tile and the export."""

import json

import psycopg2

from gis.spots import SPOT_FIELDS
from tests.tiles.test_tiles import read_tile, tile_of

PERSONAL = ("contact", "phone", "email", "note", "actor", "created_by", "assigned_by", "user", "reporter")


def _public_spot(db_url: str, spot_id: int) -> tuple[float, float]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM spot WHERE id = %s",
            (spot_id,),
        )
        return cur.fetchone()


def test_every_reader_shows_the_public_the_same_spot_fields(client, db_url, tmp_path):
    spots = client.get("/api/spots", params={"limit": 1}).json()["features"]
    assert spots and spots[0]["properties"]["stage"] >= 3
    spot_id = spots[0]["id"]
    api = set(spots[0]["properties"])

    ogc = client.get(f"/ogc/collections/spots/items/{spot_id}", params={"f": "json"}).json()
    assert set(ogc["properties"]) == api

    lon, lat = _public_spot(db_url, spot_id)
    z = 16
    x, y = tile_of(lon, lat, z)
    response = client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "spots"})
    [tiled] = [
        f
        for f in read_tile(response.content, z, x, y, tmp_path)["spots"]
        if f["properties"]["mvt_id"] == spot_id
    ]
    # The tile carries the id as the feature's id, which GDAL reads as mvt_id, and of the rest only what a map
    # styles a spot by (a popup reads the others from /api/spots/{id}).
    assert set(tiled["properties"]) - {"mvt_id"} | {"id"} == {"id", "stage", "category", "location_precision"}
    assert set(tiled["properties"]) - {"mvt_id"} < api

    export = json.loads(client.get("/api/exports/geojson", params={"layers": "spots"}).text)
    [exported] = [f for f in export["features"] if f["properties"]["id"] == spot_id]
    short = {f.name: f.export_name for f in SPOT_FIELDS}
    times = {short[f.name] for f in SPOT_FIELDS if f.kind == "time"}
    assert set(exported["properties"]) == {short[name] for name in api} | {f"{name}_j" for name in times}

    for name in api | set(exported["properties"]):
        assert not any(word in name for word in PERSONAL), name
