"""OGC API – Features at /ogc: the semantics against SQL counts, and GDAL's OAPIF driver on a live server."""

import json
import subprocess

import httpx
import psycopg2
import pyogrio
import pytest

OGRINFO = "/usr/bin/ogrinfo"
OGR2OGR = "/usr/bin/ogr2ogr"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def get(live_url: str, path: str, token: str | None = None, **params: object) -> httpx.Response:
    """An OGC request, anonymous (the public's view) or with a bearer token (a signed-in reader's)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{live_url}/ogc{path}", params=params, headers=headers, timeout=30)


def test_landing_conformance_and_the_public_collections(live_url):
    landing = get(live_url, "")
    assert landing.status_code == 200 and landing.headers["content-type"].startswith("application/json")
    rels = {link["rel"]: link for link in landing.json()["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= set(rels)
    api = httpx.get(rels["service-desc"]["href"], timeout=30)
    assert api.json()["openapi"].startswith("3.0")
    limit = next(
        p
        for p in api.json()["paths"]["/collections/spots/items"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 10_000
    assert CORE in get(live_url, "/conformance").json()["conformsTo"]
    ids = [c["id"] for c in get(live_url, "/collections").json()["collections"]]
    assert ids == ["spots", "spot-points", "spot-lines", "spot-areas", "neighbourhoods", "sub-districts"]


def test_collection_extent_is_the_data_extent(live_url, shared_db_url, viewer_token):
    """A signed-in reader's extent is every spot's (the public's: tests/reliability/test_public_precision)."""
    (extent,) = sql(
        shared_db_url,
        "SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)], first, last FROM"
        " (SELECT ST_Extent(geom) e, min(created_at) first, max(created_at) last"
        "  FROM spot WHERE status <> 'merged') x",
    )
    body = get(live_url, "/collections/spots", viewer_token).json()
    assert body["extent"]["spatial"]["bbox"][0] == pytest.approx(extent[0])
    start, end = body["extent"]["temporal"]["interval"][0]
    assert start.startswith(extent[1].astimezone().strftime("%Y-%m-")) and end > start
    assert {"items"} <= {link["rel"] for link in body["links"]}
    assert get(live_url, "/collections/nowhere").status_code == 404


def test_html_by_f_and_by_accept(live_url, viewer_token):
    by_f = get(live_url, "/collections/spots/items", viewer_token, f="html", limit=5)
    assert by_f.status_code == 200 and by_f.headers["content-type"].startswith("text/html")
    assert "5 of 70" in by_f.text and "poor_lighting" in by_f.text
    by_accept = httpx.get(
        f"{live_url}/ogc/collections", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30
    )
    assert by_accept.headers["content-type"].startswith("text/html") and "neighbourhoods" in by_accept.text
    as_json = httpx.get(f"{live_url}/ogc/collections", headers={"Accept": "application/json"}, timeout=30)
    assert as_json.json()["collections"]
    assert get(live_url, "/collections", f="xml").status_code == 400


def test_bbox_limit_offset_and_datetime_match_sql(live_url, shared_db_url, viewer_token):
    bbox = (51.15, 35.70, 51.25, 35.76)
    ((in_box,),) = sql(
        shared_db_url,
        "SELECT count(*) FROM spot WHERE status <> 'merged'"
        " AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
        bbox,
    )
    ((in_time,),) = sql(
        shared_db_url,
        "SELECT count(*) FROM spot WHERE status <> 'merged'"
        " AND created_at >= '2026-03-01T00:00:00+03:30' AND created_at <= '2026-05-31T23:59:59.999999+03:30'",
    )
    ((after,),) = sql(shared_db_url, "SELECT count(*) FROM spot WHERE created_at >= '2026-04-15T12:00:00Z'")
    token = viewer_token
    page = get(live_url, "/collections/spots/items", token, bbox=",".join(map(str, bbox)), limit=3).json()
    assert page["numberMatched"] == in_box and 3 < in_box < 70 and page["numberReturned"] == 3
    assert (
        get(live_url, "/collections/spots/items", token, datetime="2026-03-01/2026-05-31").json()[
            "numberMatched"
        ]
        == in_time
    )
    assert (
        get(live_url, "/collections/spots/items", token, datetime="2026-04-15T12:00:00Z/..").json()[
            "numberMatched"
        ]
        == after
    )
    assert 0 < in_time < 70 and 0 < after < 70
    last = get(live_url, "/collections/spots/items", token, limit=30, offset=60).json()
    assert last["numberReturned"] == 10 and "next" not in {link["rel"] for link in last["links"]}
    for bad in (
        {"datetime": "yesterday"},
        {"datetime": "2026-05-01/2026-01-01"},
        {"bbox": "1,2,3"},
        {"limit": "0"},
        {"offset": "-1"},
        {"colour": "red"},
        {"stage": "7"},
        {"category": "dark"},
    ):
        response = get(live_url, "/collections/spots/items", **bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["field"] == next(iter(bad))


def test_next_links_walk_every_feature_once(live_url, shared_db_url, viewer_token):
    ids = [row[0] for row in sql(shared_db_url, "SELECT id FROM spot WHERE status <> 'merged' ORDER BY id")]
    seen, url, pages = [], f"{live_url}/ogc/collections/spots/items?limit=25", 0
    while url:
        body = httpx.get(url, headers={"Authorization": f"Bearer {viewer_token}"}, timeout=30).json()
        assert body["numberMatched"] == len(ids)
        seen += [f["id"] for f in body["features"]]
        links = {link["rel"]: link["href"] for link in body["links"]}
        if pages:
            assert "prev" in links
        url, pages = links.get("next"), pages + 1
    assert seen == ids and pages == 3


def test_property_filters_match_sql(live_url, shared_db_url, viewer_token):
    ((lit,),) = sql(
        shared_db_url, "SELECT count(*) FROM spot WHERE stage IN (3, 4) AND category = 'poor_lighting'"
    )
    ((daryacheh,),) = sql(
        shared_db_url,
        "SELECT count(*) FROM spot s JOIN area a ON ST_Intersects(a.geom, s.geom) WHERE a.code = '2209'",
    )
    filtered = get(
        live_url, "/collections/spots/items", stage="3,4", category="poor_lighting", limit=100
    ).json()
    # stages 3 and 4 are public: the same answer without a token
    assert filtered["numberMatched"] == lit == filtered["numberReturned"] > 0
    assert {
        (f["properties"]["stage"] in (3, 4), f["properties"]["category"]) for f in filtered["features"]
    } == {(True, "poor_lighting")}
    assert (
        get(live_url, "/collections/spots/items", viewer_token, area="2209").json()["numberMatched"]
        == daryacheh
        > 0
    )
    assert get(live_url, "/collections/neighbourhoods/items", area="22").json()["numberMatched"] == 10
    assert get(live_url, "/collections/sub-districts/items").json()["numberMatched"] == 0


def test_one_feature_by_id(live_url, shared_db_url, viewer_token):
    ((spot_id, title),) = sql(shared_db_url, "SELECT id, title FROM spot ORDER BY id LIMIT 1")
    feature = get(live_url, f"/collections/spots/items/{spot_id}", viewer_token)
    assert feature.headers["content-type"].startswith("application/geo+json")
    assert feature.json()["properties"]["title"] == title and feature.json()["id"] == spot_id
    assert get(live_url, "/collections/neighbourhoods/items/2209").json()["properties"]["name_en"]
    for missing in (
        "/collections/spots/items/999999",
        "/collections/spots/items/abc",
        "/collections/neighbourhoods/items/9999",
    ):
        assert get(live_url, missing).status_code == 404


def test_the_public_sees_only_spots_past_mapping(live_url, shared_db_url):
    ((public,),) = sql(shared_db_url, "SELECT count(*) FROM spot WHERE status <> 'merged' AND stage >= 3")
    body = get(live_url, "/collections/spots/items", limit=100).json()
    assert body["numberMatched"] == body["numberReturned"] == public and 0 < public < 70
    assert {f["properties"]["stage"] for f in body["features"]} == {3, 4}
    ((hidden,),) = sql(shared_db_url, "SELECT min(id) FROM spot WHERE stage = 1")
    assert get(live_url, f"/collections/spots/items/{hidden}").status_code == 404


def test_reports_need_a_token(live_url):
    for path in ("/collections/reports", "/collections/reports/items", "/collections/reports/items/1"):
        response = get(live_url, path)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def _gdal_layer(
    live_url: str, layer: str, tmp_path, token: str | None = None, *options: str, timeout: float = 120
) -> list[dict]:
    """The layer's features as GDAL's OGC API driver reads them (with `token` as a bearer; `options` such as
    -spat go to ogr2ogr)."""
    out = tmp_path / f"{layer}.geojson"
    auth = ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Bearer {token}"] if token else []
    subprocess.run(
        [OGR2OGR, *auth, "-f", "GeoJSON", *options, str(out), f"OAPIF:{live_url}/ogc", layer],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return json.loads(out.read_text(encoding="utf-8"))["features"]


def test_gdal_lists_the_layers_and_reads_every_feature(live_url, shared_db_url, viewer_token, tmp_path):
    listing = subprocess.run(
        [OGRINFO, "-ro", f"OAPIF:{live_url}/ogc"], capture_output=True, text=True, timeout=60
    )
    assert listing.returncode == 0, listing.stderr
    listed = ["spots", "spot-points", "spot-lines", "spot-areas", "neighbourhoods", "sub-districts"]
    assert all(f"{n}: {name}" in listing.stdout for n, name in enumerate(listed, start=1)), listing.stdout
    summary = subprocess.run(
        [OGRINFO, "-ro", "-so", f"OAPIF:{live_url}/ogc", "spots"], capture_output=True, text=True, timeout=60
    )
    ((public,),) = sql(shared_db_url, "SELECT count(*) FROM spot WHERE status <> 'merged' AND stage >= 3")
    assert f"Feature Count: {public}\n" in summary.stdout and "stage: Integer" in summary.stdout
    assert {f["properties"]["stage"] for f in _gdal_layer(live_url, "spots", tmp_path)} == {3, 4}
    spots = {
        row[0]: row[1:] for row in sql(shared_db_url, "SELECT id, title, category, stage, priority FROM spot")
    }
    read = _gdal_layer(live_url, "spots", tmp_path, viewer_token)
    assert len(read) == len(spots) == 70
    for feature in read:
        p = feature["properties"]
        assert (p["title"], p["category"], p["stage"], p["priority"]) == (
            spots[p["id"]][0],
            spots[p["id"]][1],
            spots[p["id"]][2],
            float(spots[p["id"]][3]),
        )
    areas = dict(sql(shared_db_url, "SELECT code, name_fa FROM area WHERE level = 'neighbourhood'"))
    assert {
        f["properties"]["code"]: f["properties"]["name_fa"]
        for f in _gdal_layer(live_url, "neighbourhoods", tmp_path)
    } == areas
    assert _gdal_layer(live_url, "sub-districts", tmp_path) == []


def test_gdal_forwards_the_bbox(live_url, shared_db_url, viewer_token, tmp_path):
    bbox = (51.15, 35.70, 51.25, 35.76)
    ((in_box,),) = sql(
        shared_db_url,
        "SELECT count(*) FROM spot WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
        bbox,
    )
    assert len(_gdal_layer(live_url, "spots", tmp_path, viewer_token, "-spat", *map(str, bbox))) == in_box


def test_reports_with_a_token_never_carry_contact_data(live_url, shared_db_url, viewer_token):
    auth = {"Authorization": f"Bearer {viewer_token}"}
    ids = [
        c["id"]
        for c in httpx.get(f"{live_url}/ogc/collections", headers=auth, timeout=30).json()["collections"]
    ]
    assert "reports" in ids
    ((total,),) = sql(shared_db_url, "SELECT count(*) FROM report")
    body = httpx.get(
        f"{live_url}/ogc/collections/reports/items", params={"limit": 10_000}, headers=auth, timeout=30
    )
    assert body.json()["numberMatched"] == body.json()["numberReturned"] == total
    assert "09120001122" not in body.text and "Maryam" not in body.text and "example.org" not in body.text
    ((first,),) = sql(shared_db_url, "SELECT min(id) FROM report")
    one = httpx.get(f"{live_url}/ogc/collections/reports/items/{first}", headers=auth, timeout=30)
    assert one.status_code == 200 and "09120001122" not in one.text
    bad = httpx.get(
        f"{live_url}/ogc/collections/reports/items", headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert bad.status_code == 401


def test_gdal_reads_the_reports_with_a_bearer_token(live_url, shared_db_url, viewer_token, tmp_path):
    read = _gdal_layer(live_url, "reports", tmp_path, viewer_token, timeout=300)
    rows = dict(sql(shared_db_url, "SELECT id, source FROM report"))
    assert len(read) == len(rows)
    assert all(rows[f["properties"]["id"]] == f["properties"]["source"] for f in read)
    assert not any(key in read[0]["properties"] for key in ("name", "phone", "email"))


def test_ogr2ogr_copies_typed_collections_with_basic_auth(live_url, shared_db_url, viewer_token, tmp_path):
    """What the GIS office runs: GDAL with HTTP Basic (user name, token as password) copies every typed
    collection, stage 1-2 included, into a GeoPackage, each layer of one geometry type, times as DateTime."""
    out = tmp_path / "typed.gpkg"
    for layer in ("spot-points", "spot-lines", "spot-areas"):
        subprocess.run(
            [
                OGR2OGR,
                "--config", "GDAL_HTTP_AUTH", "BASIC",
                "--config", "GDAL_HTTP_USERPWD", f"ogc-reader:{viewer_token}",
                "-f", "GPKG", "-append", str(out), f"OAPIF:{live_url}/ogc", layer,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
    ((lines, areas, hidden),) = sql(
        shared_db_url,
        "SELECT count(*) FILTER (WHERE GeometryType(geom) LIKE '%%LINESTRING'),"
        " count(*) FILTER (WHERE GeometryType(geom) LIKE '%%POLYGON'),"
        " count(*) FILTER (WHERE stage < 3 AND GeometryType(geom) NOT LIKE '%%POINT')"
        " FROM spot WHERE status <> 'merged'",
    )
    assert lines and areas and hidden
    read = {
        name: pyogrio.read_dataframe(out, layer=name) for name in ("spot-points", "spot-lines", "spot-areas")
    }
    assert len(read["spot-lines"]) == lines and len(read["spot-areas"]) == areas
    assert set(read["spot-points"].geometry.geom_type) <= {"Point", "MultiPoint"}
    assert 1 in set(read["spot-points"]["stage"]) | set(read["spot-lines"]["stage"])
    for name in read:
        info = pyogrio.read_info(out, layer=name)
        types = dict(zip(info["fields"], info["dtypes"]))
        assert types["created_at"].startswith("datetime64") and types["updated_at"].startswith("datetime64")
    assert set(read["spot-lines"].geometry.geom_type) <= {"LineString", "MultiLineString"}
    assert set(read["spot-areas"].geometry.geom_type) <= {"Polygon", "MultiPolygon"}
