"""Routing rules over HTTP: the deputy keeps them, staff read them, stage 3 asks what they propose."""

from datetime import timedelta

import pytest

from gis import clock
from tests.conftest import query_all, query_one


@pytest.fixture
def spot(db_url: str) -> dict:
    """An open stage-3 spot: its category, neighbourhood, and the agencies with no action on it."""
    spot_id, category, area = query_one(
        db_url,
        "SELECT s.id, s.category, a.code FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE s.stage = 3 AND s.status = 'open' ORDER BY s.id LIMIT 1",
    )
    free = query_all(
        db_url,
        "SELECT code FROM agency g WHERE active AND NOT EXISTS (SELECT 1 FROM spot_action x"
        " WHERE x.spot_id = %s AND x.agency_id = g.id) ORDER BY code",
        (spot_id,),
    )
    free = [code for (code,) in free]
    return {"id": spot_id, "category": category, "area": area, "free": free}


def test_rules_propose_each_agency_with_its_due_date(client, heads, spot):
    everywhere, local = spot["free"][:2]
    rule = {"category": spot["category"], "agency": everywhere, "due_days": 10, "what": "نصب چراغ"}
    made = client.post("/api/routing-rules", json=rule, headers=heads["deputy"])
    assert made.status_code == 201, made.text
    assert made.json()["area"] is None and made.json()["due_days"] == 10
    client.post(
        "/api/routing-rules",
        json={"category": spot["category"], "area": spot["area"], "agency": local, "due_days": 5},
        headers=heads["deputy"],
    )
    # The same rule again updates its days instead of adding a second one.
    again = client.post("/api/routing-rules", json={**rule, "due_days": 12}, headers=heads["deputy"])
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    listed = client.get("/api/routing-rules", headers=heads["gis"]).json()
    assert len(listed) == 2

    proposed = client.get(f"/api/spots/{spot['id']}/routing", headers=heads["gis"])
    assert proposed.status_code == 200
    by_agency = {p["agency"]: p for p in proposed.json()}
    assert set(by_agency) == {everywhere, local}
    assert by_agency[everywhere]["due_on"] == (clock.today() + timedelta(days=12)).isoformat()
    assert by_agency[everywhere]["what"] == "نصب چراغ" and not by_agency[everywhere]["local"]
    assert by_agency[local]["due_on"] == (clock.today() + timedelta(days=5)).isoformat()
    assert by_agency[local]["local"] and not by_agency[local]["assigned"]


def test_a_rule_for_another_neighbourhood_or_category_proposes_nothing(client, heads, spot, db_url):
    (other,) = query_one(
        db_url, "SELECT code FROM area WHERE level = 'neighbourhood' AND code <> %s LIMIT 1", (spot["area"],)
    )
    (other_category,) = query_one(
        db_url, "SELECT code FROM category WHERE code <> %s LIMIT 1", (spot["category"],)
    )
    agency = spot["free"][0]
    for rule in (
        {"category": spot["category"], "area": other, "agency": agency, "due_days": 3},
        {"category": other_category, "agency": agency, "due_days": 3},
    ):
        assert client.post("/api/routing-rules", json=rule, headers=heads["deputy"]).status_code == 201
    assert client.get(f"/api/spots/{spot['id']}/routing", headers=heads["deputy"]).json() == []


def test_only_the_deputy_keeps_rules_and_bad_input_names_its_field(client, heads, spot):
    rule = {"category": spot["category"], "agency": spot["free"][0], "due_days": 7}
    for who in ("gis", "viewer", "roads"):
        assert client.post("/api/routing-rules", json=rule, headers=heads[who]).status_code == 403
    assert client.get("/api/routing-rules", headers=heads["viewer"]).status_code == 403
    assert client.get(f"/api/spots/{spot['id']}/routing", headers=heads["roads"]).status_code == 403
    assert client.get("/api/routing-rules").status_code == 401
    cases = {
        "category": {**rule, "category": "nothing"},
        "area": {**rule, "area": "9999"},
        "agency": {**rule, "agency": "nobody"},
        "due_days": {**rule, "due_days": 0},
    }
    for field, body in cases.items():
        refused = client.post("/api/routing-rules?lang=en", json=body, headers=heads["deputy"])
        assert refused.status_code in (400, 422) and field in refused.text, (field, refused.text)
    made = client.post("/api/routing-rules", json=rule, headers=heads["deputy"]).json()
    assert client.delete(f"/api/routing-rules/{made['id']}", headers=heads["deputy"]).status_code == 204
    gone = client.delete(f"/api/routing-rules/{made['id']}", headers=heads["deputy"])
    assert gone.status_code == 404
    assert client.get("/api/spots/999999/routing", headers=heads["deputy"]).status_code == 404
