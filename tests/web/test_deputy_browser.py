"""The deputy and the agencies in Chromium: a routing rule made on /routing proposes its agency and due date
on a stage-3 spot's action form."""

from datetime import timedelta

import psycopg2
import pytest
from argon2 import PasswordHasher

from gis import clock, users
from gis.db import transaction
from gis.users import create_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-pw"


def _one(db_url: str, query: str, params: tuple = ()) -> tuple:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


@pytest.fixture
def people(db_url, monkeypatch):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        create_user(conn, username="deputy", password=PASSWORD, role="deputy")
        create_user(conn, username="services", password=PASSWORD, role="agency", agency="urban_services")
    return db_url


def test_a_routing_rule_proposes_its_agency_on_the_action_form(page, live_url, people):
    spot_id, category, area = _one(
        people,
        "SELECT s.id, s.category, a.code FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE s.stage = 3 AND s.status = 'open' ORDER BY s.id LIMIT 1",
    )
    (agency,) = _one(
        people,
        "SELECT code FROM agency g WHERE active AND NOT EXISTS (SELECT 1 FROM spot_action x"
        " WHERE x.spot_id = %s AND x.agency_id = g.id) ORDER BY code DESC LIMIT 1",
        (spot_id,),
    )
    sign_in(page, live_url, "deputy", PASSWORD, "/routing?lang=en")
    assert page.get_attribute('#topbar a[data-key="routing"]', "aria-current") == "page"
    page.select_option("#add-rule select[name=category]", category)
    page.select_option("#add-rule select[name=area]", area)
    page.select_option("#add-rule select[name=agency]", agency)
    page.fill("#add-rule input[name=due_days]", "9")
    page.fill("#add-rule input[name=what]", "Fix the lighting")
    page.click("#add-rule button[type=submit]")
    page.wait_for_selector(f'#rules tr[data-agency="{agency}"][data-category="{category}"]')

    page.goto(f"{live_url}/spots/{spot_id}?lang=en")
    page.click('details[data-move="action"] summary')
    page.wait_for_selector(f'#wf-proposals button[data-agency="{agency}"]')
    page.wait_for_function(
        "(agency) => document.querySelector('#wf-action-agency').value === agency", arg=agency
    )
    due = page.input_value('details[data-move="action"] input[name=due_on]')
    assert due == (clock.today() + timedelta(days=9)).isoformat()  # ISO on English pages
    assert page.input_value('details[data-move="action"] textarea[name=what]') == "Fix the lighting"
    assert page.console_errors == [] and page.outside_requests() == []
