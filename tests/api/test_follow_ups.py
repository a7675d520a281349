"""A meeting's decisions with follow-ups over HTTP: each reaches its owner (an agency's users, or a staff
role) in the inbox and the agency's list of follow-ups, and no other agency's."""

import pytest

from gis.db import transaction
from tests.conftest import bearer_headers


@pytest.fixture
def heads(db_url: str) -> dict[str, dict[str, str]]:
    with transaction(db_url) as conn:
        return {
            "deputy": bearer_headers(conn, "fu-deputy", "deputy"),
            "gis": bearer_headers(conn, "fu-gis", "gis_office"),
            "roads": bearer_headers(conn, "fu-roads", "agency", agency="traffic"),
            "services": bearer_headers(conn, "fu-services", "agency", agency="urban_services"),
            "sara": bearer_headers(conn, "fu-sara", "facilitator", areas=["2201"]),
        }


MEETING = {
    "kind": "meeting",
    "held_on": "1403/02/10",
    "title": "جلسهٔ هفتم کارگروه",
    "attendees": {"traffic": 2, "police": 1},
    "decisions": "جابه‌جایی ایستگاه اتوبوس و بررسی پیاده‌رو",
    "follow_ups": [
        {
            "decision": "جابه‌جایی ایستگاه",
            "what": "طرح جابه‌جایی ایستگاه",
            "owner": "traffic",
            "due_on": "1403/03/01",
        },
        {
            "decision": "نقشهٔ پیاده‌رو",
            "what": "نقشهٔ پیاده‌روهای تاریک",
            "owner": "gis_office",
            "due_on": "1403/03/15",
        },
    ],
}


def test_follow_ups_reach_their_owners(client, heads):
    made = client.post("/api/programme/activities", json=MEETING, headers=heads["deputy"])
    assert made.status_code == 201, made.text
    assert [f["what"] for f in made.json()["follow_ups"]] == ["طرح جابه‌جایی ایستگاه", "نقشهٔ پیاده‌روهای تاریک"]
    assert made.json()["attendance"] == 3
    roads = client.get("/api/programme/follow-ups", headers=heads["roads"]).json()
    assert [f["what"] for f in roads] == ["طرح جابه‌جایی ایستگاه"] and roads[0]["due_on"] == "2024-05-21"
    assert client.get("/api/programme/follow-ups", headers=heads["services"]).json() == []
    assert len(client.get("/api/programme/follow-ups", headers=heads["gis"]).json()) == 2
    assert client.get("/api/programme/follow-ups", headers=heads["sara"]).status_code == 403
    inbox = client.get("/api/inbox", headers=heads["roads"]).json()
    assert [n["what"] for n in inbox if n["kind"] == "follow_up"] == ["طرح جابه‌جایی ایستگاه"]
    office = client.get("/api/inbox", headers=heads["gis"]).json()
    assert [n["what"] for n in office if n["kind"] == "follow_up"] == ["نقشهٔ پیاده‌روهای تاریک"]


def test_a_bad_follow_up_names_its_field_and_records_nothing(client, heads):
    bad_owner = {**MEETING, "follow_ups": [{**MEETING["follow_ups"][0], "owner": "nobody"}]}
    refused = client.post("/api/programme/activities?lang=en", json=bad_owner, headers=heads["deputy"])
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "owner"
    bad_day = {**MEETING, "follow_ups": [{**MEETING["follow_ups"][0], "due_on": "soon"}]}
    refused = client.post("/api/programme/activities?lang=en", json=bad_day, headers=heads["deputy"])
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "follow_ups.0.due_on"
    listed = client.get("/api/programme/activities", headers=heads["deputy"]).json()
    assert not any(a["title"] == MEETING["title"] for a in listed)  # all or nothing
