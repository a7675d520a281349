"""Server refusals on Persian pages read in Persian (English with the English switch), in a real browser."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(page, viewer_headers):
    page.set_extra_http_headers(viewer_headers)
    return page


def _refuse_a_reversed_period(page, url: str) -> str:
    page.goto(url)
    page.wait_for_selector("#sm-status[data-mode='spots']", state="attached")
    page.wait_for_function("() => window.safemap && !window.safemap.busy()")
    page.fill("#sm-since", "۱۴۰۵/۰۳/۳۱")
    page.fill("#sm-until", "۱۴۰۵/۰۱/۰۱")
    page.press("#sm-until", "Enter")
    page.wait_for_selector("#sm-status.sm-error")
    return page.inner_text("#sm-status")


def test_the_maps_refusal_of_a_reversed_period_is_persian_or_english_with_the_switch(page, live_url):
    persian = _refuse_a_reversed_period(page, live_url + "/map")
    assert "پایان بازه پیش از آغاز آن است" in persian and "ends before" not in persian
    english = _refuse_a_reversed_period(page, live_url + "/map?lang=en")
    assert "the period ends before it starts" in english


def test_the_dashboard_with_until_before_since_is_a_persian_error_page(page, live_url):
    response = page.goto(live_url + "/dashboard?since=1405/03/31&until=1405/01/01")
    assert response.status == 400
    assert page.get_attribute("html", "dir") == "rtl"
    assert "پایان بازه پیش از آغاز آن است" in page.inner_text("#error-message")


def test_an_unknown_address_is_a_persian_not_found_page(page, live_url):
    response = page.goto(live_url + "/no-such-page")
    assert response.status == 404 and "صفحه پیدا نشد" in page.inner_text("h1")
