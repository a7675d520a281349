"""The pages under the Content-Security-Policy in headless Chromium: the API docs render Swagger UI from the
tool's own files, and the login page reports no CSP violation."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_from_local_files_under_the_policy(page, live_url):
    page.goto(live_url + "/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock-tag-section").first.wait_for()
    assert "Safemap" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_login_page_runs_under_the_policy(page, live_url):
    page.goto(live_url + "/login?next=/%5Cevil.example/phish")
    page.locator("#login").wait_for()
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_login_page_says_how_long_to_wait_after_too_many_guesses(page, live_url, db_url):
    from gis.db import transaction
    from gis.users import create_user

    with transaction(db_url) as conn:
        create_user(conn, username="guessed", password="long enough password", role="viewer")
    page.goto(live_url + "/login")
    for n in range(7):
        page.fill("#username", "guessed")
        page.fill("#password", f"guess {n}")
        with page.expect_response(lambda answer: "/api/auth/login" in answer.url):
            page.click("button[type=submit]")
    page.fill("#password", "long enough password")
    page.click("button[type=submit]")
    page.locator("#error", has_text="ثانیه").wait_for()
    assert page.url.startswith(live_url + "/login")
