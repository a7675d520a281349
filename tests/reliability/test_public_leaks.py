"""What the public may see through Open311 and a spot's history: only spots past mapping (stage 3 on), and of
them the stage, category, dates, neighbourhood and notes marked public; never a reporter's words, media,
exact point or contact, nor the staff's notes, visits, audits, actions or agencies.
"""

import json
from collections.abc import Iterator

import psycopg2
import pytest
from fastapi.testclient import TestClient

from gis.db import transaction
from gis.publish.precision import category_precision
from gis.settings import get_settings
from tests.api.channels import API_KEY, api_key_env, point_in  # noqa: F401 (fixture)
from tests.conftest import at_once, bearer_headers, query_one

V2 = "/open311/v2"
EVER = {"start_date": "2000-01-01T00:00:00Z"}
PERSONAL = "نام من علی رضایی است، شماره تماس 09123456789"
MEDIA = "https://137.tehran.ir/media/secret.jpg"
STAFF_NOTE = "گزارش‌دهنده: مریم کریمی ۰۹۳۵۱۱۱۲۲۳۳"
PUBLIC_NOTE = "چراغ‌های معبر تا پایان ماه نصب می‌شود"


def _people(db_url: str) -> dict[str, dict[str, str]]:
    """Bearer headers: the GIS office, a viewer, an agency, and a facilitator of 2201 only."""
    people = {
        "gis": ("gis_office", [], None),
        "viewer": ("viewer", [], None),
        "agency": ("agency", [], "traffic"),
        "elsewhere": ("facilitator", ["2201"], None),
    }
    headers = {}
    with transaction(db_url) as conn:
        for name, (role, areas, agency) in people.items():
            headers[name] = bearer_headers(conn, f"leak-{name}", role, areas, agency)
    return headers


def _app(db_url: str) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(db_url)) as client:
        yield client


@pytest.fixture
def hotline(db_url, api_key_env) -> Iterator[TestClient]:
    yield from _app(db_url)


