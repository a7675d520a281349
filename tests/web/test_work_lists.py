"""Each role's top bar and work list in Chromium, at tablet (1024×768) and desktop (1440×900) sizes: the bar
offers exactly the links the role may use and signs out; the GIS office filters its stage-1/2 spots; an agency
moves its action to in progress, then done, with a note and a photo, and the API reads the change."""

import io

import pytest
from argon2 import PasswordHasher
from PIL import Image

from gis import clock, users
from gis.db import transaction
from gis.lang import latin_digits
from gis.users import create_user
from tests.conftest import query_all
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "long-enough-pw"
SIZES = {"tablet": {"width": 1024, "height": 768}, "desktop": {"width": 1440, "height": 900}}
# role → (account, the bar's links in order)
ROLES = {
    "gis_office": ("office", ["map", "work", "dashboard", "imports"]),
    "deputy": ("deputy", ["map", "dashboard", "routing", "programme"]),
    "facilitator": ("sara", ["map", "field"]),
    "agency": ("services", ["map", "work"]),
    "viewer": ("viewer", ["map", "dashboard"]),
}
PATHS = {
    "map": "/map",
    "work": "/work",
    "field": "/field",
    "dashboard": "/dashboard",
    "routing": "/routing",
    "programme": "/programme",
    "imports": "/imports/new",
}


@pytest.fixture
def accounts(db_url, monkeypatch):
    """One account of each role over the demo; the agency is urban services, which has open actions."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        create_user(conn, username="office", password=PASSWORD, role="gis_office")
        create_user(conn, username="deputy", password=PASSWORD, role="deputy")
        create_user(conn, username="sara", password=PASSWORD, role="facilitator", areas=["2201", "2209"])
        create_user(conn, username="services", password=PASSWORD, role="agency", agency="urban_services")
        create_user(conn, username="viewer", password=PASSWORD, role="viewer")
    return db_url


def _png() -> bytes:
    """A small real PNG: photos are decoded and re-encoded, so a header alone would be refused."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 40)).save(out, format="PNG")
    return out.getvalue()


def _bar(page) -> list[str]:
    page.wait_for_selector("#topbar")
    return page.eval_on_selector_all("#topbar ul a", "links => links.map(a => a.dataset.key)")


