"""Vector tiles: the right features in the right tile, simplified by zoom, with cache headers;
read by GDAL."""

import json
import math
import subprocess

import psycopg2

OGR2OGR = "/usr/bin/ogr2ogr"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def read_tile(body: bytes, z: int, x: int, y: int, tmp_path) -> dict[str, list[dict]]:
    """Decode with GDAL's MVT driver (it georeferences a tile from its z/x/y path): layer -> features."""
    path = tmp_path / str(z) / str(x) / f"{y}.pbf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    layers = {}
    for layer in ("spots", "areas", "neighbourhoods"):
        out = tmp_path / f"{layer}-{z}-{x}-{y}.geojson"
        done = subprocess.run([OGR2OGR, "-f", "GeoJSON", str(out), str(path), layer], capture_output=True)
        if done.returncode == 0:
            layers[layer] = json.loads(out.read_text(encoding="utf-8"))["features"]
    return layers


def sql_count(db_url: str, query: str, params: tuple) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def in_tile(db_url: str, table: str, condition: str, z: int, x: int, y: int) -> int:
    """How many rows of `table` meeting `condition` lie in tile z/x/y: what the tile should hold."""
    return sql_count(
        db_url,
        f"SELECT count(*) FROM {table} WHERE {condition}"
        " AND ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(%s, %s, %s))",
        (z, x, y),
    )


def counted(cells: list[dict]) -> int:
    """The spots a low zoom's grid cells hold."""
    return sum(f["properties"]["count"] for f in cells)


def test_a_tile_holds_the_spots_and_areas_inside_it(client, db_url, tmp_path):
    z = 13
    x, y = tile_of(51.2, 35.74, z)
    spots = in_tile(db_url, "spot", "status <> 'merged'", z, x, y)
    areas = in_tile(db_url, "area", "true", z, x, y)
    response = client.get(f"/tiles/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert "max-age" in response.headers["cache-control"] and response.headers["etag"]
    layers = read_tile(response.content, z, x, y, tmp_path)
    # Up to zoom 13 the spots come as grid cells: how many, and the stage most of them are at.
    assert counted(layers["spots"]) == spots > 0 and len(layers["areas"]) == areas > 1
    assert {"count", "stage"} == set(layers["spots"][0]["properties"])
    again = client.get(f"/tiles/{z}/{x}/{y}.pbf", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_filters_layers_and_bad_coordinates(client, db_url, tmp_path):
    z = 11
    x, y = tile_of(51.2, 35.74, z)
    lit = in_tile(db_url, "spot", "stage = 3", z, x, y)
    only = read_tile(
        client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "spots", "stage": "3"}).content,
        z,
        x,
        y,
        tmp_path,
    )
    assert set(only) == {"spots"} and counted(only["spots"]) == lit > 0
    assert {f["properties"]["stage"] for f in only["spots"]} == {3}
    assert client.get("/tiles/3/0/0.pbf").content == b""  # the Americas: nothing there
    assert client.get("/tiles/3/9/0.pbf").json()["error"]["field"] == "x"
    assert client.get("/tiles/23/0/0.pbf").status_code == 422
    assert (
        client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "people"}).json()["error"]["field"]
        == "layers"
    )


def _vertices(geometry: dict) -> int:
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [ring for polygon in geometry["coordinates"] for ring in polygon]
    )
    return sum(len(ring) for ring in rings)


def test_low_zooms_are_simplified(client, db_url, tmp_path):
    z = 9
    x, y = tile_of(51.2, 35.74, z)  # the whole district fits in this one tile
    stored = sql_count(db_url, "SELECT ST_NPoints(geom) FROM area WHERE code = '22'", ())
    areas = read_tile(
        client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "areas"}).content, z, x, y, tmp_path
    )["areas"]
    district = next(f for f in areas if f["properties"]["code"] == "22")
    assert 4 < _vertices(district["geometry"]) < stored / 10


def test_the_ogc_tiles_path_names_the_layer_after_the_collection(client, tmp_path):
    z = 12
    x, y = tile_of(51.2, 35.74, z)
    response = client.get(f"/ogc/collections/neighbourhoods/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert response.status_code == 200
    assert len(read_tile(response.content, z, x, y, tmp_path)["neighbourhoods"]) > 0
    assert client.get(f"/ogc/collections/reports/tiles/WebMercatorQuad/{z}/{y}/{x}").status_code == 404


def test_points_past_zoom_13_carry_only_what_the_map_styles_them_by(client, db_url, tmp_path):
    z = 14
    x, y = tile_of(51.2, 35.74, z)
    points = read_tile(client.get(f"/tiles/{z}/{x}/{y}.pbf").content, z, x, y, tmp_path)["spots"]
    assert len(points) >= in_tile(db_url, "spot", "status <> 'merged'", z, x, y) > 0  # and the margin's
    # The title, counts and the rest come on click from /api/spots/{id}.
    assert {frozenset(f["properties"]) for f in points} == {
        frozenset({"mvt_id", "stage", "category", "location_precision"})
    }
