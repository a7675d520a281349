"""The import page's routes: a messy letter previewed (header found, words to map with suggestions, the whole
check), its two unknown categories confirmed once, after which they resolve in every channel; the letter and
its scan kept with the batch, staff-only."""

import io
import uuid

import pytest
from PIL import Image

from gis.db import transaction
from tests.api.channels import point_in
from tests.api.letters import UNKNOWN, messy_xlsx
from tests.conftest import bearer_headers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def office(db_url: str) -> dict[str, str]:
    with transaction(db_url) as conn:
        return bearer_headers(conn, "gis-ali", "gis_office")


def _preview(client, office, path, **data):
    with open(path, "rb") as handle:
        return client.post(
            "/api/imports/preview?lang=fa",
            headers=office,
            files={"file": (path.name, handle, XLSX)},
            data={"ref": "۱۲۳ ۱۴۰۳/۰۸/۱۲", **data},
        )


def test_preview_lists_each_unknown_word_once_with_suggestions(client, office, db_url, tmp_path) -> None:
    path = messy_xlsx(db_url, tmp_path / "letter.xlsx")
    answer = _preview(client, office, path)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["mapping"]["category"] == "نوع فضا"
    assert [r["cells"][1] for r in found["rows"][:2]] == ["نور کم", "ساختمان خرابه"]
    unknown = {u["written"]: u for u in found["unresolved"] if u["kind"] == "category"}
    assert set(unknown) == set(UNKNOWN)
    assert unknown["نور کم"]["count"] == 2
    for written, code in UNKNOWN.items():
        assert unknown[written]["suggestions"][0]["code"] == code, unknown[written]
    check = found["check"]
    assert check["accepted"] + check["rejected"] + check["duplicates"] >= 4
    rejected = [r for r in check["rows"] if r["status"] == "rejected"]
    assert any("دستهٔ ناشناخته" in r["reason_fa"] for r in rejected)
    with transaction(db_url) as conn, conn.cursor() as cur:  # a dry run: nothing kept
        cur.execute("SELECT count(*) FROM import_batch")
        assert cur.fetchone()[0] == 0


def test_confirmed_words_resolve_from_then_on(client, office, db_url, tmp_path) -> None:
    path = messy_xlsx(db_url, tmp_path / "letter.xlsx")
    saved = client.post(
        "/api/imports/aliases",
        headers=office,
        json={"aliases": [{"kind": "category", "written": w, "code": c} for w, c in UNKNOWN.items()]},
    )
    assert saved.status_code == 200, saved.text
    again = _preview(client, office, path).json()
    assert [u for u in again["unresolved"] if u["kind"] != "date"] == []
    # another channel: a report sent to the API in the same words
    lon, lat = point_in(db_url, "2209")
    body = {"uuid": str(uuid.uuid4()), "category": "نور  كم", "lon": lon, "lat": lat, "source": "mayor"}
    sent = client.post("/api/reports", headers=office, json=body)
    assert sent.status_code == 201, sent.text
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT category FROM report WHERE uuid = %s", (body["uuid"],))
        assert cur.fetchone()[0] == "poor_lighting"
    bad = client.post(
        "/api/imports/aliases?lang=fa",
        headers=office,
        json={"aliases": [{"kind": "category", "written": "تاریکی", "code": "darkness"}]},
    )
    assert bad.status_code == 400
    assert "darkness" in bad.json()["error"]["message"]


