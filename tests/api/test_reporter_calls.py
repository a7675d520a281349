"""The reporter's follow-up question: four weeks after a spot closes its reporters (with a contact) are on the
staff's call list, an answer is recorded once and counted by the evaluation; contacts stay with the staff."""

from datetime import timedelta

import pytest
import time_machine

from tests.conftest import query_one


@pytest.fixture
def closed(db_url: str) -> dict:
    """A report of a resolved spot, given a reporter's phone, and when its spot closed."""
    report_id, spot_id, closed_at = query_one(
        db_url,
        "SELECT r.id, s.id, (SELECT max(e.at) FROM spot_event e"
        " WHERE e.spot_id = s.id AND e.kind = 'resolved') FROM report r JOIN spot s ON s.id = r.spot_id"
        " WHERE s.status = 'resolved' ORDER BY r.id LIMIT 1",
    )
    query_one(
        db_url,
        "INSERT INTO report_contact (report_id, name, phone) VALUES (%s, 'مریم', '09120000000')"
        " ON CONFLICT (report_id) DO UPDATE SET phone = EXCLUDED.phone RETURNING report_id",
        (report_id,),
    )
    return {"report": report_id, "spot": spot_id, "closed_at": closed_at}


@pytest.mark.dated
def test_reporters_are_listed_four_weeks_after_closing_and_answer_once(client, closed, heads):
    with time_machine.travel(closed["closed_at"] + timedelta(days=10), tick=False):
        early = client.get("/api/reporter-calls", headers=heads["deputy"]).json()
        assert closed["report"] not in [c["report_id"] for c in early]
    with time_machine.travel(closed["closed_at"] + timedelta(days=29), tick=False):
        due = client.get("/api/reporter-calls", headers=heads["deputy"]).json()
        mine = [c for c in due if c["report_id"] == closed["report"]]
        assert len(mine) == 1 and mine[0]["phone"] == "09120000000" and mine[0]["spot_id"] == closed["spot"]
        before = client.get("/api/reporter-calls/answers", headers=heads["viewer"]).json()
        answer = {"report_id": closed["report"], "answer": "safer", "note": "چراغ‌ها روشن است"}
        assert client.post("/api/reporter-calls", json=answer, headers=heads["deputy"]).status_code == 201
        again = client.post("/api/reporter-calls", json=answer, headers=heads["deputy"])
        assert again.status_code == 409 and again.json()["error"]["field"] == "report_id"
        after = client.get("/api/reporter-calls/answers", headers=heads["viewer"]).json()
        assert after["safer"] == before["safer"] + 1
        left = client.get("/api/reporter-calls", headers=heads["deputy"]).json()
        assert closed["report"] not in [c["report_id"] for c in left]


def test_contacts_stay_with_the_staff_and_bad_answers_name_their_field(client, closed, heads):
    for who in ("viewer", "roads"):
        refused = client.get("/api/reporter-calls", headers=heads[who])
        assert refused.status_code == 403 and "0912" not in refused.text
    assert client.get("/api/reporter-calls").status_code == 401
    assert client.get("/api/reporter-calls/answers").status_code == 401
    bad = client.post(
        "/api/reporter-calls?lang=en",
        json={"report_id": closed["report"], "answer": "maybe"},
        headers=heads["deputy"],
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "answer"
    open_spot = client.post(
        "/api/reporter-calls", json={"report_id": 999999999, "answer": "safer"}, headers=heads["deputy"]
    )
    assert open_spot.status_code == 404
