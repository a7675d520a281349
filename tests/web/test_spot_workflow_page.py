"""The spot page's workflow panel (headless Chromium): staff move a spot through all four stages."""

from datetime import date

import pytest
from argon2 import PasswordHasher

from gis import clock, users
from gis.db import transaction
from gis.programme import workflow
from gis.users import create_user
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import query_one
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-pw"
SAVED = "ثبت شد"


@pytest.fixture
def staff(db_url, monkeypatch):
    """A GIS office user, the deputy and an urban services user, and a stage-1 demo spot."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        office = create_user(
            conn, username="office", password=PASSWORD, role="gis_office", full_name="دفتر GIS"
        )
        create_user(conn, username="deputy", password=PASSWORD, role="deputy", full_name="معاون اجتماعی")
        create_user(conn, username="services", password=PASSWORD, role="agency", agency="urban_services")
    spot_id = _one(db_url, "SELECT id FROM spot WHERE stage = 1 AND status = 'open' ORDER BY id LIMIT 1")
    return {"office": office, "spot": spot_id}


def _one(db_url: str, query: str, params: tuple = ()) -> object:
    return query_one(db_url, query, params)[0]


def _state(db_url: str, spot_id: int) -> tuple:
    return query_one(db_url, "SELECT stage, status, version FROM spot WHERE id = %s", (spot_id,))


def _sign_in(page, url: str, username: str, spot_id: int) -> None:
    sign_in(page, url, username, PASSWORD, f"/spots/{spot_id}")
    page.wait_for_selector("#wf-moves")


def _moves(page) -> list[str]:
    return page.eval_on_selector_all("#wf-moves [data-move]", "nodes => nodes.map((n) => n.dataset.move)")


def _open(page, move: str):
    form = page.locator(f'[data-move="{move}"]')
    form.locator("summary").click()
    return form


def _submit(page, form) -> None:
    title = form.locator("summary").inner_text()
    # The same move twice leaves the same message: wait for this submit's own answer first.
    with page.expect_response(lambda r: r.request.method != "GET" and "/api/" in r.url):
        form.locator("button[type=submit]").click()
    page.wait_for_function(
        "(text) => document.getElementById('wf-message')?.textContent === text", arg=f"{title}: {SAVED}"
    )


def _audit(form, scores: dict) -> None:
    """Tap each criterion's button (its label, in words); a criterion left out stays "not assessed"."""
    for key, score in scores.items():
        value = "" if score is None else str(score)
        form.locator(f'fieldset[data-field="audit.{key}"] label:has(input[value="{value}"])').click()


