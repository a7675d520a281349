"""SQL injection attempts in every filter and sort parameter of the read endpoints are harmless.

Each attempt must get a 4xx in the error shape, or a 200 that selects nothing more than the same request
without that parameter; no 5xx ever; afterwards every table is intact and holds what it held before.
"""

import json
from urllib.parse import quote

import pytest

from gis.users import create_user, issue_token

ATTEMPTS = (
    "1;DROP TABLE spot",
    "' OR 1=1--",
    "1) OR (1=1",
    "2201'; DELETE FROM report; --",
    "1 UNION SELECT password_hash FROM app_user",
    "'); DROP TABLE area; --",
    "%27%20OR%20%271%27%3D%271",
    "1e309,1e309,1e309,1e309",
    "nan,nan,nan,nan",
    "-1",
    "99999999999999999999999",
    "\x00",
    "²",
    "۱' OR '۱'='۱",
    "id; SELECT pg_sleep(5)",
    "../../etc/passwd",
)
# Parameters read by the handlers themselves (OGC items) are not declared in the app's OpenAPI document.
OGC_ITEM_PARAMETERS = ("stage", "category", "area", "bbox", "datetime", "limit", "offset", "sortby", "f")
TABLES = ("spot", "report", "area", "app_user", "spot_event", "report_contact", "api_token")


def _features(response) -> set:
    """The ids a GeoJSON (or Open311 list) response selects."""
    body = response.json()
    if isinstance(body, list):
        return {json.dumps(item.get("service_request_id") or item.get("service_code")) for item in body}
    return {json.dumps(f.get("id")) for f in body.get("features", [])}


def _snapshot(conn) -> dict:
    with conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    conn.rollback()
    return counts


def _targets(client) -> list[tuple[str, tuple[str, ...]]]:
    """Every GET list endpoint with filters: /api/spots, OGC items, and whatever /open311 GETs exist."""
    spec = client.get("/openapi.json").json()
    targets = [
        ("/ogc/collections/spots/items", OGC_ITEM_PARAMETERS),
        ("/ogc/collections/reports/items", OGC_ITEM_PARAMETERS),
    ]
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or not (path == "/api/spots" or path.startswith("/open311")):
            continue
        names = tuple(p["name"] for p in get.get("parameters", []) if p["in"] == "query")
        targets.append((path, names + ("sortby",)))
    return targets


def _check(client, path: str, params: dict, baseline: set, headers: dict) -> None:
    response = client.get(path, params=params, headers=headers)
    where = f"GET {path} {params!r}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if 400 <= response.status_code < 500:
        if not path.startswith("/open311"):
            error = response.json()["error"]
            assert {"code", "message", "field"} <= set(error), where
        return
    assert response.status_code == 200, where
    selected = _features(response)
    assert selected <= baseline, f"{where}: selected {len(selected - baseline)} more features than without it"


@pytest.fixture
def token(conn) -> str:
    user = create_user(conn, username="inj-staff", password="long enough password", role="gis_office")
    value, _ = issue_token(conn, user.id)
    conn.commit()
    return value


def test_injection_in_every_filter_is_harmless(client, conn, token):
    before = _snapshot(conn)
    headers = {"Authorization": f"Bearer {token}"}
    targets = _targets(client)
    assert any(path == "/api/spots" for path, _ in targets)
    tried = 0
    for path, names in targets:
        baseline_response = client.get(
            path, params={"limit": "10000"} if "limit" in names else {}, headers=headers
        )
        assert baseline_response.status_code == 200, path
        baseline = _features(baseline_response)
        for name in names:
            for attempt in ATTEMPTS:
                _check(client, path, {name: attempt}, baseline, headers)
                tried += 1
    after = _snapshot(conn)
    assert after == before
    assert tried > 300


def test_injection_in_feature_ids_is_a_4xx(client, conn):
    before = _snapshot(conn)
    for attempt in ATTEMPTS:
        quoted = quote(attempt, safe="")
        for path in (f"/ogc/collections/spots/items/{quoted}", f"/api/spots/{quoted}"):
            response = client.get(path)
            assert 400 <= response.status_code < 500, f"GET {path}: {response.status_code}"
            assert {"code", "message", "field"} <= set(response.json()["error"]), path
    assert _snapshot(conn) == before
