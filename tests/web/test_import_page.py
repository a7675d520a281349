"""The import page in Chromium at 1440×900, as the GIS office uses it: a messy letter (title row, blank
row, totals row, two-digit Jalali years, free-text categories, Persian digits, an address-only row, a mistyped
latitude) goes from upload through value mapping, confirming its date forms, fixing a row in the page and the
check to the import, whose summary opens the batch's spots in the work list; the two unknown categories and
the two-digit years are settled once, and a second letter with the same words imports with no question.
Messages are Persian, English with ?lang=en."""

import io
import re

import pytest
from PIL import Image

from gis.db import transaction
from gis.users import create_user
from tests.api.letters import UNKNOWN, broken_place, messy_xlsx
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser
LATIN_SENTENCE = re.compile(r"[A-Za-z]{4,}")


@pytest.fixture
def office(db_url: str) -> tuple[str, str]:
    with transaction(db_url) as conn:
        create_user(conn, username="gis-maryam", password="s3cret-maryam", role="gis_office")
    return "gis-maryam", "s3cret-maryam"


def _scan(tmp_path) -> str:
    path = tmp_path / "letter.png"
    image = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(image, "PNG")
    path.write_bytes(image.getvalue())
    return str(path)


def _upload(page, path: str, number: str, scan: str | None = None) -> None:
    page.fill("#upload input[name=number]", number)
    page.fill("#upload input[name=date]", "۱۴۰۳/۰۸/۱۲")
    page.fill("#upload input[name=office]", "شهرداری ناحیه ۲")
    page.set_input_files("#upload input[name=file]", path)
    if scan:
        page.set_input_files("#upload input[name=scan]", scan)
    page.click("#preview")
    page.wait_for_function("() => !document.getElementById('check-step').hidden")


def _import(page) -> dict[str, int]:
    page.click("#import")
    page.wait_for_function("() => !document.getElementById('summary-step').hidden")
    counts = page.eval_on_selector_all(
        "#summary dd", "(cells) => cells.map((c) => [c.dataset.count, c.textContent])"
    )
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    return {key: int(value.translate(digits)) for key, value in counts}


def test_a_messy_letter_from_upload_to_the_map(page, live_url, db_url, office, tmp_path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_url, *office, "/imports/new")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.is_visible("#topbar a[data-key=imports]")

    page.click("#preview")  # no file yet: told so in Persian
    assert page.text_content("#status") == "فایل فهرست را برگزینید"

    lat = broken_place(db_url)[1]
    first = messy_xlsx(db_url, tmp_path / "letter-1.xlsx", broken=True)
    _upload(page, str(first), "۱۲۳/ش", _scan(tmp_path))
    # the header row was found below the title and blank rows; the columns are matched
    assert page.input_value("#columns select[data-column='نوع فضا']") == "category"
    assert page.input_value("#columns select[data-column='محله']") == "neighbourhood"
    notes = page.text_content("#blank")
    assert "سرستون‌ها در ردیف ۳" in notes and "ردیف جمع (۹)" in notes, notes
    # each unknown category once, its likely meaning chosen
    selects = page.locator("#mapping select")
    assert selects.count() == 2
    for index in range(2):
        select = selects.nth(index)
        assert select.input_value() == UNKNOWN[select.get_attribute("data-written")]
    # each two-digit date form once, with its reading to confirm
    readings = page.eval_on_selector_all(
        "#mapping input[data-date]", "(boxes) => boxes.map((b) => [b.dataset.date, b.value])"
    )
    assert readings == [["99/9/18", "۱۳۹۹/۰۹/۱۸"], ["99/9/20", "۱۳۹۹/۰۹/۲۰"]], readings
    check = page.text_content("#check tbody")
    assert "دستهٔ ناشناخته" in check and not LATIN_SENTENCE.search(check)

    page.check("#remember")  # two-digit years read this way in every later file
    page.click("#save-mapping")
    page.wait_for_function("() => !document.getElementById('mapping-none').hidden")
    assert "ذخیره شدند" in page.text_content("#status")
    check = page.text_content("#check tbody")
    assert "دستهٔ ناشناخته" not in check and "سال دورقمی" not in check  # read as confirmed, not flagged
    assert "عرض جغرافیایی" in check  # row 8's latitude is mistyped

    # the row is fixed in the page and checked again
    page.click("#check .fix-open[data-row='8']")
    page.fill("#check .fix[data-row='8'] input[data-column='عرض جغرافیایی']", f"{lat:.6f}")
    page.click("#check .fix[data-row='8'] .recheck")
    page.wait_for_function("() => document.getElementById('status').textContent === 'ردیف ۸ اکنون درست است'")
    assert page.locator("#check tr.rejected").count() == 0

    counts = _import(page)
    assert counts == {"accepted": 5, "duplicates": 0, "new_spots": 5, "to_place": 1, "rejected": 0}, counts
    batch_page = page.get_attribute("#batch-link", "href")
    page.click("#count-to_place")  # the row placed by its address alone, in the work list
    page.wait_for_selector("#work tbody tr")
    assert "در انتظار تعیین مکان" in page.text_content("#batch-filter")
    assert page.locator("#work tbody tr").count() == 1
    page.goto(f"{live_url}{batch_page}")
    page.wait_for_selector("#batch-rows tbody tr")
    assert page.locator("#batch-rows tbody tr").count() == 5
    assert page.locator("#batch-rows a[href^='/spots/']").count() == 5
    scan = page.get_attribute("#scan", "href")
    assert page.request.get(f"{live_url}{scan}").status == 200

    # a second letter in the same words: no question asked
    page.goto(f"{live_url}/imports/new")
    second = messy_xlsx(db_url, tmp_path / "letter-2.xlsx")
    _upload(page, str(second), "۱۲۴/ش")
    assert page.is_visible("#mapping-none")
    assert page.locator("#mapping select").count() == 0
    assert _import(page)["accepted"] == 4

    page.goto(f"{live_url}/imports")
    assert page.locator("#batches tbody tr").count() == 2
    assert "۱۲۳/ش" in page.text_content("#batches")

    # the second letter was sent by mistake: withdrawn from its page, then put back
    # Each answer reloads the page: the test waits for the reloaded page's load, as its button works only
    # once its deferred script has run, and its table is whole only then.
    with page.expect_navigation():
        page.click("#batches tbody tr:first-child a")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#move")
    assert page.is_visible("#withdrawn")
    assert page.locator("#batch-rows a[href^='/spots/']").count() == 0
    with page.expect_navigation():
        page.click("#move")
    assert page.locator("#withdrawn").count() == 0
    assert page.locator("#batch-rows a[href^='/spots/']").count() == 4
    assert page.console_errors == []
    assert page.outside_requests() == []


def test_the_page_in_english(page, live_url, office) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_url, *office, "/imports/new?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.text_content("h1") == "Import a letter"
    page.click("#preview")
    assert page.text_content("#status") == "Choose the list file"