def _fits(page) -> bool:
    """Nothing wider than the window: the bar and the page need no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_the_top_bar_offers_the_roles_pages_and_signs_out(page, live_url, accounts, role, size):
    page.set_viewport_size(SIZES[size])
    username, links = ROLES[role]
    sign_in(page, live_url, username, PASSWORD, "/map")
    assert _bar(page) == links
    assert page.is_visible("#sign-out")
    for key in links:
        page.click(f'#topbar a[data-key="{key}"]')
        page.wait_for_url(f"{live_url}{PATHS[key]}")
        assert _bar(page) == links
        assert page.get_attribute(f'#topbar a[data-key="{key}"]', "aria-current") == "page"
        assert page.is_visible("#sign-out") and _fits(page), (key, size)
    page.click("#sign-out")
    page.wait_for_url(f"{live_url}/login")
    page.goto(f"{live_url}/work")
    page.wait_for_url(f"{live_url}/login?next=%2Fwork")
    assert page.console_errors == [] and page.outside_requests() == []


def test_the_public_sees_the_map_only(page, live_url):
    page.goto(f"{live_url}/map")
    assert _bar(page) == ["map"]
    assert page.is_visible("#sign-in") and not page.is_visible("#sign-out")


@pytest.mark.parametrize("size", SIZES)
def test_the_gis_office_filters_its_stage_1_and_2_spots(page, live_url, accounts, size):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_url, "office", PASSWORD, "/work")
    waiting = dict(
        query_all(
            accounts, "SELECT stage, count(*) FROM spot WHERE status = 'open' AND stage <= 2 GROUP BY 1"
        )
    )
    page.wait_for_selector("#work tbody tr")
    rows = page.locator("#work tbody tr")
    assert rows.count() == waiting[1] + waiting[2] > 0
    assert set(page.eval_on_selector_all("#work tbody tr", "rows => rows.map(r => r.dataset.stage)")) == {
        "1",
        "2",
    }
    assert page.locator("#work-map .leaflet-interactive").count() == rows.count()

    page.select_option("#filters select[name=stage]", "1")
    page.wait_for_function(f"document.querySelectorAll('#work tbody tr').length === {waiting[1]}")
    assert set(page.eval_on_selector_all("#work tbody tr", "rows => rows.map(r => r.dataset.stage)")) == {"1"}
    assert latin_digits(page.text_content("#count")).startswith(str(waiting[1]))
    # Every stage-1 spot waits for verifying.
    page.select_option("#filters select[name=need]", "verify")
    page.wait_for_function(f"document.querySelectorAll('#work tbody tr').length === {waiting[1]}")

    page.select_option("#filters select[name=stage]", "")
    page.select_option("#filters select[name=need]", "")
    area = page.eval_on_selector("#filters select[name=area] option:nth-child(2)", "o => o.value")
    in_area = query_all(
        accounts,
        "SELECT count(*) FROM spot s JOIN area a ON a.id = s.area_id"
        f" WHERE s.status = 'open' AND s.stage <= 2 AND a.code = '{area}'",
    )[0][0]
    page.select_option("#filters select[name=area]", area)
    page.wait_for_function(f"document.querySelectorAll('#work tbody tr').length === {in_area}")

    # Sorting by reports: the counts read down in order, then reversed.
    page.select_option("#filters select[name=area]", "")
    page.click('#work th button[data-sort="report_count"]')
    counts = [
        int(latin_digits(t))
        for t in page.eval_on_selector_all(
            "#work tbody tr td:nth-child(6)", "cells => cells.map(c => c.textContent)"
        )
    ]
    assert counts == sorted(counts)
    page.click('#work th button[data-sort="report_count"]')
    counts = [
        int(latin_digits(t))
        for t in page.eval_on_selector_all(
            "#work tbody tr td:nth-child(6)", "cells => cells.map(c => c.textContent)"
        )
    ]
    assert counts == sorted(counts, reverse=True)

    first = page.get_attribute("#work tbody tr:first-child", "data-id")
    page.click("#work tbody tr:first-child a")
    page.wait_for_url(f"{live_url}/spots/{first}")
    assert _fits(page)
    assert page.console_errors == [] and page.outside_requests() == []


@pytest.mark.parametrize("size", SIZES)
def test_the_agency_moves_its_action_to_in_progress_then_done(page, live_url, accounts, size):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_url, "services", PASSWORD, "/work")
    page.wait_for_selector("#actions tbody tr")
    ours = query_all(
        accounts,
        "SELECT x.id FROM spot_action x JOIN agency g ON g.id = x.agency_id WHERE g.code = 'urban_services'",
    )
    assert page.locator("#actions tbody tr").count() == len(ours)
    overdue = page.locator("#actions tbody tr .overdue-mark").count()
    late = query_all(
        accounts,
        "SELECT count(*) FROM spot_action x JOIN agency g ON g.id = x.agency_id"
        " WHERE g.code = 'urban_services' AND x.status IN ('assigned', 'in_progress')"
        f" AND x.due_on < '{clock.today().isoformat()}'",
    )[0][0]
    assert overdue == late
    action_id = query_all(
        accounts,
        "SELECT min(x.id)::text FROM spot_action x JOIN agency g ON g.id = x.agency_id JOIN spot s"
        " ON s.id = x.spot_id WHERE g.code = 'urban_services' AND x.status = 'assigned' AND s.stage = 3",
    )[0][0]
    here = f'#actions tbody tr[data-id="{action_id}"]'

    page.click(f'{here} button[data-next="in_progress"]')
    assert page.text_content("#status")  # a note is asked for first
    page.fill(f"{here} textarea", "کارگران اعزام شدند")
    page.click(f'{here} button[data-next="in_progress"]')
    page.wait_for_selector(f'{here}[data-status="in_progress"]')
    page.fill(f"{here} textarea", "روشنایی نصب شد")
    page.set_input_files(
        f"{here} input[type=file]", files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.click(f'{here} button[data-next="done"]')
    page.wait_for_selector(f'{here}[data-status="done"]')
    assert "روشنایی نصب شد" in page.text_content(here)

    answer = page.request.get(f"{live_url}/api/actions")
    assert answer.ok
    action = next(a for a in answer.json() if str(a["id"]) == action_id)
    assert action["status"] == "done" and action["outcome"] == "روشنایی نصب شد"
    assert len(action["photos"]) == 1 and page.locator(f"{here} a.action-photo").count() == 1
    photo = page.request.get(f"{live_url}{action['photos'][0]}")
    assert photo.ok and photo.headers["content-type"] == "image/png"
    assert _fits(page)
    assert page.console_errors == [] and page.outside_requests() == []


def test_an_agency_opening_the_dashboard_gets_a_persian_page(page, live_url, accounts):
    sign_in(page, live_url, "services", PASSWORD, "/work")
    answer = page.goto(f"{live_url}/dashboard")
    assert answer.status == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert page.get_attribute("html", "lang") == "fa" and page.get_attribute("html", "dir") == "rtl"
    assert "دسترسی ندارید" in page.text_content("h1")


@pytest.mark.parametrize("size", SIZES)
def test_the_facilitator_lists_the_spots_of_their_neighbourhoods_and_the_queue(
    page, live_url, accounts, size
):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_url, "sara", PASSWORD, "/field")
    theirs = query_all(
        accounts,
        "SELECT s.id FROM spot s JOIN area a ON a.id = s.area_id"
        " WHERE s.status = 'open' AND a.code IN ('2201', '2209') ORDER BY s.id",
    )
    assert theirs
    page.click("[data-step-button=queue]")  # the tablet lists them on its outbox step
    listed = page.eval_on_selector_all("#my-spots li", "items => items.map(i => Number(i.dataset.id))")
    assert sorted(listed) == [row[0] for row in theirs]
    assert int(latin_digits(page.text_content("#my-spots-count"))) == len(theirs)
    assert page.is_visible("#queued-count")
    page.click(f'#my-spots li[data-id="{listed[0]}"] a')
    page.wait_for_url(f"{live_url}/spots/{listed[0]}")
    assert _bar(page) == ["map", "field"]


def test_a_role_with_no_work_list_here_gets_the_error_page_in_its_language(page, live_url, accounts):
    sign_in(page, live_url, "deputy", PASSWORD, "/map")
    answer = page.goto(f"{live_url}/work?lang=en")
    assert answer.status == 403 and answer.headers["content-type"].startswith("text/html")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("h1").strip() == "Not allowed"
