"""Sign-in as users do it: tokens, sessions with CSRF, roles and areas."""

import psycopg2
import pytest

from gis import access
from gis.db import transaction
from gis.errors import Forbidden, InvalidInput
from gis.users import create_user, get_user


@pytest.fixture
def people(db_url):
    with transaction(db_url) as conn:
        create_user(conn, username="gis", password="s3cret-gis", role="gis_office", full_name="دفتر GIS")
        create_user(conn, username="sara", password="s3cret-sara", role="facilitator", areas=["2201", "2209"])
        create_user(conn, username="roads", password="s3cret-roads", role="agency", agency="traffic")
    return db_url


def test_a_token_signs_api_requests_in(client, people):
    response = client.post("/api/auth/token", json={"username": "sara", "password": "s3cret-sara"})
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "facilitator" and len(me["area_ids"]) == 2
    # What the pages offer comes from the access table: a facilitator visits, never verifies.
    assert me["may"] == list(access.actions_for("facilitator")) and "spot.visit" in me["may"]
    assert "spot.verify" not in me["may"] and me["role_fa"] == "تسهیلگر" and me["role_en"] == "Facilitator"


@pytest.mark.parametrize(("username", "password"), [("sara", "wrong-password"), ("nobody", "s3cret-sara")])
def test_wrong_credentials_are_401_without_saying_which(client, people, username, password):
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "wrong user name or password"


def test_bad_or_missing_tokens_are_401(client, people):
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert (
        client.get("/api/auth/me", headers={"Authorization": "Basic abc"}).json()["error"]["field"]
        == "authorization"
    )


def test_a_session_cookie_needs_the_csrf_header_for_writes(client, people):
    login = client.post("/api/auth/login", json={"username": "gis", "password": "s3cret-gis"})
    assert login.status_code == 200
    assert "httponly" in login.headers["set-cookie"].lower()
    assert client.get("/api/auth/me").json()["username"] == "gis"
    refused = client.post("/api/auth/logout")
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "csrf"
    assert client.get("/api/auth/me").status_code == 200
    done = client.post("/api/auth/logout", headers={"X-CSRF-Token": client.cookies["safemap_csrf"]})
    assert done.status_code == 200
    client.cookies.clear()
    assert client.get("/api/auth/me").status_code == 401


def test_disabled_users_lose_their_tokens(client, people):
    token = client.post("/api/auth/token", json={"username": "roads", "password": "s3cret-roads"}).json()
    from gis.users import disable_user

    with transaction(people) as conn:
        disable_user(conn, "roads")
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"}).status_code
        == 401
    )


def test_passwords_are_stored_as_argon2_hashes(people):
    with psycopg2.connect(people) as conn, conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM app_user WHERE username = 'sara'")
        stored = cur.fetchone()[0]
    assert stored.startswith("$argon2") and "s3cret" not in stored


def test_roles_and_areas_bind_what_a_user_may_do(people, conn):
    sara = get_user(conn, "sara")
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM area WHERE code = '2201'")
        mine = cur.fetchone()[0]
        cur.execute("SELECT id FROM area WHERE code = '2205'")
        theirs = cur.fetchone()[0]
    assert sara.covers_area(mine) and not sara.covers_area(theirs)
    with pytest.raises(Forbidden):
        sara.require_area(theirs)
    with pytest.raises(Forbidden):
        sara.require("spot.remediate")
    assert get_user(conn, "gis").covers_area(theirs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "mayor"}, "role"),
        ({"role": "facilitator"}, "areas"),
        ({"role": "facilitator", "areas": ["9999"]}, "areas"),
        ({"role": "agency"}, "agency"),
        ({"role": "agency", "agency": "nasa"}, "agency"),
        ({"role": "viewer", "password": "short"}, "password"),
    ],
)
def test_bad_users_are_refused_naming_the_field(conn, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        create_user(conn, **{"username": "x1", "password": "long-enough", **kwargs})
    assert caught.value.field == field


def test_the_login_page_renders_in_persian_and_english(client):
    page = client.get("/login")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "ورود" in page.text
    assert 'dir="ltr"' in client.get("/login", params={"lang": "en"}).text
