"""Web hardening: sign-in never redirects off the site, a signed-in reader's tiles stay private, every answer
carries the security headers, /docs needs no CDN, links use the configured public URL, and request bodies
are bounded per route."""

import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from gis.settings import get_settings

EVIL = (
    "/%5Cevil.example/phish",
    "/%09/evil.example/phish",
    "//evil.example/phish",
    "https://evil.example/phish",
    "/%5C%5Cevil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "javascript:alert(1)",
)


def _target(page: str) -> str:
    """Where the login page sends the browser after a successful sign-in."""
    found = re.search(r"window\.location\.assign\((\"(?:[^\"\\]|\\.)*\")\)", page)
    assert found, page
    return json.loads(found.group(1))


@pytest.mark.parametrize("raw", EVIL)
def test_sign_in_never_sends_the_browser_off_the_site(client, raw):
    page = client.get("/login?next=" + raw)
    assert page.status_code == 200
    assert _target(page.text) == "/"


def test_sign_in_still_returns_to_a_page_of_the_site(client):
    page = client.get("/login", params={"next": "/field?lang=en"})
    assert _target(page.text) == "/field?lang=en"


STAFF_PAGES = (
    "/dashboard",
    "/work",
    "/imports",
    "/imports/new",
    "/imports/1",
    "/inbox",
    "/programme",
    "/programme/focus-groups/new",
    "/routing",
    "/calls",
)


def test_every_staff_page_sends_nobody_signed_in_to_sign_in_and_back(client):
    for page in STAFF_PAGES:
        answer = client.get(page, params={"lang": "en"}, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"] == f"/login?next={quote(page + '?lang=en', safe='')}&lang=en", page


def test_tiles_for_a_signed_in_reader_are_private(client, viewer_headers):
    anonymous = client.get("/tiles/0/0/0.pbf")
    assert anonymous.status_code == 200
    assert anonymous.headers["cache-control"].startswith("public")
    signed = client.get("/tiles/0/0/0.pbf", headers=viewer_headers)
    assert signed.status_code == 200
    assert signed.headers["cache-control"].startswith("private")
    for answer in (anonymous, signed):
        vary = {v.strip().lower() for v in answer.headers.get("vary", "").split(",")}
        assert {"authorization", "cookie"} <= vary


def test_tiles_read_with_a_session_cookie_are_private(client, viewer_headers):
    from gis.db import transaction
    from gis.users import create_user

    with transaction(client.app.state.database.url) as conn:
        create_user(conn, username="tile-reader", password="long enough password", role="viewer")
    assert client.post(
        "/api/auth/login", json={"username": "tile-reader", "password": "long enough password"}
    ).is_success
    tile = client.get("/ogc/collections/spots/tiles/WebMercatorQuad/0/0/0")
    assert tile.status_code == 200
    assert tile.headers["cache-control"].startswith("private")


@pytest.mark.parametrize(
    "path",
    ["/map", "/login", "/api/spots", "/health", "/docs", "/nowhere", "/static/vendor/leaflet/leaflet.js"],
)
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path, headers={"accept": "text/html"})
    assert answer.status_code < 500, answer.text[:300]
    headers = answer.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy


def test_the_api_docs_load_nothing_from_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in page.text
    for asset in re.findall(r"(?:src|href)=['\"](/static/[^'\"]+)", page.text):
        assert client.get(asset).status_code == 200, asset
    assert "/static/" in page.text


def test_links_use_the_configured_public_url_not_the_host_header(db_url, monkeypatch):
    from api.app import create_app

    monkeypatch.setenv("SAFEMAP_PUBLIC_URL", "https://safemap.example.ir/gis")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db_url)) as client:
            landing = client.get("/ogc", headers={"host": "evil.example"})
            discovery = client.get("/open311/discovery.json", headers={"host": "evil.example"})
            upload = client.post(
                "/api/imports/reports", files={"file": ("big.csv", b"a" * (3 * 1024 * 1024), "text/csv")}
            )
    finally:
        get_settings.cache_clear()
    for answer in (landing, discovery):
        assert answer.status_code == 200
        assert "evil.example" not in answer.text
    assert "https://safemap.example.ir/gis/ogc" in landing.text
    assert upload.status_code == 401  # an upload route keeps its own limit under the public URL's path


def test_a_huge_body_to_open311_is_refused_before_it_is_read(client):
    body = b'{"service_code": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    answer = client.post(
        "/open311/v2/requests.json", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["field"] == "body"
    assert "MB" in error["message"]
    persian = client.post(
        "/open311/v2/requests.json?lang=fa", content=body, headers={"content-type": "application/json"}
    )
    assert "مگابایت" in persian.json()["error"]["message"]


def test_a_streamed_body_past_the_limit_is_cut_off(client):
    def chunks():
        for _ in range(8):
            yield b"x" * (1024 * 1024)

    answer = client.post(
        "/open311/v2/requests.json", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_an_upload_route_takes_a_file_past_the_json_limit(client, viewer_headers):
    """Past the 2 MB JSON limit, an import route still reads the file (a viewer is then refused by role)."""
    answer = client.post(
        "/api/imports/reports",
        files={"file": ("big.csv", b"a" * (3 * 1024 * 1024), "text/csv")},
        headers=viewer_headers,
    )
    assert answer.status_code == 403


def test_a_configured_base_map_may_load_its_tiles_under_the_policy(db_url, monkeypatch):
    from api.app import create_app

    monkeypatch.setenv("SAFEMAP_BASEMAP_URL", "https://{s}.tiles.example.ir/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db_url)) as client:
            policy = client.get("/map").headers["content-security-policy"]
    finally:
        get_settings.cache_clear()
    images = next(part for part in policy.split("; ") if part.startswith("img-src"))
    assert "https://*.tiles.example.ir" in images.split()
