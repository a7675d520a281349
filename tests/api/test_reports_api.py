"""POST /api/reports and photos as the tablet uses them: roles, neighbourhoods, idempotent replays."""

import io
import struct
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gis.db import transaction
from gis.users import create_user
from gis.vocabulary import AUDIT_KEYS


def _png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def places(db_url) -> dict:
    """Users (facilitator of 2201 and 2209, GIS office, deputy, agency) and a point in each neighbourhood."""
    with transaction(db_url) as conn:
        create_user(conn, username="gis", password="s3cret-gis", role="gis_office")
        create_user(conn, username="deputy", password="s3cret-deputy", role="deputy")
        create_user(conn, username="sara", password="s3cret-sara", role="facilitator", areas=["2201", "2209"])
        create_user(conn, username="roads", password="s3cret-roads", role="agency", agency="traffic")
        with conn.cursor() as cur:
            cur.execute(
                "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) AS p FROM area"
                " WHERE level = 'neighbourhood') q"
            )
            return {code: (lon, lat) for code, lon, lat in cur.fetchall()}


def _token(client: TestClient, username: str) -> dict:
    token = client.post("/api/auth/token", json={"username": username, "password": f"s3cret-{username}"})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _body(place: tuple[float, float], **extra) -> dict:
    lon, lat = place
    return {
        "uuid": str(uuid.uuid4()),
        "category": "vacant_lot",
        "lat": lat,
        "lon": lon,
        "description": "زمين خالي بدون نور",
        "time_of_day": "night",
        "audit": {"lighting": 0, "feeling": 1},
        "reported_at": "2026-11-20T19:30:00+03:30",
        **extra,
    }


def _count(db_url: str, report_uuid: str) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE uuid = %s", (report_uuid,))
        return cur.fetchone()[0]


def test_a_facilitator_reports_in_her_neighbourhood_and_a_replay_is_the_same_report(client, places, db_url):
    sara = _token(client, "sara")
    body = _body(places["2209"])
    first = client.post("/api/reports", json=body, headers=sara)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["created"] is True and created["uuid"] == body["uuid"] and created["spot_id"]
    again = client.post("/api/reports", json=body, headers=sara)
    assert again.status_code == 200
    assert {k: again.json()[k] for k in ("id", "spot_id")} == {k: created[k] for k in ("id", "spot_id")}
    assert again.json()["created"] is False
    assert _count(db_url, body["uuid"]) == 1
    stored = client.get(f"/api/reports/{created['id']}", headers=_token(client, "gis")).json()
    assert stored["source"] == "field" and stored["created_by"] == "sara" and stored["area_code"] == "2209"
    assert stored["description"] == "زمین خالی بدون نور"  # Arabic ي normalised to Persian ی
    # Stored as the one audit model: all nine criteria, the unscored ones "not assessed" (null), 0 kept.
    assert stored["audit"] == dict.fromkeys(AUDIT_KEYS) | {"lighting": 0, "feeling": 1}
    assert stored["time_of_day"] == "night"
    assert stored["reported_at"].startswith("2026-11-20T16:00:00")


def test_the_same_uuid_sent_five_times_at_once_makes_one_report(client, places, db_url):
    sara = _token(client, "sara")
    body = _body(places["2201"])
    # Hold inserts into `report` back until all five requests wait at the same point, so they truly race.
    gate = psycopg2.connect(db_url)
    with gate.cursor() as cur:
        cur.execute("LOCK TABLE report IN SHARE MODE")
    with ThreadPoolExecutor(max_workers=5) as pool:
        sent = [pool.submit(client.post, "/api/reports", json=body, headers=sara) for _ in range(5)]
        try:
            _wait_for_lock_waits(db_url, 5)
        finally:
            gate.close()
        responses = [future.result() for future in sent]
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({(r.json()["id"], r.json()["spot_id"]) for r in responses}) == 1
    assert _count(db_url, body["uuid"]) == 1


def _wait_for_lock_waits(db_url: str, count: int) -> None:
    conn = psycopg2.connect(db_url)
    conn.autocommit = True  # pg_stat_activity is a snapshot per transaction
    try:
        with conn.cursor() as cur:
            for _ in range(300):
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                waiting = cur.fetchone()[0]
                if waiting >= count:
                    return
                time.sleep(0.05)
    finally:
        conn.close()
    raise AssertionError(f"{count} requests never waited together ({waiting} did)")


def test_outside_her_neighbourhoods_a_facilitator_gets_403_and_nothing_is_written(client, places, db_url):
    body = _body(places["2205"])
    refused = client.post("/api/reports", json=body, headers=_token(client, "sara"))
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "area"
    assert _count(db_url, body["uuid"]) == 0
    assert client.post("/api/reports", json=body, headers=_token(client, "gis")).status_code == 201


@pytest.mark.parametrize(("username", "status"), [("roads", 403), ("deputy", 403), (None, 401)])
def test_only_facilitators_and_the_gis_office_submit(client, places, username, status):
    headers = _token(client, username) if username else {}
    assert client.post("/api/reports", json=_body(places["2201"]), headers=headers).status_code == status