def test_the_letter_and_its_scan_stay_with_the_batch_for_staff_only(client, office, db_url, tmp_path) -> None:
    path = messy_xlsx(db_url, tmp_path / "letter.xlsx")
    with open(path, "rb") as handle:
        imported = client.post(
            "/api/imports/reports",
            headers=office,
            files={"file": (path.name, handle, XLSX)},
            data={"ref": "123", "partial": "true"},
        )
    assert imported.status_code == 201, imported.text
    batch = imported.json()["batch_id"]
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    kept = client.post(
        f"/api/imports/batches/{batch}/letter",
        headers=office,
        data={"number": "۱۲۳", "date": "۱۴۰۳/۰۸/۱۲", "office": "شهرداری ناحیه ۲"},
        files={"scan": ("letter.png", png.getvalue(), "image/png")},
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["letter_date"] == "2024-11-02"
    scan = client.get(f"/api/imports/batches/{batch}/scan", headers=office)
    assert scan.status_code == 200 and scan.headers["content-type"] == "image/png"
    shown = client.get(f"/api/imports/batches/{batch}", headers=office).json()
    assert shown["letter_number"] == "۱۲۳" and shown["has_scan"]
    assert [r["row"] for r in shown["reports"]] == [6] and shown["reports"][0]["spot_id"]
    assert client.get(f"/api/imports/batches/{batch}/scan").status_code == 401
    with transaction(db_url) as conn:
        agency = bearer_headers(conn, "agency-x", "agency", agency="urban_services")
    assert client.get(f"/api/imports/batches/{batch}/scan", headers=agency).status_code in (403, 404)
    refused = client.post(
        f"/api/imports/batches/{batch}/letter?lang=fa",
        headers=office,
        files={"scan": ("letter.html", b"<html><script>alert(1)</script>", "text/html")},
    )
    assert refused.status_code == 400
    assert "PDF" in refused.json()["error"]["message"]


def test_import_pages_answer_the_office_in_persian_or_english(client, db_url) -> None:
    with transaction(db_url) as conn:
        office = bearer_headers(conn, "gis-sara", "gis_office")
        agency = bearer_headers(conn, "agency-y", "agency", agency="urban_services")
    page = client.get("/imports/new", headers=office)
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text and "ورود نامهٔ تازه" in page.text
    assert 'href="/imports/new"' in page.text  # the top bar's link
    english = client.get("/imports/new?lang=en", headers=office)
    assert 'dir="ltr"' in english.text and "Import a letter" in english.text
    listed = client.get("/imports", headers=office)
    assert listed.status_code == 200 and "نامه‌ها و فایل‌های واردشده" in listed.text
    assert client.get("/imports/new", headers=agency).status_code == 403
    assert client.get("/imports/new", follow_redirects=False).status_code == 303
    assert client.get("/imports/999", headers=office).status_code == 404


def test_the_office_matches_a_column_the_headers_do_not_name(client, office, db_url, tmp_path) -> None:
    lon, lat = point_in(db_url, "2205")
    path = tmp_path / "list.csv"
    path.write_text(f"مشکل محل,y,x\nزمین خالی,{lat},{lon}\n", encoding="utf-8")

    def preview(*choices: str):
        with open(path, "rb") as handle:
            return client.post(
                "/api/imports/preview?lang=fa",
                headers=office,
                files={"file": (path.name, handle, "text/csv")},
                data={"map": list(choices)},
            )

    unmatched = preview()
    assert unmatched.status_code == 400 and "مشکل محل" in unmatched.json()["error"]["message"]
    matched = preview("مشکل محل=category", "y=lat", "x=lon").json()
    assert matched["mapping"] == {"category": "مشکل محل", "lat": "y", "lon": "x"}
    assert matched["check"]["accepted"] == 1, matched["check"]
    wrong = preview("ستون دیگر=category")
    assert wrong.status_code == 400 and "ستون دیگر" in wrong.json()["error"]["message"]
    with open(path, "rb") as handle:
        imported = client.post(
            "/api/imports/reports",
            headers=office,
            files={"file": (path.name, handle, "text/csv")},
            data={"map": ["مشکل محل=category", "y=lat", "x=lon"]},
        )
    assert imported.status_code == 201, imported.text
    assert imported.json()["accepted"] == 1


def test_a_file_for_a_background_job_is_previewed_without_the_check(client, office, tmp_path) -> None:
    path = tmp_path / "big.csv"
    words = ("زمین خالی", "نور کم")
    rows = "".join(f"{words[n % 2]},35.7{n % 90:02d},51.1{n % 90:02d}\n" for n in range(1200))
    path.write_text("نوع,lat,lon\n" + rows, encoding="utf-8")
    with open(path, "rb") as handle:
        answer = client.post(
            "/api/imports/preview", headers=office, files={"file": (path.name, handle, "text/csv")}
        )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["check"] is None
    assert [(u["written"], u["count"]) for u in found["unresolved"]] == [("نور کم", 600)]
