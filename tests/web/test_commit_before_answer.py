"""A 2xx means committed: a client that got its answer can at once use what it wrote, from another request.

Eight clients at once against the real server (uvicorn on 127.0.0.1), each 40 times a write followed at once
by a request that depends on it: a report then its photo, a focus-group session then its points, a sign-in
then the tablet page. When the answer went out before the commit, a few percent of these failed.
"""

import uuid

import httpx
import pytest

from gis.db import transaction
from gis.users import create_user, issue_token
from tests.api.test_reports_api import _png
from tests.conftest import at_once

CLIENTS = 8
ROUNDS = 40
PASSWORD = "s3cret-commit"


def _report_then_photo(http: httpx.Client, token: str, point: tuple[float, float]) -> str | None:
    lat, lon = point
    report = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}"}
    sent = http.post(
        "/api/reports",
        headers=headers,
        json={"uuid": report, "category": "poor_lighting", "lat": lat, "lon": lon, "description": "commit"},
    )
    if sent.status_code != 201:
        return f"report: {sent.status_code} {sent.text}"
    photo = http.post(
        f"/api/reports/{report}/photos",
        headers=headers,
        data={"uuid": str(uuid.uuid4())},
        files={"file": ("x.png", _png(), "image/png")},
    )
    return None if photo.status_code == 201 else f"photo: {photo.status_code} {photo.text}"


def _session_then_points(http: httpx.Client, token: str, point: tuple[float, float]) -> str | None:
    lat, lon = point
    headers = {"Authorization": f"Bearer {token}"}
    session = http.post(
        "/api/focus-groups",
        headers=headers,
        json={
            "uuid": str(uuid.uuid4()),
            "area": "2209",
            "held_on": "1399/09/20",
            "facilitator": "سارا",
            "participants": 9,
            "women": 7,
        },
    )
    if session.status_code != 201:
        return f"session: {session.status_code} {session.text}"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": "park_corner"},
    }
    points = http.post(
        f"/api/focus-groups/{session.json()['id']}/points",
        headers=headers,
        json={"type": "FeatureCollection", "features": [feature]},
    )
    return None if points.status_code == 201 else f"points: {points.status_code} {points.text}"


def _sign_in_then_page(http: httpx.Client, username: str) -> str | None:
    http.cookies.clear()
    signed = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    if signed.status_code != 200:
        return f"sign-in: {signed.status_code} {signed.text}"
    page = http.get("/field", follow_redirects=False)
    return None if page.status_code == 200 else f"page: {page.status_code} {page.headers.get('location')}"


@pytest.fixture
def facilitators(db_url) -> list[tuple[str, str]]:
    """One facilitator of 2209 per client: (username, bearer token)."""
    people = []
    with transaction(db_url) as conn:
        for n in range(CLIENTS):
            user = create_user(
                conn, username=f"tablet-{n}", password=PASSWORD, role="facilitator", areas=["2209"]
            )
            people.append((user.username, issue_token(conn, user.id)[0]))
    return people


def test_eight_clients_use_at_once_what_they_just_wrote(live_url, field, facilitators):
    failures: list[str] = []

    def client(n: int) -> None:
        username, token = facilitators[n]
        point = field["points"][n % len(field["points"])]
        with httpx.Client(base_url=live_url, timeout=60) as http:
            for round_ in range(ROUNDS):
                step = (n + round_) % 3
                if step == 0:
                    problem = _report_then_photo(http, token, point)
                elif step == 1:
                    problem = _session_then_points(http, token, point)
                else:
                    problem = _sign_in_then_page(http, username)
                if problem:
                    failures.append(problem)

    assert at_once(CLIENTS, client) == []
    assert failures == [], f"{len(failures)} of {CLIENTS * ROUNDS}: {failures[:5]}"
