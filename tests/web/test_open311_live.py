"""A plain urllib GeoReport client against a live server on 127.0.0.1: list services, post, follow its token,
read back as the GIS office (a request is the staff's until it is mapped)."""

import json
import urllib.error
import urllib.parse
import urllib.request

from gis.db import transaction
from gis.settings import get_settings
from gis.users import create_user, issue_token
from tests.api.channels import point_in

KEY = "live-137-key"


def _get(url: str, headers: dict[str, str] | None = None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=20) as response:
        return response.status, json.loads(response.read().decode("utf-8"))


def test_a_georeport_client_posts_and_reads_back(serve_app, db_url, monkeypatch):
    monkeypatch.setenv("SAFEMAP_OPEN311_API_KEYS", KEY)
    get_settings.cache_clear()
    try:
        base = serve_app(db_url)
    finally:
        get_settings.cache_clear()
    status, discovery = _get(f"{base}/open311/discovery.json")
    endpoint = discovery["endpoints"][0]["url"]
    assert status == 200 and endpoint == f"{base}/open311/v2"
    status, services = _get(f"{endpoint}/services.json")
    code = services[0]["service_code"]
    lon, lat = point_in(db_url, "2205")
    form = urllib.parse.urlencode(
        {
            "api_key": KEY,
            "service_code": code,
            "lat": lat,
            "long": lon,
            "description": "کوچه تاریک",
            "email": "citizen@example.org",
        }
    ).encode()
    with urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/requests.json", data=form), timeout=20
    ) as r:
        assert r.status == 201
        [created] = json.loads(r.read().decode("utf-8"))
    status, followed = _get(f"{endpoint}/tokens/{created['token']}.json")
    assert followed == [
        {"service_request_id": created["service_request_id"], "token": created["token"], "status": "open"}
    ]
    try:
        urllib.request.urlopen(f"{endpoint}/requests/{created['service_request_id']}.json", timeout=20)
        raise AssertionError("a request not yet mapped was shown to the public")
    except urllib.error.HTTPError as hidden:
        assert hidden.code == 404
    with transaction(db_url) as conn:
        office = create_user(conn, username="live-office", password="long enough password", role="gis_office")
        staff = {"Authorization": f"Bearer {issue_token(conn, office.id)[0]}"}
    status, [request] = _get(f"{endpoint}/requests/{created['service_request_id']}.json", staff)
    assert (
        request["service_code"] == code
        and request["status"] == "open"
        and request["description"] == "کوچه تاریک"
    )
    assert "citizen@example.org" not in json.dumps(request)
    query = urllib.parse.urlencode({"service_request_id": created["service_request_id"]})
    assert _get(f"{endpoint}/requests.json?{query}", staff)[1] == [request]
    bad = urllib.parse.urlencode({"api_key": "nope", "service_code": code, "lat": lat, "long": lon}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/requests.json", data=bad), timeout=20)
        raise AssertionError("a wrong api_key was accepted")
    except urllib.error.HTTPError as refused:
        assert refused.code == 403
        assert json.loads(refused.read().decode("utf-8")) == [
            {"code": 403, "description": "api_key: unknown key"}
        ]
