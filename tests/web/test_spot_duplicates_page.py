"""The spot page's reports and possible duplicates (headless Chromium): the GIS office merges, unmerges,
splits."""

import pytest
from argon2 import PasswordHasher

from gis import users
from gis.db import transaction
from gis.programme import workflow
from gis.users import create_user
from tests.aggregation.conftest import place_two_spots
from tests.conftest import query_one
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-pw"


@pytest.fixture
def spots(db_url, monkeypatch) -> dict:
    """Spot A (mayor and hotline reports) and spot B (a focus group's) 100 m apart, and three staff users."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        office = create_user(
            conn, username="office", password=PASSWORD, role="gis_office", full_name="دفتر GIS"
        )
        create_user(conn, username="deputy", password=PASSWORD, role="deputy")
        create_user(conn, username="viewer", password=PASSWORD, role="viewer")
    placed = place_two_spots(db_url)
    return {
        "office": office,
        "a": placed["a"],
        "b": placed["b"],
        "a_reports": sorted([placed["a1"], placed["a2"]]),
        "b_reports": [placed["b1"]],
    }


def _sign_in(page, url: str, username: str, path: str) -> None:
    sign_in(page, url, username, PASSWORD, path)
    page.wait_for_selector("#wf-moves")


def _verify(db_url: str, user, spot_id: int) -> None:
    """Someone verifies the spot behind the page's back (stage 1 → 2)."""
    with transaction(db_url) as conn:
        version = query_one(db_url, "SELECT version FROM spot WHERE id = %s", (spot_id,))[0]
        workflow.verify(conn, user=user, spot_id=spot_id, version=version)


def _merge(page, into: int, note: str):
    page.click(f'#wf-candidates button.merge[data-into="{into}"]')
    form = page.locator('#wf-merge [data-move="merge"]')
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    return form


def _submit(page, form) -> None:
    """Send a move's form and wait until the panel says it is recorded."""
    title = form.locator("summary").inner_text()
    form.locator("button[type=submit]").click()
    _wait_recorded(page, title)


def _wait_recorded(page, title: str) -> None:
    """Wait for the panel's message "<the move's title>: ثبت شد"."""
    page.wait_for_function(
        "(text) => document.getElementById('wf-message')?.textContent === text", arg=f"{title}: ثبت شد"
    )


STATE = "SELECT status, merged_into, (SELECT array_agg(id ORDER BY id) FROM report WHERE spot_id = s.id)"


def _spot_state(db_url: str, spot_id: int) -> tuple:
    return query_one(db_url, STATE + " FROM spot s WHERE id = %s", (spot_id,))


