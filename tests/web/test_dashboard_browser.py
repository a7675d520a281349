"""The dashboard in headless Chromium: the deputy signs in, reads the figures (equal to SQL counts)
and prints."""

import pytest
from argon2 import PasswordHasher

from gis import users
from gis.db import transaction
from gis.lang import latin_digits
from gis.users import create_user
from tests.conftest import query_all

pytestmark = [pytest.mark.browser, pytest.mark.dated]


@pytest.fixture
def deputy(db_url, monkeypatch):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        create_user(
            conn, username="deputy", password="long-enough-pw", role="deputy", full_name="معاون اجتماعی"
        )
    return db_url


def _sql(db_url: str, query: str) -> dict:
    return {str(key): value for key, value in query_all(db_url, query)}


def _number(text: str) -> int:
    return int(latin_digits(text.strip()))


def test_the_deputy_reads_the_dashboard_and_its_numbers_match_sql(page, live_url, deputy):
    page.goto(f"{live_url}/login?next=/dashboard")
    page.fill("#username", "deputy")
    page.fill("#password", "long-enough-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_url}/dashboard")
    assert page.get_attribute("html", "dir") == "rtl"
    cards = {key: page.text_content(f'#totals [data-key="{key}"]') for key in ("total", "stage_3", "overdue")}
    assert all(text.strip()[0] in "۰۱۲۳۴۵۶۷۸۹" for text in cards.values())
    by_stage = _sql(
        deputy, "SELECT stage, count(*) FROM spot WHERE status IN ('open', 'resolved') GROUP BY 1"
    )
    assert _number(cards["total"]) == sum(by_stage.values()) == 70
    assert _number(cards["stage_3"]) == by_stage["3"]
    overdue = _sql(
        deputy,
        "SELECT g.code, count(*) FROM spot_action x JOIN agency g ON g.id = x.agency_id"
        " WHERE x.status IN ('assigned', 'in_progress') AND x.due_on < current_date GROUP BY 1",
    )
    assert _number(cards["overdue"]) == sum(overdue.values()) > 0
    for code, count in overdue.items():
        assert _number(page.text_content(f'#overdue tr[data-agency="{code}"] [data-key="overdue"]')) == count
    resolved = _sql(
        deputy,
        "SELECT a.code, count(*) FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE s.status = 'resolved' GROUP BY 1",
    )
    for code, count in resolved.items():
        assert _number(page.text_content(f'#stages tr[data-area="{code}"] [data-key="resolved"]')) == count
    assert page.locator("#audits tbody tr").count() == sum(resolved.values())
    assert _number(page.text_content('#activities-held tr[data-kind="meeting"] [data-key="count"]')) == 4
    assert page.locator("svg.chart").count() == 5 and page.locator("svg.chart rect[data-value]").count() > 40
    assert "۱۳۹۹/۰۹/۰۱" in page.text_content("#phases")
    assert page.outside_requests() == [] and page.console_errors == []

    page.select_option("select[name=area]", "2209")
    page.fill("input[name=since]", "۱۴۰۵/۰۱/۰۱")
    page.click("form.filters button")
    page.wait_for_url("**/dashboard?area=2209*")
    assert page.locator("#stages tbody tr").count() == 1
    spots_2209 = _sql(
        deputy,
        "SELECT 1, count(*) FROM spot s JOIN area a ON a.id = s.area_id WHERE a.code = '2209'"
        " AND s.status IN ('open', 'resolved')"
        " AND s.created_at >= '2026-03-21'::timestamp AT TIME ZONE 'Asia/Tehran'",
    )
    assert _number(page.text_content('#totals [data-key="total"]')) == spots_2209["1"]

    page.emulate_media(media="print")
    assert page.is_hidden("form.filters") and page.is_visible("#stages svg")
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_the_english_dashboard_is_left_to_right_with_latin_digits(page, live_url, deputy):
    page.goto(f"{live_url}/login?next=/dashboard%3Flang%3Den")
    page.fill("#username", "deputy")
    page.fill("#password", "long-enough-pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.text_content('#totals [data-key="total"]').strip() == "70"
    assert "Stage funnel over time" in page.text_content("#funnel h2")
