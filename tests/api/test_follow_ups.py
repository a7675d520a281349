"""A meeting's decisions with follow-ups over HTTP: each reaches its owner (an agency's users, or a staff
role) in the inbox and the agency's list of follow-ups, and no other agency's."""

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


def _follow_ups(client, heads) -> dict[str, int]:
    """The meeting recorded; its follow-ups' ids by owner."""
    made = client.post("/api/programme/activities", json=MEETING, headers=heads["deputy"])
    assert made.status_code == 201, made.text
    return {f["agency"] or f["owner_role"]: f["id"] for f in made.json()["follow_ups"]}


def test_an_owner_marks_a_follow_up_done_and_it_leaves_the_open_lists(client, heads):
    ids = _follow_ups(client, heads)
    unread = client.get("/api/inbox/count", headers=heads["roads"]).json()["unread"]
    done = client.post(
        f"/api/programme/follow-ups/{ids['traffic']}/done",
        json={"note": "طرح به شورا رفت"},
        headers=heads["roads"],
    )
    assert done.status_code == 200, done.text
    assert done.json()["outcome"] == "طرح به شورا رفت" and done.json()["done_at"] is not None
    # Gone from the agency's open work list and its inbox count; shown as done on /programme.
    work = client.get("/work", headers=heads["roads"]).text
    assert f'data-follow-up="{ids["traffic"]}"' not in work
    assert client.get("/api/inbox/count", headers=heads["roads"]).json()["unread"] == unread - 1
    page = client.get("/programme", headers=heads["gis"]).text
    row = page.split(f'data-follow-up="{ids["traffic"]}"')[1].split("</div>")[0]
    assert "طرح به شورا رفت" in row and "انجام‌شده" in row and "follow-up-done" not in row
    # The GIS office's own follow-up still offers it the form; the agency's does not.
    mine = page.split(f'data-follow-up="{ids["gis_office"]}"')[1].split("</div>")[0]
    assert f"/api/programme/follow-ups/{ids['gis_office']}/done" in mine
    again = client.post(
        f"/api/programme/follow-ups/{ids['traffic']}/done?lang=en",
        json={"note": "x"},
        headers=heads["deputy"],
    )
    assert again.status_code == 409 and "already done" in again.json()["error"]["message"]


def test_only_the_owner_or_the_deputy_marks_a_follow_up_done(client, heads):
    ids = _follow_ups(client, heads)
    url = f"/api/programme/follow-ups/{ids['traffic']}/done"
    # The GIS office does not own the traffic agency's follow-up; another agency is not told it exists.
    refused = client.post(url, json={"note": "done"}, headers=heads["gis"])
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "owner"
    assert "traffic" in refused.json()["error"]["message"]
    assert client.post(url, json={"note": "done"}, headers=heads["services"]).status_code == 404
    assert client.post(url, json={"note": "done"}, headers=heads["sara"]).status_code == 403
    empty = client.post(url + "?lang=fa", json={"note": "  "}, headers=heads["roads"])
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "note"
    assert empty.json()["error"]["message"] == "یادداشت: الزامی است"
    open_ = client.get("/api/programme/follow-ups", headers=heads["roads"]).json()
    assert open_[0]["done_at"] is None
    # The deputy marks any follow-up done, the GIS office its own.
    assert client.post(url, json={"note": "تمام شد"}, headers=heads["deputy"]).status_code == 200
    own = f"/api/programme/follow-ups/{ids['gis_office']}/done"
    assert client.post(own, json={"note": "نقشه آماده شد"}, headers=heads["gis"]).status_code == 200
    listed = client.get("/api/programme/follow-ups", headers=heads["deputy"]).json()
    assert all(f["done_at"] for f in listed if f["id"] in ids.values())