@pytest.fixture
def world(hotline, db_url) -> dict:
    """A fresh stage-1 hotline request in 2209 with personal words and media (`new`), and a demo hotline
    request on an open stage-3 spot of a category the public sees on the grid, with a visit and an action
    (`mapped`), that has a staff note and a public one written through the notes API."""
    people = _people(db_url)
    lon, lat = point_in(db_url, "2209")
    posted = hotline.post(
        f"{V2}/requests.json",
        data={
            "api_key": API_KEY,
            "service_code": "poor_lighting",
            "lat": lat,
            "long": lon,
            "description": PERSONAL,
            "media_url": MEDIA,
            "first_name": "نگار",
            "last_name": "صالحی",
            "phone": "09120000001",
        },
    )
    assert posted.status_code == 201, posted.text
    [new] = posted.json()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT r.id, s.id, s.version, r.description, ST_X(r.geom), ST_Y(r.geom)
            FROM report r JOIN spot s ON s.id = r.spot_id
            WHERE r.source = 'hotline_137' AND s.stage = 3 AND s.status = 'open' AND s.category = ANY(%s)
              AND EXISTS (SELECT 1 FROM site_visit v WHERE v.spot_id = s.id AND v.findings <> '')
              AND EXISTS (SELECT 1 FROM spot_action x WHERE x.spot_id = s.id)
            ORDER BY r.id LIMIT 1
            """,
            ([code for code, precision in category_precision().items() if precision == "grid"],),
        )
        report_id, spot_id, version, description, *point = cur.fetchone()
        cur.execute("SELECT findings FROM site_visit WHERE spot_id = %s AND findings <> ''", (spot_id,))
        findings = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT what FROM spot_action WHERE spot_id = %s", (spot_id,))
        actions = [row[0] for row in cur.fetchall()]
    gis = people["gis"]
    for note, visibility in ((STAFF_NOTE, None), (PUBLIC_NOTE, "public")):
        body = {"note": note, "version": version} | ({"visibility": visibility} if visibility else {})
        written = hotline.post(f"/api/spots/{spot_id}/notes", json=body, headers=gis)
        assert written.status_code == 201, written.text
    return {
        "people": people,
        "new": new,
        "mapped": str(report_id),
        "spot": spot_id,
        "description": description,
        "point": point,
        "staff_only": [STAFF_NOTE, *findings, *actions],
    }


def _stages(db_url: str, ids: list[str]) -> set[int]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT s.stage FROM report r JOIN spot s0 ON s0.id = r.spot_id"
            " JOIN spot s ON s.id = coalesce(s0.merged_into, s0.id) WHERE r.id = ANY(%s)",
            ([int(i) for i in ids],),
        )
        return {row[0] for row in cur.fetchall()}


def test_the_public_list_holds_only_mapped_spots_without_reporters_words(hotline, world, db_url):
    listed = hotline.get(f"{V2}/requests.json", params=EVER)
    assert listed.status_code == 200
    requests = listed.json()
    ids = [r["service_request_id"] for r in requests]
    assert requests and world["new"]["service_request_id"] not in ids
    assert _stages(db_url, ids) <= {3, 4}
    text = json.dumps(requests, ensure_ascii=False)
    for secret in (
        "رضایی",
        "09123456789",
        "صالحی",
        "09120000001",
        MEDIA,
        world["description"],
        *world["staff_only"],
    ):
        assert secret not in text
    assert all("token" not in r and r["media_url"] == "" for r in requests)
    [mapped] = [r for r in requests if r["service_request_id"] == world["mapped"]]
    assert PUBLIC_NOTE in mapped["status_notes"]
    lon, lat = world["point"]  # the public sees the grid cell's centre, the GIS office the reported point
    assert abs(mapped["long"] - lon) + abs(mapped["lat"] - lat) > 1e-5
    [exact] = hotline.get(f"{V2}/requests/{world['mapped']}.json", headers=world["people"]["gis"]).json()
    assert abs(exact["long"] - lon) < 1e-6 and abs(exact["lat"] - lat) < 1e-6


def test_a_request_not_yet_mapped_is_not_found_by_id_or_uuid(hotline, world):
    new = world["new"]
    for key in (new["service_request_id"], new["token"]):
        hidden = hotline.get(f"{V2}/requests/{key}.json")
        assert hidden.status_code == 404 and hidden.json()[0]["code"] == 404
        assert hotline.get(f"{V2}/requests.json", params={"service_request_id": key}).json() == []
    [mapped] = hotline.get(f"{V2}/requests/{world['mapped']}.json").json()
    assert PUBLIC_NOTE in mapped["status_notes"] and STAFF_NOTE not in mapped["status_notes"]
    assert world["description"] not in json.dumps(mapped, ensure_ascii=False)


def test_a_token_tells_its_holder_the_id_and_status_only(hotline, world):
    new = world["new"]
    answer = hotline.get(f"{V2}/tokens/{new['token']}.json")
    assert answer.status_code == 200
    assert answer.json() == [
        {"service_request_id": new["service_request_id"], "token": new["token"], "status": "open"}
    ]


def test_staff_read_by_their_scope_and_never_the_contact(hotline, world):
    people, new = world["people"], world["new"]
    [seen] = hotline.get(f"{V2}/requests/{new['service_request_id']}.json", headers=people["gis"]).json()
    assert "رضایی" in seen["description"] and seen["media_url"] == MEDIA
    assert not [c for c in ("صالحی", "09120000001") if c in json.dumps(seen, ensure_ascii=False)]
    assert STAFF_NOTE not in seen["status_notes"]
    [viewed] = hotline.get(f"{V2}/requests/{new['service_request_id']}.json", headers=people["viewer"]).json()
    assert "رضایی" not in json.dumps(viewed, ensure_ascii=False) and viewed["media_url"] == ""
    missing = hotline.get(f"{V2}/requests/999999999.json", headers=people["elsewhere"])
    for key in (new["service_request_id"], new["token"]):
        elsewhere = hotline.get(f"{V2}/requests/{key}.json", headers=people["elsewhere"])
        assert elsewhere.status_code == missing.status_code == 404
        listed = hotline.get(
            f"{V2}/requests.json", params={"service_request_id": key}, headers=people["elsewhere"]
        )
        assert listed.json() == []


def test_with_the_public_map_off_open311_reads_need_a_sign_in(db_url, world, monkeypatch):
    monkeypatch.setenv("SAFEMAP_PUBLIC_MAP", "false")
    get_settings.cache_clear()
    try:
        for client in _app(db_url):
            for path in (f"{V2}/requests.json", f"{V2}/requests/{world['mapped']}.json"):
                refused = client.get(path, params=EVER)
                assert refused.status_code == 401 and refused.json()[0]["code"] == 401
            signed = client.get(f"{V2}/requests.json", params=EVER, headers=world["people"]["gis"])
            assert world["new"]["service_request_id"] in [r["service_request_id"] for r in signed.json()]
    finally:
        get_settings.cache_clear()


def test_identical_concurrent_posts_make_one_request(hotline, db_url):
    lon, lat = point_in(db_url, "2205")
    form = {"api_key": API_KEY, "service_code": "vacant_lot", "lat": lat, "long": lon, "description": "x"}
    answers = []
    assert at_once(8, lambda _: answers.append(hotline.post(f"{V2}/requests.json", data=form))) == []
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE provenance ->> 'channel' = 'open311'")
        assert cur.fetchone()[0] == 1


def test_the_public_spot_history_shows_stages_dates_and_public_notes_only(hotline, world):
    spot = world["spot"]
    public = hotline.get(f"/api/spots/{spot}").json()["properties"]["events"]
    text = json.dumps(public, ensure_ascii=False)
    for secret in world["staff_only"]:
        assert secret not in text
    assert PUBLIC_NOTE in text
    assert all(not (set(e.get("payload") or {}) - {"from_stage", "to_stage"}) for e in public)
    assert all(e["note"] == "" or e["note"] == PUBLIC_NOTE for e in public)
    staff = hotline.get(f"/api/spots/{spot}", headers=world["people"]["gis"]).json()["properties"]["events"]
    staff_text = json.dumps(staff, ensure_ascii=False)
    assert all(secret in staff_text for secret in world["staff_only"]) and len(staff) >= len(public)
    page = hotline.get(f"/spots/{spot}")
    assert page.status_code == 200 and PUBLIC_NOTE in page.text
    assert not [secret for secret in world["staff_only"] if secret in page.text]
    staff_page = hotline.get(f"/spots/{spot}", headers=world["people"]["gis"])
    assert STAFF_NOTE in staff_page.text


def test_a_note_is_for_staff_unless_marked_public(hotline, world):
    refused = hotline.post(
        f"/api/spots/{world['spot']}/notes",
        json={"note": "x", "visibility": "everyone"},
        headers=world["people"]["gis"],
    )
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "visibility"


def test_a_request_known_only_by_its_address_stays_hidden_even_past_mapping(hotline, db_url):
    """An Open311 request naming only a neighbourhood lies at that neighbourhood's point: never a public
    place, even if its spot were past mapping without being placed (the workflow itself refuses that)."""
    posted = hotline.post(
        f"{V2}/requests.json",
        data={
            "api_key": API_KEY,
            "service_code": "poor_lighting",
            "address_string": "شهرک دریاچه، کنار پارک",
        },
    )
    assert posted.status_code == 201, posted.text
    [new] = posted.json()
    spot_id, precision = query_one(
        db_url,
        "UPDATE spot SET stage = 3 FROM report r WHERE r.id = %s AND spot.id = r.spot_id"
        " RETURNING spot.id, spot.location_precision",
        (int(new["service_request_id"]),),
    )
    assert precision == "address"
    listed = [r["service_request_id"] for r in hotline.get(f"{V2}/requests.json", params=EVER).json()]
    assert new["service_request_id"] not in listed
    assert hotline.get(f"{V2}/requests/{new['service_request_id']}.json").status_code == 404
    assert hotline.get(f"/api/spots/{spot_id}").status_code == 404
