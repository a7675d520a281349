"""Open311 GeoReport v2 as a 137-hotline client uses it: services, posting, reading back, errors per spec.

A request in stages 1–2 is the staff's: the tests read back what they post as the GIS office (the public's
view is tested in tests/reliability/test_public_leaks.py)."""

import json
from xml.etree import ElementTree

import psycopg2
import pytest

from gis.db import transaction
from gis.users import create_user, issue_token
from tests.api.channels import API_KEY, api_key_env, hotline, offset, point_in  # noqa: F401 (fixtures)

V2 = "/open311/v2"


@pytest.fixture
def place(db_url) -> tuple[float, float]:
    return point_in(db_url, "2209")


@pytest.fixture
def staff(db_url) -> dict[str, str]:
    """A GIS office bearer header: the office reads requests at every stage, with the reporter's words."""
    with transaction(db_url) as conn:
        user = create_user(
            conn, username="open311-office", password="long enough password", role="gis_office"
        )
        return {"Authorization": f"Bearer {issue_token(conn, user.id)[0]}"}


def _post(client, data: dict, fmt: str = "json"):
    return client.post(f"{V2}/requests.{fmt}", data=data)


def test_discovery_and_services_describe_the_endpoint(hotline):
    discovery = hotline.get(f"{V2}/discovery.json").json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2") and endpoint["specification"].endswith("GeoReport_v2")
    assert "application/json" in endpoint["formats"] and "text/xml" in endpoint["formats"]
    assert "service_request_id" in endpoint["tokens"]
    assert hotline.get("/open311/discovery.json").json() == discovery
    services = hotline.get(f"{V2}/services.json").json()
    assert len(services) == 10
    lighting = next(s for s in services if s["service_code"] == "poor_lighting")
    assert lighting == {
        "service_code": "poor_lighting",
        "service_name": "روشنایی نامناسب",
        "description": "Poor lighting",
        "metadata": False,
        "type": "realtime",
        "keywords": lighting["keywords"],
        "group": "روشنایی و دید",
    }
    assert "lighting" in lighting["keywords"]
    xml = ElementTree.fromstring(hotline.get(f"{V2}/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == 10
    assert xml.find("service/metadata").text == "false"
    definition = hotline.get(f"{V2}/services/vacant_lot.json").json()
    assert definition == {"service_code": "vacant_lot", "attributes": []}


@pytest.mark.dated
def test_a_posted_request_reads_back_with_its_status(hotline, place, db_url, staff):
    lon, lat = place
    posted = _post(
        hotline,
        {
            "api_key": API_KEY,
            "service_code": "isolated_stop",
            "lat": str(lat),
            "long": str(lon),
            "description": "ایستگاه اتوبوس شب‌ها خلوت و تاريك است",
            "media_url": "https://137.tehran.ir/media/1.jpg",
            "first_name": "زهرا",
            "last_name": "احمدی",
            "phone": "۰۹۱۲۱۲۳۴۵۶۷",
            "email": "zahra@example.org",
            "device_id": "device-42",
            "account_id": "acct-7",
        },
    )
    assert posted.status_code == 201, posted.text
    [created] = posted.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    assert created["account_id"] == "acct-7" and created["service_notice"]
    request_id = created["service_request_id"]
    [request] = hotline.get(f"{V2}/requests/{request_id}.json", headers=staff).json()
    assert request["service_request_id"] == request_id and request["status"] == "open"
    assert request["service_code"] == "isolated_stop" and request["service_name"].startswith("ایستگاه")
    assert request["description"] == "ایستگاه اتوبوس شب‌ها خلوت و تاریک است"
    assert "شناسایی" in request["status_notes"]
    assert request["agency_responsible"]
    assert request["media_url"] == "https://137.tehran.ir/media/1.jpg"
    assert abs(request["lat"] - lat) < 1e-6 and abs(request["long"] - lon) < 1e-6
    assert request["requested_datetime"].endswith("+03:30") and request["updated_datetime"]
    for secret in ("زهرا", "احمدی", "09121234567", "zahra@example.org", "device-42", "acct-7"):
        assert secret not in json.dumps(request, ensure_ascii=False)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.source, r.location_verified, c.name, c.phone, c.email, c.device_id, c.account_id"
            " FROM report r JOIN report_contact c ON c.report_id = r.id WHERE r.id = %s",
            (int(request_id),),
        )
        assert cur.fetchone() == (
            "hotline_137",
            True,
            "زهرا احمدی",
            "09121234567",
            "zahra@example.org",
            "device-42",
            "acct-7",
        )
    token = hotline.get(f"{V2}/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": request_id, "token": created["token"], "status": "open"}]
    by_token = hotline.get(f"{V2}/requests/{created['token']}.json", headers=staff).json()
    assert by_token[0]["service_request_id"] == request_id