@pytest.mark.dated
def test_staff_walk_a_spot_through_the_four_stages_from_its_page(page, live_url, db_url, staff):
    spot = staff["spot"]
    _sign_in(page, live_url, "office", spot)
    assert page.get_attribute("html", "dir") == "rtl"
    assert _moves(page) == ["verify", "reject"]
    form = _open(page, "verify")
    form.locator("textarea[name=note]").fill("محل و نوع درست است")
    _submit(page, form)
    assert _state(db_url, spot)[:2] == (2, "open") and page.get_attribute("#stage", "data-stage") == "2"

    assert _moves(page) == ["reject", "remediation"]
    _submit(page, _open(page, "remediation"))
    assert _state(db_url, spot)[:2] == (3, "open") and page.get_attribute("#stage", "data-stage") == "3"

    assert _moves(page) == ["visit", "action", "note"]
    assert "evaluation" not in _moves(page) and page.locator("#wf-moves .hint").count() == 1
    form = _open(page, "visit")
    form.locator("textarea[name=findings]").fill("کوچه تاریک است و چراغ ندارد")
    _audit(form, dict.fromkeys(AUDIT_KEYS, 1))
    _submit(page, form)
    visit = query_one(
        db_url, "SELECT purpose, visited_on, audit->>'lighting' FROM site_visit WHERE spot_id = %s", (spot,)
    )
    assert visit == ("visit", clock.today(), "1")
    assert page.locator("#wf-visits tbody tr").count() == 1
    assert page.get_attribute("#wf-audits", "data-before") == "1"

    form = _open(page, "action")
    form.locator("select[name=agency]").select_option("urban_services")
    form.locator("textarea[name=what]").fill("نصب چراغ در طول کوچه")
    form.locator("input[name=due_on]").fill("۱۴۰۰/۰۱/۰۱")
    _submit(page, form)
    action_id, due_on = query_one(db_url, "SELECT id, due_on FROM spot_action WHERE spot_id = %s", (spot,))
    assert due_on == date(2021, 3, 21) and _state(db_url, spot)[:2] == (3, "open")
    row = page.locator(f'#wf-actions tr[data-action="{action_id}"]')
    assert "۱۴۰۰/۰۱/۰۱" in row.inner_text() and "معوق" in row.inner_text()  # due in Jalali, and overdue
    assert row.get_attribute("class") == "late"

    form = _open(page, "note")
    form.locator("textarea[name=note]").fill("هماهنگی با خدمات شهری برای برق")
    form.locator("input[name=agencies][value=urban_services]").check()
    _submit(page, form)
    assert (
        _one(
            db_url,
            "SELECT payload->'agencies'->>0 FROM spot_event WHERE spot_id = %s"
            " AND kind = 'coordination_note'",
            (spot,),
        )
        == "urban_services"
    )

    _sign_in(page, live_url, "services", spot)
    assert _moves(page) == ["note", f"action-{action_id}"]
    form = _open(page, f"action-{action_id}")
    form.locator("select[name=status]").select_option("done")
    form.locator("textarea[name=note]").fill("چهار چراغ نصب شد")
    _submit(page, form)
    outcome = query_one(db_url, "SELECT status, outcome FROM spot_action WHERE id = %s", (action_id,))
    assert outcome == ("done", "چهار چراغ نصب شد")
    assert page.get_attribute(f'#wf-actions tr[data-action="{action_id}"]', "data-status") == "done"

    _sign_in(page, live_url, "office", spot)
    form = _open(page, "evaluation")
    form.locator("textarea[name=findings]").fill("کوچه روشن و پررفت‌وآمد شده است")
    _audit(form, dict.fromkeys(AUDIT_KEYS, 3))
    _submit(page, form)
    assert _state(db_url, spot)[:2] == (4, "open") and page.get_attribute("#stage", "data-stage") == "4"
    assert _one(db_url, "SELECT safety_audit_mean(spot_audit_after(%s))", (spot,)) == 3
    assert _moves(page) == []

    _sign_in(page, live_url, "deputy", spot)
    assert _moves(page) == ["close", "reopen"]
    form = _open(page, "close")
    form.locator("textarea[name=reason]").fill("ممیزی دوباره بهبود روشنی نشان می‌دهد")
    _submit(page, form)
    assert _state(db_url, spot)[:2] == (4, "resolved")
    assert page.get_attribute("#status", "data-status") == "resolved"
    assert _moves(page) == ["reopen"]
    kinds = _one(
        db_url,
        "SELECT array_agg(kind ORDER BY at, id) FROM spot_event WHERE spot_id = %s"
        " AND kind NOT IN ('created', 'report_attached')",
        (spot,),
    )
    assert kinds == [
        "verified",
        "remediation_started",
        "site_visit",
        "action_assigned",
        "coordination_note",
        "action_updated",
        "evaluated",
        "resolved",
    ]
    assert page.locator("#history tbody tr").count() >= len(kinds)
    assert page.console_errors == [] and page.outside_requests() == []


