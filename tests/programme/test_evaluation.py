"""Stage 4 evidence over HTTP, checked against figures computed here from the stored audits and reports:
safety scores, which criteria go with the feeling of safety, a fixed spot's before/after panel with photos,
and the programme's evaluation against comparable unfixed spots."""

import math

import psycopg2
import pytest
from scipy import stats

from gis.db import transaction
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import bearer_headers

PHYSICAL = tuple(key for key in AUDIT_KEYS if key != "feeling")


@pytest.fixture
def deputy(db_url):
    with transaction(db_url) as conn:
        return bearer_headers(conn, "test-deputy", "deputy")


def _rows(db_url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _score(audit: dict) -> float:
    """The documented formula (gis/programme/safety.py): 1 + 3 × the mean of the assessed criteria."""
    values = [v for v in audit.values() if v is not None]
    return round(1 + 3 * sum(values) / len(values), 1)


def _resolved_spot(db_url: str) -> int:
    return _rows(
        db_url,
        "SELECT s.id FROM spot s WHERE s.status = 'resolved'"
        " AND EXISTS (SELECT 1 FROM site_visit v JOIN visit_photo p ON p.visit_id = v.id"
        "             WHERE v.spot_id = s.id AND v.purpose = 're_audit')"
        " ORDER BY s.id LIMIT 1",
    )[0][0]


@pytest.mark.dated
def test_a_fixed_demo_spot_shows_its_before_and_after_with_photos_and_recurrence(client, deputy, db_url):
    spot = _resolved_spot(db_url)
    evidence = client.get(f"/api/spots/{spot}/evidence", headers=deputy)
    assert evidence.status_code == 200, evidence.text
    body = evidence.json()
    visits = _rows(
        db_url,
        "SELECT purpose, audit, time_of_day FROM site_visit WHERE spot_id = %s ORDER BY visited_on, id",
        (spot,),
    )
    first = next(v for v in visits if v[0] == "visit")
    later = [v for v in visits if v[0] == "re_audit"][-1]
    panel = body["evaluation"]
    assert panel["before"]["score"] == _score(first[1]) and panel["after"]["score"] == _score(later[1])
    assert panel["change"] == pytest.approx(_score(later[1]) - _score(first[1]), abs=0.05)
    assert panel["after"]["time_of_day"] == panel["before"]["time_of_day"] == first[2]
    changed = {c["criterion"] for c in panel["changed_criteria"]}
    assert changed == {k for k, v in first[1].items() if v is not None and later[1].get(k) not in (None, v)}
    period = "day" if first[2] == "day" else "night"
    assert panel["periods"][period]["after"] == _score(later[1])
    assert body["scores"][period]["score"] == _score(later[1])
    assert body["scores"][period]["band"] in ("green", "amber", "red")
    phases = {(p["source"], p["phase"]) for p in body["photos"]}
    assert {("visit", "before"), ("re_audit", "after")} <= phases
    photo = client.get(body["photos"][0]["href"] + "?thumb=true", headers=deputy)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    fixed_at = _rows(
        db_url, "SELECT max(done_at) FROM spot_action WHERE spot_id = %s AND status = 'done'", (spot,)
    )
    before, after = _rows(
        db_url,
        "SELECT count(*) FILTER (WHERE r.reported_at < %s), count(*) FILTER (WHERE r.reported_at >= %s)"
        " FROM report r, spot s WHERE s.id = %s AND ST_DWithin(r.geom::geography, s.geom::geography, 50)",
        (fixed_at[0][0], fixed_at[0][0], spot),
    )[0]
    assert (panel["recurrence"]["before"], panel["recurrence"]["after"]) == (before, after)
    assert panel["recurrence"]["months_after"] > 0


def test_staff_see_every_photo_and_a_viewer_only_public_ones(client, deputy, db_url, viewer_headers):
    spot = _resolved_spot(db_url)
    staff = client.get(f"/api/spots/{spot}/evidence", headers=deputy).json()["photos"]
    viewer = client.get(f"/api/spots/{spot}/evidence", headers=viewer_headers).json()["photos"]
    assert staff and viewer == []
    assert client.get(staff[0]["href"], headers=viewer_headers).status_code == 404


@pytest.mark.dated
def test_criteria_vs_feeling_and_neighbourhood_scores_match_the_stored_audits(client, deputy, db_url):
    figures = client.get("/api/dashboard/evaluation", headers=deputy)
    assert figures.status_code == 200, figures.text
    audits = [
        row[0]
        for row in _rows(
            db_url,
            "SELECT audit FROM report WHERE audit IS NOT NULL AND spot_id IS NOT NULL"
            " UNION ALL SELECT audit FROM site_visit WHERE audit IS NOT NULL",
        )
    ]
    criteria = {row["criterion"]: row for row in figures.json()["criteria"]}
    assert set(criteria) == set(PHYSICAL)
    for key in PHYSICAL:
        pairs = [
            (a[key], a["feeling"]) for a in audits if a.get(key) is not None and a.get("feeling") is not None
        ]
        rho = stats.spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic
        half = 1.959964 * 1.06 / math.sqrt(len(pairs) - 3)
        assert criteria[key]["n"] == len(pairs)
        assert criteria[key]["rho"] == pytest.approx(rho, abs=0.001)
        assert criteria[key]["low"] == pytest.approx(math.tanh(math.atanh(rho) - half), abs=0.001)
        assert criteria[key]["high"] == pytest.approx(math.tanh(math.atanh(rho) + half), abs=0.001)
    # A neighbourhood's night score: the mean over its spots of each spot's latest visit at night, else the
    # mean of its reports' audits taken in the evening or at night.
    code, spots = _rows(
        db_url,
        "SELECT a.code, array_agg(s.id) FROM area a JOIN spot s ON s.area_id = a.id"
        " WHERE s.status IN ('open', 'resolved') GROUP BY a.code ORDER BY count(*) DESC LIMIT 1",
    )[0]
    scores = []
    for spot in spots:
        visits = _rows(
            db_url,
            "SELECT audit FROM site_visit WHERE spot_id = %s AND audit IS NOT NULL"
            " AND time_of_day IN ('evening', 'night') ORDER BY visited_on DESC, id DESC LIMIT 1",
            (spot,),
        )
        reports = _rows(
            db_url,
            "SELECT audit FROM report WHERE spot_id = %s AND audit IS NOT NULL"
            " AND time_of_day IN ('evening', 'night')",
            (spot,),
        )
        if visits:
            scores.append(_score(visits[0][0]))
        elif reports:
            scores.append(round(sum(_score(r[0]) for r in reports) / len(reports), 1))
    row = next(r for r in figures.json()["neighbourhoods"] if r["code"] == code)
    assert row["night"]["spots"] == len(scores)
    assert row["night"]["score"] == pytest.approx(sum(scores) / len(scores), abs=0.051)


@pytest.mark.dated
def test_the_programme_evaluation_equals_sql_counts(client, deputy, db_url):
    figures = client.get("/api/dashboard/evaluation", headers=deputy).json()["programme"]
    fixed = _rows(
        db_url,
        "SELECT s.id, s.category, safety_audit_score(spot_audit_before(s.id)),"
        " safety_audit_score(spot_audit_after(s.id))"
        " FROM spot s WHERE s.status IN ('open', 'resolved')"
        " AND EXISTS (SELECT 1 FROM spot_action x WHERE x.spot_id = s.id AND x.status = 'done')",
    )
    scored = [(b, a) for _, _, b, a in fixed if b is not None and a is not None]
    assert figures["fixed"]["spots"] == len(fixed) > 0
    assert figures["fixed"]["re_audited"] == len(scored) > 0
    assert figures["fixed"]["improved"] == sum(1 for b, a in scored if a > b) > 0
    assert figures["fixed"]["mean_change"] == pytest.approx(
        float(sum(a - b for b, a in scored)) / len(scored), abs=0.006
    )
    recurrence = _rows(
        db_url,
        "SELECT count(*) FILTER (WHERE r.reported_at < f.at), count(*) FILTER (WHERE r.reported_at >= f.at)"
        " FROM (SELECT spot_id, max(done_at) AS at FROM spot_action WHERE status = 'done' GROUP BY 1) f"
        " JOIN spot s ON s.id = f.spot_id AND s.status IN ('open', 'resolved')"
        " JOIN report r ON ST_DWithin(r.geom::geography, s.geom::geography, 50)",
    )[0]
    assert (figures["fixed"]["reports_before"], figures["fixed"]["reports_after"]) == recurrence
    baseline = _rows(
        db_url,
        "SELECT count(*) FROM spot s WHERE s.status = 'open' AND s.category = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM spot_action x WHERE x.spot_id = s.id AND x.status = 'done')",
        (sorted({c for _, c, _, _ in fixed}),),
    )[0][0]
    assert figures["baseline"]["spots"] == baseline > 0


@pytest.mark.dated
def test_the_dashboard_page_shows_the_evaluation_the_api_gives(client, deputy):
    figures = client.get("/api/dashboard/evaluation", headers=deputy).json()
    page = client.get("/dashboard", params={"lang": "en"}, headers=deputy)
    assert page.status_code == 200 and 'id="evaluation"' in page.text
    fixed = figures["programme"]["fixed"]
    assert (
        f'<tr data-row="improved"><th>Improved</th>\n        <td class="n" data-fixed="{fixed["improved"]}">'
        in page.text
    )
    strongest = figures["criteria"][0]
    assert f'data-criterion="{strongest["criterion"]}" data-rho="{strongest["rho"]}"' in page.text


def test_the_map_popup_details_carry_the_day_and_night_scores(client, db_url):
    spot = _resolved_spot(db_url)
    feature = client.get(f"/api/spots/{spot}").json()  # the public's view: resolved spots are public
    day, night = _rows(
        db_url, "SELECT spot_safety_score(%s, 'day'), spot_safety_score(%s, 'night')", (spot, spot)
    )[0]
    for period, expected in (("day", day), ("night", night)):
        shown = feature["properties"]["safety"][period]
        assert shown["score"] == (float(expected) if expected is not None else None)
        assert shown["band"] == (
            None if expected is None else "green" if expected >= 7 else "amber" if expected >= 4 else "red"
        )