def test_the_gis_office_merges_a_duplicate_from_its_page_and_undoes_it(page, live_url, db_url, spots):
    a, b = spots["a"], spots["b"]
    _verify(db_url, spots["office"], a)  # A is now further along than B: merging it into B is refused
    _sign_in(page, live_url, "office", f"/spots/{a}")
    assert page.inner_text("#wf-duplicates h3") == "نقاط احتمالاً تکراری"
    assert page.input_value("#wf-radius-radius") == "۲۰۰"
    assert page.eval_on_selector_all(
        "#wf-candidates tbody tr", "rows => rows.map((r) => r.dataset.candidate)"
    ) == [str(b)]
    row = page.locator(f'#wf-candidates tr[data-candidate="{b}"]')
    assert float(row.locator("td[data-metres]").get_attribute("data-metres")) == pytest.approx(100, abs=3)
    focus_group = query_one(db_url, "SELECT label_fa FROM source WHERE code = 'focus_group'")[0]
    text = row.inner_text()
    assert "۱۰۰ متر" in text or "۹۹ متر" in text or "۱۰۱ متر" in text
    assert focus_group in text and "بله" in text
    assert row.locator("a").get_attribute("href") == f"/spots/{b}"

    page.click(f'#wf-candidates button.merge[data-into="{b}"]')  # the note is required
    page.locator('#wf-merge [data-move="merge"] button[type=submit]').click()
    assert "دلیل را بنویسید" in page.inner_text("#merge-note-error")  # the page is Persian, so is its error
    _merge(page, b, "همان زمین بایر")
    page.wait_for_function(  # stages differ: merge the other way round, so no work is lost
        "() => document.getElementById('wf-message')?.textContent.includes('ادغام کنید تا کاری از دست نرود')"
    )
    assert page.locator("#wf-message").get_attribute("class") == "error"
    assert _spot_state(db_url, a) == ("open", None, spots["a_reports"])

    _verify(db_url, spots["office"], b)
    form = _merge(page, b, "همان زمین بایر با دو ورودی")
    _wait_recorded(page, form.locator("summary").inner_text())
    assert _spot_state(db_url, a) == ("merged", b, None)
    assert _spot_state(db_url, b)[2] == sorted(spots["a_reports"] + spots["b_reports"])
    assert page.get_attribute("#status", "data-status") == "merged"
    assert page.get_attribute("#wf-merged a", "href") == f"/spots/{b}"
    assert page.locator("#wf-duplicates").count() == 0

    form = page.locator('[data-move="unmerge"]')
    form.locator("summary").click()
    form.locator("textarea[name=note]").fill("دو زمین جدا هستند")
    _submit(page, form)
    assert _spot_state(db_url, a) == ("open", None, spots["a_reports"])
    assert _spot_state(db_url, b)[2] == spots["b_reports"]
    assert page.get_attribute("#status", "data-status") == "open" and page.locator("#wf-merged").count() == 0
    assert page.locator(f'#wf-candidates tr[data-candidate="{b}"]').count() == 1

    first, second = spots["a_reports"]
    assert page.eval_on_selector_all(
        "#wf-report-list tbody tr", "rows => rows.map((r) => r.dataset.report)"
    ) == [str(first), str(second)]
    page.click(f'#wf-report-list button.split[data-report="{second}"]')
    form = page.locator('#wf-split [data-move="split"]')
    form.locator("textarea[name=note]").fill("گزارش ۱۳۷ جای دیگری است")
    _submit(page, form)
    new = query_one(db_url, "SELECT spot_id FROM report WHERE id = %s", (second,))[0]
    assert new != a and _spot_state(db_url, a) == ("open", None, [first])
    assert page.eval_on_selector_all(
        "#wf-report-list tbody tr", "rows => rows.map((r) => r.dataset.report)"
    ) == [str(first)]
    assert page.locator("button.split").count() == 0  # the only report of a spot is not split off
    assert page.locator(f'#wf-candidates tr[data-candidate="{new}"]').count() == 1

    page.goto(f"{live_url}/spots/{new}")  # the split undone from the new spot: its report moves back to A
    page.wait_for_selector("#wf-report-list")
    page.click(f'#wf-report-list button.attach[data-report="{second}"]')
    form = page.locator('#wf-split [data-move="attach"]')
    form.locator("input[name=into]").fill(str(a).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    form.locator("textarea[name=note]").fill("همان مکان است")
    _submit(page, form)
    assert _spot_state(db_url, a) == ("open", None, spots["a_reports"])
    assert query_one(db_url, "SELECT status, merged_into FROM spot WHERE id = %s", (new,)) == ("merged", a)
    assert [e for e in page.console_errors if "409" not in e and "400" not in e] == []
    assert page.outside_requests() == []


def test_the_deputy_reads_the_duplicates_and_a_viewer_sees_none(page, live_url, db_url, spots):
    a, b = spots["a"], spots["b"]
    _sign_in(page, live_url, "deputy", f"/spots/{a}?lang=en")
    row = page.locator(f'#wf-candidates tr[data-candidate="{b}"]')
    assert " m" in row.locator("td[data-metres]").inner_text() and "Focus group" in row.inner_text()
    assert page.locator("button.merge").count() == 0 and page.locator("#wf-merge").inner_text() == ""
    assert page.locator("#wf-report-list tbody tr").count() == 2 and page.locator("button.split").count() == 0

    page.fill("#wf-radius-radius", "50")
    page.click("#wf-radius button[type=submit]")
    page.wait_for_selector("#wf-candidates.empty")
    assert page.inner_text("#wf-candidates") == "No other spot within this radius"
    page.fill("#wf-radius-radius", "9000")
    page.click("#wf-radius button[type=submit]")
    page.wait_for_selector("#radius-radius-error")
    assert page.get_attribute("#wf-radius-radius", "aria-invalid") == "true"

    _sign_in(page, live_url, "viewer", f"/spots/{a}")
    assert page.locator("#wf-duplicates").count() == 0 and page.locator("button.merge").count() == 0
    assert page.locator("#wf-reports").count() == 0
    assert [e for e in page.console_errors if "422" not in e] == []
    assert page.outside_requests() == []
