"""One place, three channels: a mayor's list, a focus group and a 137 request end up as one spot."""

import psycopg2

from gis.db import transaction
from gis.intake.reports import ReportCreate, submit_report
from tests.api.channels import API_KEY, api_key_env, hotline, make_people, offset, point_in  # noqa: F401


def test_a_mayor_a_focus_group_and_the_137_hotline_make_one_spot(hotline, db_url):
    people = make_people(db_url)
    place = point_in(db_url, "2209")
    with transaction(db_url) as conn:
        mayor = submit_report(
            conn,
            ReportCreate(
                source="mayor",
                category="poor_lighting",
                lon=place[0],
                lat=place[1],
                description="معبر تاریک",
                source_ref="letter 12",
            ),
        )
    assert mayor.new_spot

    session = hotline.post(
        "/api/focus-groups",
        headers=people["sara"],
        json={
            "area": "Daryacheh",
            "held_on": "1399/09/27",
            "facilitator": "مریم کریمی",
            "participants": 12,
            "women": 9,
        },
    )
    assert session.status_code == 201, session.text
    session_id = session.json()["id"]
    marked = hotline.post(
        f"/api/focus-groups/{session_id}/points",
        headers=people["sara"],
        json={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"دسته": "روشنایی نامناسب", "زمان": "شب", "روشنایی": "۰"},
                    "geometry": {"type": "Point", "coordinates": list(offset(place, 20))},
                }
            ],
        },
    )
    assert marked.status_code == 201, marked.text
    assert marked.json()["spots"] == [mayor.spot_id] and marked.json()["new_spots"] == 0

    lon, lat = offset(place, -25)
    posted = hotline.post(
        "/open311/v2/requests.json",
        data={
            "api_key": API_KEY,
            "service_code": "poor_lighting",
            "lat": f"{lat}",
            "long": f"{lon}",
            "description": "چراغ‌های کوچه خاموش است",
            "phone": "09120000000",
        },
    )
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]

    spot = hotline.get(f"/api/spots/{mayor.spot_id}", headers=people["gis"]).json()["properties"]
    assert spot["report_count"] == 3 and spot["source_count"] == 3
    assert sorted(spot["sources"]) == ["focus_group", "hotline_137", "mayor"]
    assert "09120000000" not in hotline.get(f"/api/spots/{mayor.spot_id}", headers=people["gis"]).text
    [request] = hotline.get(f"/open311/v2/requests/{request_id}.json", headers=people["gis"]).json()
    assert request["status"] == "open"  # a stage-1 request: the staff's, not yet the public's
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT source, provenance ->> 'focus_group_id' FROM report WHERE spot_id = %s ORDER BY id",
            (mayor.spot_id,),
        )
        assert cur.fetchall() == [("mayor", None), ("focus_group", str(session_id)), ("hotline_137", None)]
