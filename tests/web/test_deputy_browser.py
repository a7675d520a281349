"""The deputy and the agencies in Chromium: a routing rule made on /routing proposes its agency and due date
on a stage-3 spot's action form; an agency opens a new action from its inbox and marks it done with a note
and a photo; the deputy records a meeting on /programme whose decision's follow-up reaches an agency's work
list, where the agency marks it done with a note."""

import io
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from PIL import Image

from gis import clock, users
from gis.db import transaction
from gis.lang import latin_digits
from gis.users import create_user
from tests.conftest import query_one
from tests.web.conftest import assign_urban_services, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-pw"


@pytest.fixture
def people(db_url, monkeypatch):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        create_user(conn, username="deputy", password=PASSWORD, role="deputy")
        create_user(conn, username="services", password=PASSWORD, role="agency", agency="urban_services")
    return db_url


def test_a_routing_rule_proposes_its_agency_on_the_action_form(page, live_url, people):
    spot_id, category, area = query_one(
        people,
        "SELECT s.id, s.category, a.code FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE s.stage = 3 AND s.status = 'open' ORDER BY s.id LIMIT 1",
    )
    (agency,) = query_one(
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


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_an_agency_sees_a_new_action_in_its_inbox_and_marks_it_done_with_a_note_and_a_photo(
    page, live_url, people
):
    (spot_id,) = query_one(
        people, "SELECT id FROM spot WHERE stage = 3 AND status = 'open' ORDER BY id LIMIT 1"
    )
    due_on = clock.today() + timedelta(days=20)
    action_id = assign_urban_services(
        people, by="deputy", spot_id=spot_id, what="پاک‌سازی نخاله از گذر", due_on=due_on
    )
    sign_in(page, live_url, "services", PASSWORD, "/map")
    page.wait_for_selector("#inbox-count:not([hidden])")
    unread = int(latin_digits(page.text_content("#inbox-count")))
    page.click("#inbox-link")
    page.wait_for_url(f"{live_url}/inbox")
    row = f'#inbox tr[data-kind="assigned"][data-action="{action_id}"]'
    assert "پاک‌سازی نخاله از گذر" in page.text_content(row)
    assert "unread" in page.get_attribute(row, "class")
    page.click(f"{row} a")
    page.wait_for_url(f"{live_url}/work#action-{action_id}")
    here = f'#actions tbody tr[data-id="{action_id}"]'
    page.wait_for_selector(here)
    page.fill(f"{here} textarea", "نخاله برداشته شد")
    page.set_input_files(
        f"{here} input[type=file]", files=[{"name": "cleared.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.click(f'{here} button[data-next="done"]')
    page.wait_for_selector(f'{here}[data-status="done"]')
    status, outcome, photos = query_one(
        people,
        "SELECT x.status, x.outcome, (SELECT count(*) FROM action_photo p WHERE p.action_id = x.id)"
        " FROM spot_action x WHERE x.id = %s",
        (action_id,),
    )
    assert (status, outcome, photos) == ("done", "نخاله برداشته شد", 1)
    # Opened, the notification is read: the count on the bar is one less.
    page.goto(f"{live_url}/inbox")
    assert "unread" not in (page.get_attribute(row, "class") or "")
    left = query_one(
        people,
        "SELECT count(*) FROM notification n JOIN app_user u ON u.id = n.user_id"
        " WHERE u.username = 'services' AND n.read_at IS NULL",
    )[0]
    assert left == unread - 1
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_deputy_records_a_meeting_whose_follow_up_reaches_an_agencys_work_list(page, live_url, people):
    sign_in(page, live_url, "deputy", PASSWORD, "/programme")
    assert page.get_attribute('#topbar a[data-key="programme"]', "aria-current") == "page"
    form = "#new-meeting"
    page.fill(f"{form} input[name=title]", "جلسهٔ هشتم کارگروه")
    page.fill(f"{form} input[name=held_on]", "۱۴۰۳/۰۲/۱۰")
    page.fill(f"{form} input[name='attendees.urban_services']", "۲")
    page.fill(f"{form} input[name='attendees.police']", "1")
    page.fill(f"{form} textarea[name=decisions]", "پاک‌سازی زمین بایر پشت ایستگاه")
    line = f'{form} tr[data-line="0"]'
    page.fill(f"{line} input[name='follow_ups.0.decision']", "پاک‌سازی زمین بایر")
    page.fill(f"{line} input[name='follow_ups.0.what']", "برداشت نخاله و حصارکشی")
    page.select_option(f"{line} select[name='follow_ups.0.owner']", "urban_services")
    page.fill(f"{line} input[name='follow_ups.0.due_on']", "1403/03/01")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector('#activities .follow-up[data-owner="urban_services"]')
    assert "برداشت نخاله و حصارکشی" in page.text_content(
        '#activities .follow-up[data-owner="urban_services"]'
    )
    attendance, attendees = query_one(
        people, "SELECT attendance, attendees FROM programme_activity WHERE title = 'جلسهٔ هشتم کارگروه'"
    )
    assert attendance == 3 and attendees == {"urban_services": 2, "police": 1}

    page.click("#sign-out")
    page.wait_for_url(f"{live_url}/login")
    sign_in(page, live_url, "services", PASSWORD, "/work")
    page.wait_for_selector("#follow-ups tbody tr")
    assert "برداشت نخاله و حصارکشی" in page.text_content("#follow-ups")
    assert "پاک‌سازی زمین بایر" in page.text_content("#follow-ups")
    # The agency marks it done with a note: it leaves its open list and shows as done on /programme.
    page.fill("#follow-ups input[name=note]", "نخاله برداشته و حصار کشیده شد")
    page.click("#follow-ups form.follow-up-done button")
    page.wait_for_selector("#follow-ups", state="detached")
    outcome, done_at = query_one(
        people, "SELECT outcome, done_at FROM follow_up WHERE what = 'برداشت نخاله و حصارکشی'"
    )
    assert outcome == "نخاله برداشته و حصار کشیده شد" and done_at is not None
    assert page.console_errors == [] and page.outside_requests() == []
