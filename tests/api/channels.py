"""Helpers shared by the focus-group and Open311 tests: users with bearer tokens, an app with an API key."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gis.db import transaction
from gis.settings import get_settings
from gis.users import create_user, issue_token

API_KEY = "k137-test-key"


def make_people(db_url: str) -> dict[str, dict[str, str]]:
    """Bearer headers: a facilitator of 2201 and 2209, the GIS office, the deputy, an agency and a viewer."""
    people = {
        "sara": ("facilitator", ["2201", "2209"], None),
        "gis": ("gis_office", [], None),
        "deputy": ("deputy", [], None),
        "roads": ("agency", [], "traffic"),
        "guest": ("viewer", [], None),
    }
    headers = {}
    with transaction(db_url) as conn:
        for name, (role, areas, agency) in people.items():
            user = create_user(
                conn, username=name, password=f"s3cret-{name}", role=role, areas=areas, agency=agency
            )
            headers[name] = {"Authorization": f"Bearer {issue_token(conn, user.id)[0]}"}
    return headers


@pytest.fixture
def api_key_env(monkeypatch) -> Iterator[str]:
    """Settings with one Open311 API key configured (and a second one, to show the list is read)."""
    monkeypatch.setenv("SAFEMAP_OPEN311_API_KEYS", f"other-key, {API_KEY}")
    get_settings.cache_clear()
    yield API_KEY
    monkeypatch.delenv("SAFEMAP_OPEN311_API_KEYS")
    get_settings.cache_clear()


@pytest.fixture
def hotline(db_url, api_key_env) -> Iterator[TestClient]:
    """The API over the demo database, with the 137 hotline's API key configured."""
    from api.app import create_app

    with TestClient(create_app(db_url)) as client:
        yield client


def point_in(db_url: str, code: str, *, clear_m: float = 300) -> tuple[float, float]:
    """A point inside a neighbourhood with no spot within `clear_m` metres, so a test's spot is its own."""
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT ST_X(p.geom), ST_Y(p.geom)
            FROM area a, ST_Dump(ST_GeneratePoints(a.geom, 200, 7)) p
            WHERE a.code = %s AND NOT EXISTS (
                SELECT 1 FROM spot s WHERE ST_DWithin(s.geom::geography, p.geom::geography, %s))
            ORDER BY p.path LIMIT 1
            """,
            (code, clear_m),
        )
        return cur.fetchone()


def offset(point: tuple[float, float], metres_east: float) -> tuple[float, float]:
    """The point moved east by a few metres (at Tehran's latitude a degree of longitude is ~90.4 km)."""
    return point[0] + metres_east / 90_400, point[1]
