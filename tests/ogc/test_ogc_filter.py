"""OGC API – Features Parts 2 and 3 at /ogc: queryables, CQL2 `filter`, `sortby`, `properties`, `crs` and
`bbox-crs`, counted against SQL, within the reader's scope, and refusing injection."""

import httpx
import pytest

from tests.ogc.test_ogc_features import _gdal_layer, get, sql

SPOTS = "/collections/spots/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
TRIANGLE = "51.15 35.70, 51.25 35.70, 51.25 35.76, 51.15 35.70"
ALL_SPOTS = "SELECT count(*) FROM spot s WHERE s.status <> 'merged'"


def matched(live_url: str, token: str | None = None, **params: object) -> int:
    response = get(live_url, SPOTS, token, limit=1, **params)
    assert response.status_code == 200, response.text
    return response.json()["numberMatched"]


def test_queryables_list_public_fields_and_are_linked(live_url, viewer_token):
    collection = get(live_url, "/collections/spots").json()
    link = next(x for x in collection["links"] if x["rel"].endswith("/queryables"))
    assert link["href"].endswith("/collections/spots/queryables")
    assert collection["storageCrs"].endswith("CRS84") and f"{EPSG}32639" in collection["crs"]
    response = get(live_url, "/collections/spots/queryables")
    assert response.headers["content-type"].startswith("application/schema+json")
    properties = response.json()["properties"]
    assert properties["stage"]["type"] == "integer" and properties["priority"]["type"] == "number"
    assert properties["title"]["type"] == "string" and properties["geometry"]["format"] == "geometry-any"
    assert get(live_url, "/collections/spot-lines/queryables").json()["properties"]["geometry"]["format"] == (
        "geometry-linestring"
    )
    for personal in ("name", "phone", "email", "contact", "reporter"):
        assert personal not in properties
    assert get(live_url, "/collections/reports/queryables").status_code == 401
    report_fields = get(live_url, "/collections/reports/queryables", viewer_token).json()["properties"]
    assert not {"phone", "email", "name"} & set(report_fields)
    conforms = get(live_url, "/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms


@pytest.mark.parametrize(
    ("cql", "where"),
    [
        ("stage >= 3 AND priority > 0.5", "s.stage >= 3 AND s.priority > 0.5"),
        ("stage = 1 OR stage = 4", "s.stage IN (1, 4)"),
        ("NOT (stage < 3)", "NOT (s.stage < 3)"),
        ("stage IN (2, 3)", "s.stage IN (2, 3)"),
        ("category LIKE 'poor%'", "left(s.category, 4) = 'poor'"),
        ("priority BETWEEN 0.2 AND 0.7", "s.priority BETWEEN 0.2 AND 0.7"),
        ("area_code IS NULL", "s.area_id IS NULL"),
        ("title IS NOT NULL", "s.title IS NOT NULL"),
        (
            "S_INTERSECTS(geometry, BBOX(51.15, 35.70, 51.25, 35.76))",
            "ST_Intersects(s.geom, ST_MakeEnvelope(51.15, 35.70, 51.25, 35.76, 4326))",
        ),
        (
            f"S_INTERSECTS(geometry, POLYGON(({TRIANGLE})))",
            f"ST_Intersects(s.geom, 'SRID=4326;POLYGON(({TRIANGLE}))')",
        ),
    ],
)
def test_filter_counts_equal_sql(live_url, shared_db_url, viewer_token, cql, where):
    (expected,) = sql(shared_db_url, f"{ALL_SPOTS} AND {where}")[0]
    assert matched(live_url, viewer_token, filter=cql, **{"filter-lang": "cql2-text"}) == expected


def test_filter_stays_inside_the_public_scope(live_url, viewer_token):
    """The public sees no stage 1–2 spot, whatever the filter asks for; staff do."""
    assert matched(live_url, filter="stage IN (1, 2) OR stage < 3") == 0
    assert matched(live_url, viewer_token, filter="stage IN (1, 2) OR stage < 3") > 0
    assert matched(live_url, filter="stage >= 3") == matched(live_url)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filter": "stage = 'x'' OR 1=1 --'"}, "filter"),
        ({"filter": "phone = '0912'"}, "filter"),
        ({"filter": '"id; DROP TABLE spot" = 1'}, "filter"),
        ({"filter": "stage = "}, "filter"),
        ({"filter": "stage = 3", "filter-lang": "cql2-json"}, "filter-lang"),
        ({"sortby": "id; DROP TABLE spot"}, "sortby"),
        ({"sortby": "-phone"}, "sortby"),
        ({"properties": "title,reporter_phone"}, "properties"),
        ({"properties": "-title"}, "properties"),
        ({"filter": "1 = 1"}, "filter"),
        ({"filter": "stage + 1 = 3"}, "filter"),
        ({"filter": "T_AFTER(created_at, TIMESTAMP('2026-01-01T00:00:00Z'))"}, "filter"),
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/2056"}, "crs"),
        ({"bbox": "1,2,3,4", "bbox-crs": "EPSG:9999"}, "bbox-crs"),
    ],
)
def test_bad_parameters_are_400_naming_the_properties(live_url, shared_db_url, params, field):
    before = sql(shared_db_url, ALL_SPOTS)
    response = get(live_url, SPOTS, **params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field
    if field != "crs" and field != "bbox-crs":
        assert "stage, " in str(error) and "priority" in str(error)
    assert sql(shared_db_url, ALL_SPOTS) == before


def test_injection_in_values_is_only_a_value(live_url, shared_db_url):
    """A quote inside a value is refused by the parser (400); anything else is a value, bound, never SQL."""
    assert matched(live_url, filter="title = 'x; DROP TABLE spot; --'") == 0
    assert matched(live_url, filter="title LIKE '%; DELETE FROM spot; --'") == 0
    for text in ("title = 'x'' OR ''1''=''1'", "title LIKE '%'' OR 1=1 --'"):
        assert get(live_url, SPOTS, filter=text).status_code == 400
    assert sql(shared_db_url, ALL_SPOTS)[0][0] > 0


def test_sortby_and_properties(live_url, viewer_token):
    for sortby, reverse in (("-priority", True), ("+priority", False), ("priority", False)):
        features = get(live_url, SPOTS, viewer_token, sortby=sortby, limit=50).json()["features"]
        priorities = [f["properties"]["priority"] for f in features]
        assert priorities == sorted(priorities, reverse=reverse), sortby
    stages = get(live_url, SPOTS, viewer_token, sortby="stage,-id", limit=100).json()["features"]
    keys = [(f["properties"]["stage"], -f["id"]) for f in stages]
    assert keys == sorted(keys)
    features = get(live_url, SPOTS, properties="title,stage", limit=5).json()["features"]
    assert features and all(set(f["properties"]) == {"title", "stage"} for f in features)


def test_crs_and_bbox_crs(live_url):
    lonlat = get(live_url, "/collections/spot-points/items", limit=5).json()
    assert lonlat["features"][0]["geometry"]["coordinates"][0] == pytest.approx(51.2, abs=0.3)
    for code, x, tolerance in (("4326", 35.7, 0.3), ("3857", 5_700_000, 50_000), ("32639", 518_000, 30_000)):
        response = get(live_url, "/collections/spot-points/items", limit=5, crs=f"{EPSG}{code}")
        assert response.headers["content-crs"] == f"<{EPSG}{code}>"
        first = response.json()["features"][0]["geometry"]["coordinates"]
        assert first[0] == pytest.approx(x, abs=tolerance), code
    one = lonlat["features"][0]["id"]
    item = get(live_url, f"/collections/spot-points/items/{one}", crs=f"{EPSG}32639")
    assert item.headers["content-crs"] == f"<{EPSG}32639>"
    assert item.json()["geometry"]["coordinates"][1] == pytest.approx(3_950_000, abs=30_000)
    assert get(live_url, SPOTS).headers["content-crs"].endswith("CRS84>")
    box = (51.15, 35.70, 51.25, 35.76)
    in_crs84 = matched(live_url, bbox=",".join(map(str, box)))
    mercator = "5693991.954076,4259419.965548,5705123.903155,4267647.795206"  # the same box in EPSG:3857
    assert matched(live_url, bbox=mercator, **{"bbox-crs": f"{EPSG}3857"}) == in_crs84
    lat_first = "35.70,51.15,35.76,51.25"
    assert matched(live_url, bbox=lat_first, **{"bbox-crs": f"{EPSG}4326"}) == in_crs84


def test_gdal_where_still_reads_the_features_sql_selects(live_url, shared_db_url, viewer_token, tmp_path):
    """The conformance classes declared for Part 3 do not trip GDAL's OGC API driver: its -where gives SQL's
    features (GDAL 3.6 still evaluates it on its side)."""
    where = "stage >= 3 AND category IN ('poor_lighting', 'vacant_lot') AND priority > 0.1"
    features = _gdal_layer(live_url, "spots", tmp_path, viewer_token, "-where", where)
    expected = sql(
        shared_db_url,
        "SELECT id FROM spot s WHERE s.status <> 'merged' AND s.stage >= 3"
        " AND s.category IN ('poor_lighting', 'vacant_lot') AND s.priority > 0.1 ORDER BY id",
    )
    assert sorted(f["properties"]["id"] for f in features) == [i for (i,) in expected]


def test_filter_on_reports_and_areas(live_url, shared_db_url, viewer_token):
    """Reports (staff only) filter on their spot's stage and a boolean; areas on population and name."""
    cql = "stage IN (1, 2) AND location_verified = TRUE AND reported_at > TIMESTAMP('2000-01-01T00:00:00Z')"
    (expected,) = sql(
        shared_db_url,
        "SELECT count(*) FROM report r JOIN spot sp ON sp.id = r.spot_id"
        " WHERE sp.stage IN (1, 2) AND r.location_verified AND r.reported_at > '2000-01-01'",
    )[0]
    reports = get(live_url, "/collections/reports/items", viewer_token, filter=cql, limit=1)
    assert reports.status_code == 200, reports.text
    assert reports.json()["numberMatched"] == expected
    assert get(live_url, "/collections/reports/items", filter="stage = 1").status_code == 401
    (areas,) = sql(
        shared_db_url, "SELECT count(*) FROM area WHERE level = 'neighbourhood' AND population > 20000"
    )[0]
    answer = get(live_url, "/collections/neighbourhoods/items", filter="population > 20000", limit=1)
    assert answer.json()["numberMatched"] == areas
    wrong = get(live_url, "/collections/neighbourhoods/items", filter="population = 'many'")
    assert wrong.status_code == 400 and "population" in wrong.json()["error"]["message"]
    persian = httpx.get(
        f"{live_url}/ogc/collections/neighbourhoods/items",
        params={"filter": "population = 'many'"},
        headers={"Accept-Language": "fa"},
        timeout=30,
    )
    assert "ویژگی‌ها" in persian.json()["error"]["message"] and "population" in persian.text


def test_a_self_crossing_polygon_is_an_answer_not_a_crash(live_url):
    bowtie = "POLYGON((51.1 35.6, 51.3 35.8, 51.3 35.6, 51.1 35.8, 51.1 35.6))"
    assert matched(live_url, filter=f"S_INTERSECTS(geometry, {bowtie})") >= 0
