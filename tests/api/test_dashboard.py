"""The programme dashboard and programme tracking over HTTP, checked against SQL on the demo data."""

import re
from datetime import date, timedelta

import pytest

from gis import clock
from gis.db import transaction
from gis.lang import jalali
from tests.conftest import bearer_headers, query_all

ROLES = {
    "deputy": "deputy",
    "gis": "gis_office",
    "watcher": "viewer",
    "sara": "facilitator",
    "roads": "agency",
}


@pytest.fixture
def tokens(db_url, cheap_passwords):
    with transaction(db_url) as conn:
        return {
            name: bearer_headers(
                conn,
                name,
                role,
                areas=["2201"] if role == "facilitator" else (),
                agency="traffic" if role == "agency" else None,
            )
            for name, role in ROLES.items()
        }


def _focus_groups(db_url: str, since: str, until: str) -> dict:
    """Focus groups held in a period, when the intake's table exists (the dashboard counts 0 otherwise)."""
    if not query_all(db_url, "SELECT to_regclass('focus_group') IS NOT NULL")[0][0]:
        return {"count": 0, "attendance": 0}
    count, attendance = query_all(
        db_url,
        "SELECT count(*), coalesce(sum(participants), 0) FROM focus_group WHERE held_on BETWEEN %s AND %s",
        (since, until),
    )[0]
    return {"count": count, "attendance": attendance}


@pytest.mark.dated
def test_the_figures_match_sql_counts(client, tokens, db_url):
    figures = client.get("/api/dashboard", headers=tokens["deputy"]).json()
    by_stage = dict(
        query_all(db_url, "SELECT stage, count(*) FROM spot WHERE status IN ('open', 'resolved') GROUP BY 1")
    )
    assert [figures["totals"][f"stage_{n}"] for n in range(1, 5)] == [by_stage.get(n, 0) for n in range(1, 5)]
    assert figures["totals"]["total"] == 70
    assert (
        figures["totals"]["resolved"]
        == query_all(db_url, "SELECT count(*) FROM spot WHERE status = 'resolved'")[0][0]
    )
    sharif = next(r for r in figures["stages_by_area"] if r["code"] == "2201")
    assert (
        sharif["stage_1"]
        == query_all(
            db_url,
            "SELECT count(*) FROM spot s JOIN area a ON a.id = s.area_id"
            " WHERE a.code = '2201' AND s.stage = 1",
        )[0][0]
    )
    overdue = dict(
        query_all(
            db_url,
            "SELECT g.code, count(*) FROM spot_action x JOIN agency g ON g.id = x.agency_id"
            " WHERE x.status IN ('assigned', 'in_progress') AND x.due_on < current_date"
            " GROUP BY 1",
        )
    )
    assert (
        overdue and {r["code"]: r["overdue"] for r in figures["overdue_by_agency"] if r["overdue"]} == overdue
    )
    assert len(figures["resolved_audits"]) == figures["totals"]["resolved"]
    assert all(float(r["after"]) > float(r["before"]) for r in figures["resolved_audits"])
    assert figures["activities_held"]["meeting"]["count"] == 4
    assert figures["activities_held"]["focus_group"] == _focus_groups(db_url, "2020-01-01", "2030-01-01")
    assert [p["planned_start_jalali"] for p in figures["phases"]][0] == "1399/09/01"
    last = figures["funnel"][-1]
    assert last["stage_1"] == 70 and last["stage_4"] >= figures["totals"]["stage_4"]
    assert all(row["median_days"] is not None for row in figures["median_days"])


@pytest.mark.dated
def test_filters_narrow_the_figures(client, tokens, db_url):
    only = client.get("/api/dashboard", params={"area": "2209"}, headers=tokens["gis"]).json()
    assert [r["code"] for r in only["stages_by_area"]] == ["2209"] and only["totals"]["total"] == 7
    assert only["activities_held"]["training"]["count"] == 1
    period = client.get(
        "/api/dashboard", params={"since": "۱۳۹۹/۰۹/۰۱", "until": "1399/10/30"}, headers=tokens["watcher"]
    ).json()
    assert period["activities_held"] == {
        "meeting": {"count": 2, "attendance": 15},
        "training": {"count": 3, "attendance": 57},
        "focus_group": _focus_groups(db_url, "2020-11-21", "2021-01-19"),
    }
    assert period["totals"]["total"] == 0 and period["filters"]["since"] == "2020-11-21"
    bad = client.get("/api/dashboard", params={"since": "1399/13/40"}, headers=tokens["deputy"])
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "since"


def test_only_the_deputy_gis_office_and_viewers_see_the_dashboard(client, tokens):
    assert client.get("/api/dashboard").status_code == 401
    assert client.get("/api/dashboard", headers=tokens["sara"]).status_code == 403
    assert client.get("/api/dashboard", headers=tokens["roads"]).status_code == 403
    page = client.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=%2Fdashboard")


@pytest.mark.dated
def test_the_page_is_persian_with_jalali_dates_and_english_on_request(client, tokens, db_url):
    page = client.get("/dashboard", headers=tokens["deputy"])
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "۱۳۹۹/۰۹/۱۰" in page.text and "<svg" in page.text and "@media print" in page.text
    total = query_all(db_url, "SELECT count(*) FROM spot WHERE status IN ('open', 'resolved')")[0][0]
    assert f'data-key="total">{str(total).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))}<' in page.text
    english = client.get("/dashboard", params={"lang": "en", "area": "2201"}, headers=tokens["deputy"])
    assert 'dir="ltr"' in english.text and "1399/09/10" in english.text and "Stage funnel" in english.text