def test_a_stale_page_shows_the_conflict_and_changes_nothing(page, live_url, db_url, staff):
    spot = staff["spot"]
    public = _one(
        db_url, "SELECT min(id) FROM spot WHERE stage >= 3 AND status = 'open'"
    )  # on the public map
    page.goto(f"{live_url}/spots/{public}?lang=en")
    link = page.locator("#wf-sign-in")
    assert link.get_attribute("href") == f"/login?lang=en&next=%2Fspots%2F{public}%3Flang%3Den"
    assert page.locator("#wf-moves").count() == 0
    link.click()
    page.fill("#username", "office")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_url}/spots/{public}?lang=en")
    page.goto(f"{live_url}/spots/{spot}?lang=en")
    page.wait_for_selector("#wf-moves")
    assert page.get_attribute("html", "dir") == "ltr" and page.inner_text("#wf-heading") == "Workflow"
    form = _open(page, "verify")

    with transaction(db_url) as conn:  # someone else verifies the spot behind the page's back
        version = _state(db_url, spot)[2]
        workflow.verify(conn, user=staff["office"], spot_id=spot, version=version)
    before = _state(db_url, spot)
    events = _one(db_url, "SELECT count(*) FROM spot_event WHERE spot_id = %s", (spot,))

    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.getElementById('wf-message')?.textContent.includes('Someone else changed this spot')"
    )
    assert _state(db_url, spot) == before == (2, "open", version + 1)
    assert _one(db_url, "SELECT count(*) FROM spot_event WHERE spot_id = %s", (spot,)) == events
    assert _moves(page) == ["reject", "remediation"] and page.get_attribute("#stage", "data-stage") == "2"
    assert page.get_attribute("#wf-moves", "data-version") == str(version + 1)

    form = _open(page, "reject")  # a refused write names the field it is about, next to that field
    form.locator("button[type=submit]").click()
    assert "is required" in page.inner_text("#reject-note-error")
    assert page.get_attribute("#wf-reject-note", "aria-invalid") == "true" and _state(db_url, spot) == before
    assert [e for e in page.console_errors if "409" not in e and "400" not in e] == []
    assert page.outside_requests() == []


def test_a_note_reaches_the_public_history_only_when_marked_public(page, live_url, db_url, staff):
    spot = _one(db_url, "SELECT id FROM spot WHERE stage = 3 AND status = 'open' ORDER BY id LIMIT 1")
    inside, public = "با مالک زمین تماس گرفته شد", "نصب چراغ‌ها تا پایان ماه"
    _sign_in(page, live_url, "office", spot)
    for text, audience in ((inside, None), (public, "public")):
        form = _open(page, "note")
        assert form.locator("select[name=visibility]").input_value() == "staff"
        form.locator("textarea[name=note]").fill(text)
        if audience:
            form.locator("select[name=visibility]").select_option(audience)
        _submit(page, form)
    written = _one(
        db_url,
        "SELECT array_agg(visibility ORDER BY id) FROM spot_event WHERE spot_id = %s AND note = ANY(%s)",
        (spot, [inside, public]),
    )
    assert written == ["staff", "public"]
    page.goto(f"{live_url}/spots/{spot}")
    history = page.locator("#history")
    assert inside in history.inner_text() and public in history.inner_text()
    assert history.locator(".public-note").count() == 1

    page.context.clear_cookies()
    page.goto(f"{live_url}/spots/{spot}")
    page.wait_for_selector("#wf-sign-in")
    seen = page.inner_text("#history")
    assert public in seen and inside not in seen and page.locator(".public-note").count() == 0
    assert page.outside_requests() == []


def test_the_deputy_is_offered_the_site_visit_the_access_table_allows(page, live_url, db_url, staff):
    """The page offers what the server allows: the deputy may record a site visit at stage 3 (the access
    table's spot.visit), which the page used to hide from them."""
    spot = staff["spot"]
    with transaction(db_url) as conn:
        version = workflow.verify(conn, user=staff["office"], spot_id=spot, version=_state(db_url, spot)[2])
        version = workflow.start_remediation(conn, user=staff["office"], spot_id=spot, version=version)
    _sign_in(page, live_url, "deputy", spot)
    assert _moves(page) == ["visit", "action", "note"]
    assert page.locator("#wf-moves .hint").count() == 1  # the evaluation waits for the actions
    assert page.console_errors == [] and page.outside_requests() == []
