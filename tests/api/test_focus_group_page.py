"""The GIS office records a focus group from a page: the form, one POST of the session with its places (one
put on the map, one left to be placed with an address), all or nothing, and the session listed on
/programme. Errors are in Persian and name the field."""

import uuid

import pytest

from tests.api.channels import make_people, point_in
from tests.conftest import query_one

SESSION = {
    "area": "2209",
    "held_on": "۱۴۰۳/۰۲/۱۰",
    "facilitator": "مریم کریمی",
    "participants": 12,
    "women": 9,
    "notes": "سرای محلهٔ چیتگر",
}


@pytest.fixture
def people(db_url):
    return make_people(db_url)


def _points(db_url: str, *, address: str = "خیابان کوهک، پشت پارک") -> dict:
    lon, lat = point_in(db_url, "2209")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"category": "poor_lighting", "time_of_day": "night", "placed": True},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"category": "vacant_lot", "description": "زمین بایر", "address": address},
            },
        ],
    }


def test_the_gis_office_records_a_session_with_a_placed_and_an_unplaced_place(client, people, db_url):
    form = client.get("/programme/focus-groups/new", headers=people["gis"])
    assert form.status_code == 200 and 'id="focus-group"' in form.text and 'id="focus-map"' in form.text
    body = {**SESSION, "uuid": str(uuid.uuid4()), "points": _points(db_url)}
    made = client.post("/api/focus-groups", json=body, headers=people["gis"])
    assert made.status_code == 201, made.text
    session, reports = made.json()["id"], made.json()["reports"]
    assert len(reports) == 2
    placed = query_one(
        db_url,
        "SELECT r.location_precision, r.time_of_day, r.provenance ->> 'focus_group_id', s.location_precision"
        " FROM report r JOIN spot s ON s.id = r.spot_id WHERE r.id = %s",
        (reports[0],),
    )
    assert placed == ("placed", "night", str(session), "placed")
    unplaced = query_one(
        db_url,
        "SELECT r.location_precision, r.address, a.code FROM report r JOIN area a ON a.id = r.area_id"
        " WHERE r.id = %s",
        (reports[1],),
    )
    assert unplaced == ("address", "خیابان کوهک، پشت پارک", "2209")
    # Sent again (the page's UUID): the same session, no new places.
    again = client.post("/api/focus-groups", json=body, headers=people["gis"])
    assert again.status_code == 200 and again.json()["id"] == session and again.json()["reports"] == reports
    page = client.get("/programme", headers=people["gis"]).text
    row = page.split(f'data-focus-group="{session}"')[1].split("</tr>")[0]
    assert "مریم کریمی" in row and "۱۲" in row and "۹" in row and "<td>۲</td>" in row
    assert 'href="/programme/focus-groups/new"' in page
    assert client.get("/programme", headers=people["deputy"]).status_code == 200


def test_a_refused_place_names_its_field_in_persian_and_stores_nothing(client, people, db_url):
    points = _points(db_url, address="")
    body = {**SESSION, "uuid": str(uuid.uuid4()), "points": points}
    refused = client.post("/api/focus-groups?lang=fa", json=body, headers=people["gis"])
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["field"] == "features" and error["rows"][0]["feature"] == 2
    assert error["message"].startswith("مکان‌های نام‌برده: ")
    assert "نه روی نقشه گذاشته شده است و نه نشانی دارد" in error["message"]
    assert query_one(db_url, "SELECT count(*) FROM focus_group WHERE uuid = %s", (body["uuid"],)) == (0,)
    nameless = {**SESSION, "facilitator": " ", "points": _points(db_url)}
    refused = client.post("/api/focus-groups?lang=fa", json=nameless, headers=people["gis"])
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith("تسهیلگر: ")


def test_who_may_record_a_focus_group_from_the_page(client, people):
    assert client.get("/programme/focus-groups/new", headers=people["guest"]).status_code == 403
    assert client.get("/programme/focus-groups/new", headers=people["roads"]).status_code == 403
    viewer = client.get("/programme", headers=people["guest"]).text
    assert 'id="focus-groups"' not in viewer  # focus groups are the field staff's record
