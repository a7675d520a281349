"""The spot page's audit form and evidence (headless Chromium): one audit model with buttons in words, the
same stored through the form as through the API, photos from the desktop, and a fixed spot's before/after."""

import io
import json
from datetime import date

import pytest
from PIL import Image

from gis.db import transaction
from gis.programme import workflow
from gis.users import get_user
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import bearer_headers
from tests.conftest import query_one as _row
from tests.web.conftest import assign_urban_services
from tests.web.test_spot_workflow_page import _audit, _one, _open, _sign_in, _submit, staff  # noqa: F401

pytestmark = pytest.mark.browser
# Lighting "very bad" (0), three criteria not assessed, feeling "poor" (1); the rest scored.
PARTIAL = {
    "lighting": 0,
    "openness": None,
    "visibility": None,
    "people": None,
    "security": 2,
    "walk_path": 2,
    "public_transport": 3,
    "gender_mix": 1,
    "feeling": 1,
}


def _to_stage_3(db_url: str, spot: int) -> None:
    version = _one(db_url, "SELECT version FROM spot WHERE id = %s", (spot,))
    with transaction(db_url) as conn:
        user = get_user(conn, "office")
        version = workflow.verify(conn, user=user, spot_id=spot, version=version)
        workflow.start_remediation(conn, user=user, spot_id=spot, version=version)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 60)).save(out, format="PNG")
    return out.getvalue()


def _send_with_photo(page, form, name: str, phase: str) -> None:
    """Attach one PNG to the form, send it, and wait until the gallery shows the photo among `phase`'s."""
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": _png()}]
    )
    with page.expect_response(lambda r: "/photos" in r.url and r.request.method == "POST"):
        _submit(page, form)
    gallery = "(phase) => document.querySelectorAll(`#wf-gallery [data-phase=${phase}] img`).length === 1"
    page.wait_for_function(gallery, arg=phase)


@pytest.mark.dated
def test_the_same_partial_audit_through_the_visit_form_and_the_api_is_stored_the_same(
    page, live_url, db_url, staff, client
):
    by_form = staff["spot"]
    by_api = _one(db_url, "SELECT id FROM spot WHERE stage = 1 AND status = 'open' ORDER BY id DESC LIMIT 1")
    _to_stage_3(db_url, by_form)
    _to_stage_3(db_url, by_api)
    with transaction(db_url) as conn:
        headers = bearer_headers(conn, "api-office", "gis_office")
    version = client.get(f"/api/spots/{by_api}/workflow", headers=headers).headers["etag"]
    sent = client.post(
        f"/api/spots/{by_api}/visits",
        headers={**headers, "If-Match": version},
        json={"visited_on": "1405/08/01", "findings": "dark", "time_of_day": "night", "audit": PARTIAL},
    )
    assert sent.status_code == 201, sent.text

    _sign_in(page, live_url, "office", by_form)
    form = _open(page, "visit")
    # Every criterion starts "not assessed", in words; the buttons are large enough to tap.
    lighting = form.locator('fieldset[data-field="audit.lighting"]')
    assert lighting.locator("input:checked").get_attribute("value") == ""
    assert lighting.locator("label").all_inner_texts() == ["خیلی بد", "بد", "متوسط", "خوب", "ارزیابی نشد"]
    assert lighting.locator("label span").first.bounding_box()["height"] >= 44
    form.locator("textarea[name=findings]").fill("کوچه تاریک است")
    form.locator('fieldset[data-field="time_of_day"] label:has(input[value="night"])').click()
    _audit(form, {k: v for k, v in PARTIAL.items() if v is not None})
    _send_with_photo(page, form, "dark.png", "before")

    stored = "SELECT audit, time_of_day FROM site_visit WHERE spot_id = %s AND purpose = 'visit'"
    through_form, through_api = _row(db_url, stored, (by_form,)), _row(db_url, stored, (by_api,))
    assert through_form == through_api == (dict.fromkeys(AUDIT_KEYS) | PARTIAL, "night")
    assert (
        _one(db_url, "SELECT safety_audit_mean(audit) FROM site_visit WHERE spot_id = %s", (by_form,)) == 1.5
    )
    photo = _row(
        db_url,
        "SELECT p.content_type, p.public FROM visit_photo p JOIN site_visit v ON v.id = p.visit_id"
        " WHERE v.spot_id = %s",
        (by_form,),
    )
    assert photo == ("image/png", False)
    assert page.get_attribute('#wf-scores [data-score="night"]', "data-value") == "5.5"  # 1 + 3 × 1.5
    assert page.console_errors == [] and page.outside_requests() == []


@pytest.mark.dated
def test_a_fixed_demo_spot_shows_its_before_and_after_panel(page, live_url, db_url, staff):
    spot = _one(
        db_url,
        "SELECT s.id FROM spot s WHERE s.status = 'resolved' AND EXISTS (SELECT 1 FROM site_visit v"
        " JOIN visit_photo p ON p.visit_id = v.id WHERE v.spot_id = s.id AND v.purpose = 're_audit')"
        " ORDER BY s.id LIMIT 1",
    )
    _sign_in(page, live_url, "deputy", spot)
    page.wait_for_selector("#wf-evidence")
    before, after = _row(
        db_url,
        "SELECT safety_audit_score(spot_audit_before(%s)), safety_audit_score(spot_audit_after(%s))",
        (spot, spot),
    )
    assert float(page.get_attribute("#wf-change", "data-change")) == round(float(after - before), 1)
    assert page.locator("#wf-gallery [data-phase=before] img").count() >= 1
    assert page.locator("#wf-gallery [data-phase=after] img").count() >= 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('#wf-gallery img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    recurrence = page.locator("#wf-recurrence")
    assert recurrence.count() == 1 and recurrence.get_attribute("data-before") != ""
    assert json.loads(page.get_attribute("#workflow", "data-times"))[0][0] == "day"
    assert page.console_errors == [] and page.outside_requests() == []


def test_an_agency_marks_its_action_done_with_a_photo_that_joins_the_after_gallery(
    page, live_url, db_url, staff
):
    spot = staff["spot"]
    _to_stage_3(db_url, spot)
    action = assign_urban_services(
        db_url, by="office", spot_id=spot, what="نصب چراغ", due_on=date(2026, 1, 1)
    )
    _sign_in(page, live_url, "services", spot)
    form = _open(page, f"action-{action}")
    form.locator("select[name=status]").select_option("done")
    form.locator("textarea[name=note]").fill("چراغ‌ها نصب شد")
    _send_with_photo(page, form, "lit.png", "after")
    assert _one(db_url, "SELECT count(*) FROM action_photo WHERE action_id = %s", (action,)) == 1
    assert page.get_attribute("#wf-gallery [data-phase=after] a", "data-source") == "action"
    assert page.console_errors == [] and page.outside_requests() == []