def test_a_session_post_needs_the_csrf_header(client, places, db_url):
    client.post("/api/auth/login", json={"username": "sara", "password": "s3cret-sara"})
    body = _body(places["2201"])
    assert client.post("/api/reports", json=body).json()["error"]["field"] == "csrf"
    sent = client.post("/api/reports", json=body, headers={"X-CSRF-Token": client.cookies["safemap_csrf"]})
    assert sent.status_code == 201 and _count(db_url, body["uuid"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"category": "haunted_house"}, "category"),
        ({"audit": {"lighting": 4}}, "audit.lighting"),
        ({"audit": {"smell": 1}}, "audit.smell"),
        ({"lat": None, "lon": None}, "location"),
        ({"lat": 10.0, "lon": 10.0}, "location"),
        ({"source": "hotline_137"}, "source"),
    ],
)
def test_bad_reports_name_the_field(client, places, change, field):
    response = client.post(
        "/api/reports", json=_body(places["2201"], **change), headers=_token(client, "sara")
    )
    assert response.status_code in (400, 403, 422)
    assert response.json()["error"]["field"] == field


def test_contact_data_is_shown_to_staff_only(client, places, db_url):
    created = client.post("/api/reports", json=_body(places["2201"]), headers=_token(client, "gis")).json()
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report_contact (report_id, name, phone) VALUES (%s, 'مریم', '09120000000')",
            (created["id"],),
        )
    assert (
        client.get(f"/api/reports/{created['id']}", headers=_token(client, "deputy")).json()["contact"][
            "phone"
        ]
        == "09120000000"
    )
    seen = client.get(f"/api/reports/{created['id']}", headers=_token(client, "sara"))
    assert seen.status_code == 200 and "contact" not in seen.json() and "09120000000" not in seen.text
    assert client.get(f"/api/reports/{created['id']}", headers=_token(client, "roads")).status_code == 403
    assert client.get("/api/reports/999999", headers=_token(client, "gis")).status_code == 404


def test_a_facilitator_cannot_read_reports_of_other_neighbourhoods(client, places):
    created = client.post("/api/reports", json=_body(places["2205"]), headers=_token(client, "gis")).json()
    assert client.get(f"/api/reports/{created['id']}", headers=_token(client, "sara")).status_code == 404


def test_photos_are_stored_once_per_uuid_and_read_back(client, places, db_url):
    sara = _token(client, "sara")
    report = _body(places["2201"])
    client.post("/api/reports", json=report, headers=sara)
    photo_uuid, png = str(uuid.uuid4()), _png()
    url = f"/api/reports/{report['uuid']}/photos"
    for expected in (201, 200):
        sent = client.post(
            url,
            data={"uuid": photo_uuid},
            files={"file": ("a.png", io.BytesIO(png), "image/png")},
            headers=sara,
        )
        assert sent.status_code == expected, sent.text
    got = client.get(sent.json()["href"], headers=_token(client, "gis"))
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    # Stored re-encoded from its pixels (see tests/reliability/test_uploads_and_photos.py): the same red 2×2.
    assert list(Image.open(io.BytesIO(got.content)).getdata()) == [(255, 0, 0)] * 4
    listed = client.get(f"/api/reports/{sent.json()['report_id']}", headers=sara).json()["photos"]
    assert [p["uuid"] for p in listed] == [photo_uuid] and listed[0]["bytes"] == len(got.content)
    assert client.get(got.request.url.path, headers=_token(client, "roads")).status_code == 403


def test_bad_photos_are_refused_with_a_reason(client, places):
    sara = _token(client, "sara")
    report = _body(places["2201"])
    client.post("/api/reports", json=report, headers=sara)
    url = f"/api/reports/{report['uuid']}/photos"

    def send(data: bytes, target: str = url) -> dict:
        response = client.post(
            target,
            data={"uuid": str(uuid.uuid4())},
            headers=sara,
            files={"file": ("x.jpg", io.BytesIO(data), "image/jpeg")},
        )
        return {"status": response.status_code, **response.json()["error"]}

    assert send(b"<html>not an image</html>")["message"] == "file: not a JPEG, PNG or WebP image"
    too_big = send(b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024))
    assert too_big["status"] == 400 and "2 MB" in too_big["message"]
    assert send(_png(), f"/api/reports/{uuid.uuid4()}/photos")["status"] == 404


def test_a_photo_for_a_report_elsewhere_is_refused_before_the_file_is_looked_at(client, places, db_url):
    report = _body(places["2201"])
    client.post("/api/reports", json=report, headers=_token(client, "sara"))
    with transaction(db_url) as conn:
        create_user(conn, username="nima", password="s3cret-nima", role="facilitator", areas=["2205"])
    for data in (b"<html>not an image</html>", _png()):
        refused = client.post(
            f"/api/reports/{report['uuid']}/photos",
            data={"uuid": str(uuid.uuid4())},
            files={"file": ("x.png", io.BytesIO(data), "image/png")},
            headers=_token(client, "nima"),
        )
        assert refused.status_code == 404 and refused.json()["error"]["field"] == "report"


def test_a_photo_uuid_cannot_move_to_another_report(client, places):
    gis = _token(client, "gis")
    first, second = _body(places["2201"]), _body(places["2202"])
    for body in (first, second):
        client.post("/api/reports", json=body, headers=gis)
    photo = {"uuid": str(uuid.uuid4())}
    files = {"file": ("a.png", _png(), "image/png")}
    assert (
        client.post(f"/api/reports/{first['uuid']}/photos", data=photo, files=files, headers=gis).status_code
        == 201
    )
    moved = client.post(f"/api/reports/{second['uuid']}/photos", data=photo, files=files, headers=gis)
    assert moved.status_code == 409 and moved.json()["error"]["field"] == "uuid"
