"""What the GIS office settles on the import page before importing (issue 13): a refused row fixed in the
page and re-checked, the fixed value imported; each date form the importer would guess listed once with its
reading, confirmed or corrected for the whole file (the two-digit-year reading remembered when asked); the
summary's counts opening the batch's spots in the work list; and a 5,000-row file going from preview through
columns matched by hand to an import job."""

import json

import pytest

from gis.db import transaction
from tests.api.channels import point_in
from tests.api.letters import UNKNOWN, broken_place, finished_job, messy_xlsx
from tests.conftest import bearer_headers, query_one

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAT = "عرض جغرافیایی"


@pytest.fixture
def office(db_url: str) -> dict[str, str]:
    with transaction(db_url) as conn:
        return bearer_headers(conn, "gis-leila", "gis_office")


def _send(client, office, route, path, kind=XLSX, **data):
    with open(path, "rb") as handle:
        return client.post(
            f"/api/imports/{route}?lang=fa",
            headers=office,
            files={"file": (path.name, handle, kind)},
            data={"ref": "۱۲۵", **data},
        )


def _known(client, office) -> None:
    aliases = [{"kind": "category", "written": w, "code": c} for w, c in UNKNOWN.items()]
    assert client.post("/api/imports/aliases", headers=office, json={"aliases": aliases}).status_code == 200


def _row(check: dict, number: int) -> dict:
    return next(r for r in check["rows"] if r["row"] == number)


def test_a_refused_row_fixed_in_the_page_is_imported_as_fixed(client, office, db_url, tmp_path) -> None:
    lon, lat = broken_place(db_url)
    path = messy_xlsx(db_url, tmp_path / "letter.xlsx", broken=True)
    _known(client, office)
    before = _send(client, office, "preview", path).json()["check"]
    refused = _row(before, 8)
    assert refused["status"] == "rejected" and refused["field"] == "lat", refused
    assert refused["values"][LAT] == "۳۵٫۷x"

    fix = f"۸:{LAT}={lat:.6f}"
    after = _send(client, office, "preview", path, fix=[fix]).json()["check"]
    assert _row(after, 8)["status"] == "accepted", _row(after, 8)
    assert after["rejected"] == 0

    imported = _send(client, office, "reports", path, fix=[fix])
    assert imported.status_code == 201, imported.text
    stored = query_one(
        db_url,
        "SELECT ST_Y(geom), ST_X(geom) FROM report WHERE import_batch_id = %s AND provenance->>'row' = '8'",
        (imported.json()["batch_id"],),
    )
    assert stored == pytest.approx((lat, lon), abs=1e-6)

    bad = _send(client, office, "preview", path, fix=["row eight=35.7"])
    assert bad.status_code == 400 and "ردیف:ستون=مقدار" in bad.json()["error"]["message"]
    with open(path, "rb") as handle:
        english = client.post(
            "/api/imports/preview?lang=en",
            headers=office,
            files={"file": (path.name, handle, XLSX)},
            data={"fix": ["row eight=35.7"]},
        )
    assert english.json()["error"]["message"].startswith("fix: must read row:column=value"), english.text
    unknown = _send(client, office, "preview", path, fix=["8:ستون دیگر=35.7"])
    assert unknown.status_code == 400 and "ستون دیگر" in unknown.json()["error"]["message"]


def _date_csv(tmp_path, db_url):
    lon, lat = point_in(db_url, "2205")
    lines = ["category,lat,lon,date"]
    days = ["99/9/18", "99/9/18", "9/18", "2020/12/08", "18/09/1399", "1399/09/21", "۱۳۹۹/۹/۲۵"]
    lines += [f"vacant_lot,{lat:.6f},{lon:.6f},{day}" for day in days]
    path = tmp_path / "dates.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_each_date_form_is_listed_once_with_its_reading(client, office, db_url, tmp_path) -> None:
    path = _date_csv(tmp_path, db_url)
    found = _send(client, office, "preview", path, kind="text/csv").json()
    forms = {u["written"]: u for u in found["unresolved"] if u["kind"] == "date"}
    assert {w: (f["count"], f["suggestions"][0]["by"]) for w, f in forms.items()} == {
        "99/9/18": (2, "two_digit_year"),
        "9/18": (1, "no_year"),
        "2020/12/08": (1, "gregorian"),  # in a column of Jalali dates
        "18/09/1399": (1, "day_first"),
    }
    assert forms["99/9/18"]["suggestions"][0]["code"] == "1399/09/18"
    assert forms["2020/12/08"]["suggestions"][0]["code"] == "1399/09/18"
    assert forms["18/09/1399"]["suggestions"][0]["code"] == "1399/09/18"
    assert _row(found["check"], 4)["status"] == "rejected"  # a day without a year cannot be read

    # confirmed (the two-digit one corrected) for the whole file: nothing left to ask, nothing flagged
    readings = ["99/9/18=1399/09/17", "9/18=1399/09/18", "2020/12/08=1399/09/18", "18/09/1399=1399/09/18"]
    confirmed = _send(client, office, "preview", path, kind="text/csv", date=readings).json()
    assert [u for u in confirmed["unresolved"] if u["kind"] == "date"] == []
    assert confirmed["check"]["rejected"] == 0
    assert not any(r.get("flags") for r in confirmed["check"]["rows"])
    imported = _send(client, office, "reports", path, kind="text/csv", date=readings)
    assert imported.status_code == 201, imported.text
    day = query_one(
        db_url,
        "SELECT (reported_at AT TIME ZONE 'Asia/Tehran')::date FROM report"
        " WHERE import_batch_id = %s AND provenance->>'row' = '2'",
        (imported.json()["batch_id"],),
    )
    assert day[0].isoformat() == "2020-12-07"  # 1399/09/17, as corrected

    bad = _send(client, office, "preview", path, kind="text/csv", date=["99/9/18=1399/13/40"])
    assert bad.status_code == 400 and "1399/13/40" in bad.json()["error"]["message"]