@pytest.mark.dated
def test_the_status_follows_the_spot_and_its_agencies(hotline, place, db_url, staff):
    lon, lat = place
    [created] = _post(
        hotline, {"api_key": API_KEY, "service_code": "vacant_lot", "lat": lat, "long": lon}
    ).json()
    request_id = int(created["service_request_id"])
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT spot_id FROM report WHERE id = %s", (request_id,))
        spot_id = cur.fetchone()[0]
    [request] = hotline.get(f"{V2}/requests/{request_id}.json", headers=staff).json()
    assert request["agency_responsible"] == "شهرداری منطقهٔ ۲۲"
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on)"
            " SELECT %s, id, 'نصب روشنایی', '2026-12-01' FROM agency"
            " WHERE code IN ('urban_services', 'police')",
            (spot_id,),
        )
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, note, visibility)"
            " VALUES (%s, 'coordination_note', %s, %s)",
            (spot_id, "بازدید میدانی انجام شد", "public"),
        )
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, note) VALUES (%s, 'coordination_note', %s)",
            (spot_id, "یادداشت کارکنان"),
        )
    [request] = hotline.get(f"{V2}/requests/{request_id}.json", headers=staff).json()
    assert set(request["agency_responsible"].split("، ")) == {
        "معاونت خدمات شهری منطقه ۲۲",
        "پلیس پیشگیری (کلانتری محل)",
    }
    assert request["status_notes"].endswith(
        "بازدید میدانی انجام شد"
    )  # the latest public note, not the staff's
    assert request["expected_datetime"].startswith("2026-12-01")
    closed = hotline.get(
        f"{V2}/requests.json", params={"service_request_id": request_id, "status": "closed"}, headers=staff
    )
    assert closed.json()[0]["status"] == "open"  # ids override the other filters, as the spec says
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE spot SET status = 'resolved', updated_at = now() WHERE id = %s", (spot_id,))
    [request] = hotline.get(f"{V2}/requests/{request_id}.json", headers=staff).json()
    assert request["status"] == "closed" and request["expected_datetime"] is None
    assert request["status_notes"].startswith("رفع‌شده")
    found = hotline.get(
        f"{V2}/requests.json", params={"status": "closed", "service_code": "vacant_lot"}, headers=staff
    ).json()
    assert [r["service_request_id"] for r in found] == [str(request_id)]


@pytest.mark.dated
def test_requests_are_filtered_by_code_status_and_period(hotline, place, db_url, staff):
    lon, lat = place
    ids = [
        _post(hotline, {"api_key": API_KEY, "service_code": code, "lat": lat, "long": lon + i / 1000}).json()[
            0
        ]["service_request_id"]
        for i, code in enumerate(("poor_lighting", "park_corner"))
    ]
    both = hotline.get(
        f"{V2}/requests.json", params={"service_request_id": ",".join(ids)}, headers=staff
    ).json()
    assert sorted(r["service_request_id"] for r in both) == sorted(ids)
    recent = hotline.get(
        f"{V2}/requests.json", params={"service_code": "park_corner", "status": "open"}, headers=staff
    ).json()
    assert ids[1] in [r["service_request_id"] for r in recent] and ids[0] not in [
        r["service_request_id"] for r in recent
    ]
    before = hotline.get(
        f"{V2}/requests.json", params={"end_date": "2020-01-01T00:00:00Z"}, headers=staff
    ).json()
    assert before == []
    window = hotline.get(
        f"{V2}/requests.json",
        params={"start_date": "2025-01-01T00:00:00+03:30", "end_date": "2099-01-01T00:00:00+03:30"},
        headers=staff,
    ).json()
    assert set(ids) <= {r["service_request_id"] for r in window}
    assert 0 < len(window) <= 1000
    assert all(r["service_code"] for r in window)


def test_posting_needs_a_configured_api_key(hotline, place):
    lon, lat = place
    request = {"service_code": "vacant_lot", "lat": lat, "long": lon}
    missing = _post(hotline, request)
    assert missing.status_code == 403
    assert missing.json() == [{"code": 403, "description": "api_key: required to post a service request"}]
    wrong = _post(hotline, {**request, "api_key": "guess"})
    assert wrong.status_code == 403 and wrong.json()[0]["description"] == "api_key: unknown key"


