"""The read API over the District 22 demo: health, areas and spots as GeoJSON."""

import psycopg2
import pytest
from fastapi.testclient import TestClient

from api.app import create_app


def test_health_reports_the_database_and_postgis(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["postgis"].startswith("3.")


def test_health_is_503_in_the_error_shape_when_the_database_is_down():
    with TestClient(create_app("postgresql://postgres@127.0.0.1:9/none")) as down:
        response = down.get("/health")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_the_ten_neighbourhoods_of_district_22_are_served(client):
    response = client.get("/api/areas", params={"level": "neighbourhood"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    assert [f["properties"]["code"] for f in features] == [str(c) for c in range(2201, 2211)]
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in features)
    assert {f["properties"]["parent_code"] for f in features} == {"22"}
    sharif = features[0]["properties"]
    assert sharif["name_fa"] == "شهرک دانشگاه صنعتی شریف" and sharif["area_km2"] > 10


def test_spots_match_sql_counts_for_each_filter(viewer_client, db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot")
        total = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM spot WHERE stage IN (3, 4) AND category = 'poor_lighting'")
        lit = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM spot s JOIN area a ON ST_Intersects(a.geom, s.geom) WHERE a.code = '2209'"
        )
        daryacheh = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM spot WHERE geom && ST_MakeEnvelope(51.09, 35.70, 51.19, 35.79, 4326)"
        )
        west = cur.fetchone()[0]
    body = viewer_client.get("/api/spots").json()
    assert body["numberMatched"] == total == len(body["features"]) and total >= 50
    assert {f["properties"]["stage"] for f in body["features"]} == {1, 2, 3, 4}
    assert (
        viewer_client.get("/api/spots", params={"stage": "3,4", "category": "poor_lighting"}).json()[
            "numberMatched"
        ]
        == lit
    )
    assert viewer_client.get("/api/spots", params={"area": "2209"}).json()["numberMatched"] == daryacheh > 0
    assert (
        viewer_client.get("/api/spots", params={"bbox": "51.09,35.70,51.19,35.79"}).json()["numberMatched"]
        == west
        > 0
    )
    assert (
        viewer_client.get("/api/spots", params={"stage": "۳,۴", "category": "poor_lighting"}).json()[
            "numberMatched"
        ]
        == lit
    )


def test_spots_are_paged_without_overlap(client):
    first = client.get("/api/spots", params={"limit": 10}).json()
    second = client.get("/api/spots", params={"limit": 10, "offset": 10}).json()
    assert first["numberReturned"] == second["numberReturned"] == 10
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}


def test_one_spot_carries_its_history_and_no_personal_data(client):
    spot_id = client.get("/api/spots", params={"stage": "4", "limit": 1}).json()["features"][0]["id"]
    feature = client.get(f"/api/spots/{spot_id}").json()
    kinds = [e["kind"] for e in feature["properties"]["events"]]
    assert kinds[0] == "created" and kinds.count("stage_changed") == 3
    assert "phone" not in str(feature) and "contact" not in str(feature)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"stage": "5"}, 400, "stage"),
        ({"stage": "one"}, 400, "stage"),
        ({"category": "dark_corner"}, 400, "category"),
        ({"area": "9999"}, 404, "area"),
        ({"bbox": "51,35,52"}, 400, "bbox"),
        ({"bbox": "51.2,35.7,51.1,35.8"}, 400, "bbox"),
        ({"limit": "0"}, 422, "limit"),
        ({"status": "lost"}, 422, "status"),
    ],
)
def test_bad_filters_get_a_clear_error_naming_the_field(client, params, status, field):
    response = client.get("/api/spots", params=params)
    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_unknown_spot_and_route_are_404_in_the_error_shape(client):
    assert client.get("/api/spots/999999").json()["error"] == {
        "code": "not_found",
        "message": "spot 999999 does not exist",
        "field": "id",
    }
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"


def test_reference_lists_are_bilingual(client):
    categories = client.get("/api/categories").json()
    assert len(categories) == 10 and categories[0]["label_fa"] == "روشنایی نامناسب"
    assert [s["number"] for s in client.get("/api/stages").json()] == [1, 2, 3, 4]
    assert client.get("/openapi.json").status_code == 200