def test_the_two_digit_year_reading_is_remembered_when_asked(client, office, db_url, tmp_path) -> None:
    path = _date_csv(tmp_path, db_url)
    remembered = client.post("/api/imports/date-rules", headers=office, json={"rule": "two_digit_year"})
    assert remembered.status_code == 200, remembered.text
    found = _send(client, office, "preview", path, kind="text/csv").json()
    assert "99/9/18" not in {u["written"] for u in found["unresolved"]}
    row = _row(found["check"], 2)
    assert row["status"] == "accepted" and not row.get("flags")
    wrong = client.post("/api/imports/date-rules?lang=fa", headers=office, json={"rule": "any"})
    assert wrong.status_code in (400, 422)
    with transaction(db_url) as conn:
        agency = bearer_headers(conn, "agency-d", "agency", agency="urban_services")
    refused = client.post("/api/imports/date-rules", headers=agency, json={"rule": "two_digit_year"})
    assert refused.status_code == 403


def _work_ids(client, headers, batch: int, show: str) -> set[int]:
    page = client.get(f"/work?batch={batch}&show={show}", headers=headers)
    assert page.status_code == 200, page.text[:300]
    data = page.text.split('id="work-data">', 1)[1].split("</script>", 1)[0]
    return {spot["id"] for spot in json.loads(data)["spots"]}


def test_the_summary_counts_open_the_batch_in_the_work_list(client, office, db_url, tmp_path) -> None:
    path = messy_xlsx(db_url, tmp_path / "letter.xlsx")
    _known(client, office)
    first = _send(client, office, "reports", path).json()
    batch = first["batch_id"]
    spots = {r["spot_id"] for r in first["rows"] if r["status"] == "accepted"}
    assert _work_ids(client, office, batch, "accepted") == spots
    assert _work_ids(client, office, batch, "new") == spots  # the list's places were clear of every spot
    shown = client.get(f"/api/imports/batches/{batch}", headers=office).json()
    placed_by_address = {r["spot_id"] for r in shown["reports"] if r["row"] == 7}
    assert shown["to_place"] == 1 and _work_ids(client, office, batch, "place") == placed_by_address
    page = client.get(f"/work?batch={batch}&show=place", headers=office)
    assert f"نقطه‌های نامهٔ واردشدهٔ {batch}: در انتظار تعیین مکان" in page.text

    again = _send(client, office, "reports", path, ref="۱۲۶").json()  # the same file, another letter
    assert again["duplicates"] == 4
    assert _work_ids(client, office, again["batch_id"], "duplicates") == spots
    assert _work_ids(client, office, again["batch_id"], "accepted") == set()
    with transaction(db_url) as conn:
        agency = bearer_headers(conn, "agency-w", "agency", agency="urban_services")
    assert 'id="batch-filter"' not in client.get(f"/work?batch={batch}", headers=agency).text
    assert client.get(f"/work?batch={batch}&show=everything", headers=office).status_code == 422


def test_a_5000_row_file_goes_from_preview_through_hand_matched_columns_to_a_job(
    client, office, db_url, tmp_path
) -> None:
    places = [point_in(db_url, code) for code in ("2201", "2203", "2205", "2209")]
    lines = ["مشکل محل,y,x,شرح"]
    lines += [f"زمین خالی,{places[n % 4][1]:.6f},{places[n % 4][0]:.6f},ردیف {n}" for n in range(5000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    unmatched = _send(client, office, "preview", path, kind="text/csv")
    assert unmatched.status_code == 400 and "مشکل محل" in unmatched.json()["error"]["message"]
    choices = ["مشکل محل=category", "y=lat", "x=lon", "شرح=description"]
    found = _send(client, office, "preview", path, kind="text/csv", map=choices).json()
    assert found["mapping"]["category"] == "مشکل محل" and found["check"] is None
    assert len(found["rows"]) == 10

    started = _send(client, office, "reports", path, kind="text/csv", map=choices, partial="true")
    assert started.status_code == 202, started.text
    job = finished_job(client, started.headers["location"], office, timeout=120)
    assert (job["state"], job["accepted"], job["rejected"]) == ("done", 5000, 0), job
    assert job["rows_done"] == job["rows_total"] == 5000
    described = query_one(
        db_url,
        "SELECT count(*) FROM report WHERE import_batch_id = %s AND description LIKE 'ردیف %%'",
        (job["batch_id"],),
    )
    assert described[0] == 5000