def test_no_configured_keys_means_no_posts(client, db_url):
    lon, lat = point_in(db_url, "2209")
    refused = client.post(
        f"{V2}/requests.json",
        data={"api_key": API_KEY, "service_code": "vacant_lot", "lat": lat, "long": lon},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"service_code": "vacant_lot", "lat": "35.70", "long": "51.42"}, 400, "lat/long: "),
        ({"service_code": "vacant_lot", "lat": "51.22", "long": "35.74"}, 400, "swapped"),
        ({"service_code": "vacant_lot", "lat": "35.74"}, 400, "lat/long: give both"),
        ({"service_code": "vacant_lot", "lat": "north", "long": "51.2"}, 400, "lat/long: "),
        ({"service_code": "vacant_lot"}, 400, "lat/long: a location is required"),
        ({"service_code": "vacant_lot", "address_string": "خیابان آزادی، تهران"}, 400, "address_string"),
        ({"service_code": "graffiti", "lat": "35.74", "long": "51.22"}, 400, "service_code"),
        ({"lat": "35.74", "long": "51.22"}, 400, "service_code: required"),
        (
            {"service_code": "vacant_lot", "address_string": "دریاچه", "media_url": "ftp://x"},
            400,
            "media_url",
        ),
        ({"service_code": "vacant_lot", "address_string": "دریاچه", "email": "no-at"}, 400, "email"),
        (
            {"service_code": "vacant_lot", "address_string": "دریاچه", "jurisdiction_id": "nyc"},
            404,
            "jurisdiction_id",
        ),
    ],
)
def test_bad_requests_get_errors_in_georeport_form(hotline, data, status, words, db_url):
    response = _post(hotline, {"api_key": API_KEY, **data})
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE provenance ->> 'channel' = 'open311'")
        assert cur.fetchone()[0] == 0


def test_an_address_naming_a_neighbourhood_is_a_location_to_verify(hotline, db_url, staff):
    posted = _post(
        hotline,
        {
            "api_key": API_KEY,
            "service_code": "park_corner",
            "address_string": "محله دریاچه، ضلع شمالی بوستان",
        },
    )
    assert posted.status_code == 201
    [created] = posted.json()
    assert "تأیید" in created["service_notice"]
    [request] = hotline.get(f"{V2}/requests/{created['service_request_id']}.json", headers=staff).json()
    assert request["address"] == "محله دریاچه، ضلع شمالی بوستان"
    assert "در انتظار تأیید" in request["status_notes"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.location_verified, r.provenance ->> 'location_to_verify', a.code FROM report r"
            " JOIN area a ON a.id = r.area_id WHERE r.id = %s",
            (int(created["service_request_id"]),),
        )
        assert cur.fetchone() == (False, "true", "2209")


def test_xml_and_json_bodies_work_too(hotline, place, staff):
    lon, lat = place
    posted = hotline.post(
        f"{V2}/requests.xml",
        data={"api_key": API_KEY, "service_code": "dead_end_alley", "lat": lat, "long": lon},
    )
    assert posted.status_code == 201 and posted.headers["content-type"].startswith("text/xml")
    request_id = ElementTree.fromstring(posted.content).find("request/service_request_id").text
    read = ElementTree.fromstring(hotline.get(f"{V2}/requests/{request_id}.xml", headers=staff).content)
    assert read.tag == "service_requests" and read.find("request/status").text == "open"
    assert read.find("request/service_code").text == "dead_end_alley"
    as_json = hotline.post(
        f"{V2}/requests.json",
        json={"api_key": API_KEY, "service_code": "vacant_lot", "lat": lat, "long": lon + 0.001},
    )
    assert as_json.status_code == 201
    error = ElementTree.fromstring(hotline.get(f"{V2}/requests/999999999.xml").content)
    assert error.tag == "errors" and error.find("error/code").text == "404"


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests/999999999.json",
        "/open311/v2/nothing.json",
        "/open311/v2/services/graffiti.json",
        "/open311/v2/services.csv",
        "/open311/v2/tokens/not-a-token.json",
        "/open311/v2/requests.json?start_date=yesterday",
        "/open311/v2/requests.json?status=pending",
        "/open311/v2/requests.json?service_request_id=abc",
    ],
)
def test_every_error_under_open311_is_a_georeport_error_list(hotline, path):
    response = hotline.get(path)
    assert response.status_code in (400, 404)
    [error] = response.json()
    assert set(error) == {"code", "description"} and error["code"] == response.status_code