@pytest.mark.dated
def test_the_deputy_records_activities_and_phases_with_jalali_dates(client, tokens):
    meeting = client.post(
        "/api/programme/activities",
        headers=tokens["deputy"],
        json={
            "kind": "meeting",
            "held_on": "۱۳۹۹/۱۲/۱۴",
            "title": "جلسهٔ ویژه",
            "attendees": {"پلیس": 2, "برق": 1},
            "decisions": "روشنایی پارک",
        },
    )
    assert meeting.status_code == 201
    assert (meeting.json()["held_on"], meeting.json()["attendance"]) == ("2021-03-04", 3)
    training = client.post(
        "/api/programme/activities",
        headers=tokens["deputy"],
        json={
            "kind": "training",
            "held_on": "1399/12/01",
            "title": "آموزش",
            "area": "2205",
            "attendance": 12,
        },
    )
    assert training.status_code == 201 and training.json()["area_code"] == "2205"
    assert (
        client.post(
            "/api/programme/activities",
            headers=tokens["deputy"],
            json={"kind": "training", "held_on": "1399/12/01", "title": "آموزش"},
        ).json()["error"]["field"]
        == "area"
    )
    assert (
        client.post(
            "/api/programme/activities",
            headers=tokens["gis"],
            json={"kind": "meeting", "held_on": "1399/12/01", "title": "x"},
        ).status_code
        == 403
    )
    phase = client.post(
        "/api/programme/phases",
        headers=tokens["deputy"],
        json={"name_fa": "گسترش به محله‌های دیگر", "planned_start": "1400/01/15", "planned_end": "1400/03/31"},
    )
    assert phase.status_code == 201 and phase.json()["planned_end_jalali"] == "1400/03/31"
    backwards = client.post(
        "/api/programme/phases",
        headers=tokens["deputy"],
        json={"name_fa": "x", "planned_start": "1400/03/01", "planned_end": "1400/01/01"},
    )
    assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "planned_end"
    done = client.patch(
        f"/api/programme/phases/{phase.json()['id']}",
        headers=tokens["deputy"],
        json={"actual_start": "1400/01/20", "actual_end": "1400/04/10"},
    )
    assert done.json()["slip_days"] == 10
    listed = client.get(
        "/api/programme/activities", params={"since": "1399/12/01"}, headers=tokens["watcher"]
    )
    assert [a["title"] for a in listed.json()] == [
        "آموزش",
        "جلسهٔ چهارم کارگروه: گزارش به شورای اجرایی",
        "جلسهٔ ویژه",
    ]


def test_the_deputy_manages_agencies(client, tokens):
    added = client.post(
        "/api/agencies",
        headers=tokens["deputy"],
        json={"code": "water", "name_fa": "شركت آب", "name_en": "Water company"},
    )
    assert added.status_code == 201 and added.json()["name_fa"] == "شرکت آب"
    assert (
        client.post(
            "/api/agencies", headers=tokens["deputy"], json={"code": "water", "name_fa": "x"}
        ).status_code
        == 409
    )
    assert (
        client.post("/api/agencies", headers=tokens["gis"], json={"code": "w2", "name_fa": "x"}).status_code
        == 403
    )
    assert client.post("/api/agencies/water/deactivate", headers=tokens["deputy"]).status_code == 200
    codes = [a["code"] for a in client.get("/api/agencies", headers=tokens["roads"]).json()]
    assert "water" not in codes and "traffic" in codes
    assert client.post("/api/agencies/nope/deactivate", headers=tokens["deputy"]).status_code == 404


@pytest.mark.dated
def test_a_phase_slips_by_one_definition_on_the_dashboard_the_programme_page_and_the_council_report(
    client, tokens
):
    """Finished early is negative, running past its planned end is late by the days to today (Tehran's), on
    time is none: the dashboard, the programme page and the council report read the same figure."""
    today = clock.today()

    def phase(name: str, end: date, **actual: date) -> dict:
        start = end - timedelta(days=30)
        body = {"name_fa": name, "planned_start": jalali(start), "planned_end": jalali(end)}
        made = client.post("/api/programme/phases", headers=tokens["deputy"], json=body).json()
        dates = {key: jalali(value) for key, value in actual.items()}
        path = f"/api/programme/phases/{made['id']}"
        return client.patch(path, headers=tokens["deputy"], json=dates).json()

    early = phase(
        "زود",
        today - timedelta(days=20),
        actual_start=today - timedelta(days=50),
        actual_end=today - timedelta(days=25),
    )
    late = phase("دیر", today - timedelta(days=7), actual_start=today - timedelta(days=40))
    on_time = phase("به‌موقع", today + timedelta(days=3), actual_start=today - timedelta(days=2))
    assert (early["slip_days"], late["slip_days"], on_time["slip_days"]) == (-5, 7, None)
    figures = client.get("/api/dashboard", headers=tokens["deputy"]).json()
    slips = {p["name_fa"]: p["slip_days"] for p in figures["phases"]}
    assert (slips["زود"], slips["دیر"], slips["به‌موقع"]) == (-5, 7, None)
    page = client.get("/programme", headers=tokens["deputy"]).text
    assert re.search(rf'data-phase="{late["id"]}" class="late"', page)
    assert not re.search(rf'data-phase="{early["id"]}" class="late"', page)
