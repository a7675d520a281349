"""Stage moves have one record (spot_transition): the workflow's real moves count in the remediation analysis
and the dashboard, other events naming a spot `to` do not, and "audit before" means the same everywhere."""

import json
from datetime import date

import psycopg2
import pytest

from gis.db import transaction
from gis.programme import workflow
from gis.programme.dashboard import dashboard
from gis.publish.analysis import remediation_by_category
from gis.spots import SpotScope, record_event
from gis.users import get_user
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import bearer_headers
from tests.programme.walk import finish_action, start_work

LOW = dict.fromkeys(AUDIT_KEYS, 0) | {"lighting": 2, "openness": 1}
HIGH = dict.fromkeys(AUDIT_KEYS, 3)
PEOPLE = {"gis": "gis_office", "deputy": "deputy", "roads": "agency"}


@pytest.fixture
def world(db_url, cheap_passwords) -> dict:
    """Staff, and a neighbourhood of its own (no demo spots in it) with two spots at stage 1."""
    with transaction(db_url) as conn, conn.cursor() as cur:
        headers = {
            name: bearer_headers(conn, name, role, agency="traffic" if role == "agency" else None)
            for name, role in PEOPLE.items()
        }
        cur.execute(
            "INSERT INTO area (level, code, name_fa, geom) VALUES ('neighbourhood', 'T22', 'آزمون',"
            " ST_Multi(ST_MakeEnvelope(51.0, 35.0, 51.01, 35.01, 4326))) RETURNING id"
        )
        (area_id,) = cur.fetchone()
        spots = []
        for title in ("walked", "split"):
            cur.execute(
                "INSERT INTO spot (geom, category, area_id, title) VALUES"
                " (ST_SetSRID(ST_MakePoint(51.005, 35.005), 4326), 'poor_lighting', %s, %s) RETURNING id",
                (area_id, title),
            )
            spots.append(cur.fetchone()[0])
    return {"headers": headers, "area_id": area_id, "walked": spots[0], "split": spots[1]}


def _walk_to_resolved(db_url: str, spot_id: int) -> None:
    """Every stage through the workflow's own functions, one transaction each, as the right roles."""
    with transaction(db_url) as conn:
        gis, deputy, roads = (get_user(conn, n) for n in PEOPLE)
        version = workflow.verify(conn, user=gis, spot_id=spot_id, version=1)
    with transaction(db_url) as conn:
        start_work(conn, gis=gis, deputy=deputy, spot_id=spot_id, version=version, audit=LOW)
        version = finish_action(conn, agency=roads, spot_id=spot_id)
    with transaction(db_url) as conn:
        version = workflow.evaluate(
            conn, user=deputy, spot_id=spot_id, version=version, visited_on=date(2026, 11, 10), audit=HIGH
        )
    with transaction(db_url) as conn:
        workflow.close(conn, user=deputy, spot_id=spot_id, version=version, reason="lit now")


@pytest.mark.dated
def test_a_spot_moved_by_the_workflow_counts_in_time_in_remediation(db_url, world):
    _walk_to_resolved(db_url, world["walked"])
    with psycopg2.connect(db_url) as conn:
        rows = remediation_by_category(conn, scope=SpotScope(area_ids=(world["area_id"],)))
    lighting = next(row for row in rows if row["category"] == "poor_lighting")
    assert lighting["resolved"] == 1
    assert lighting["median_days_in_remediation"] is not None and lighting["median_days_in_remediation"] >= 0


@pytest.mark.dated
def test_the_dashboard_counts_stage_moves_and_nothing_else(db_url, world):
    _walk_to_resolved(db_url, world["walked"])
    with transaction(db_url) as conn, conn.cursor() as cur:  # what edits.split writes: `to` is a spot there
        record_event(
            cur, world["split"], get_user(conn, "gis"), "report_split", "elsewhere", report_id=1, to=99
        )
    with psycopg2.connect(db_url) as conn:
        figures = dashboard(conn, area="T22")
    spans = {row["stage"]: row["spans"] for row in figures["median_days"]}
    assert spans == {1: 1, 2: 1, 3: 1, 4: 1}
    reached = figures["funnel"][-1]
    assert (reached["stage_1"], reached["stage_2"], reached["stage_4"], reached["resolved"]) == (2, 1, 1, 1)


@pytest.mark.dated
def test_audit_before_is_one_definition_on_the_dashboard_and_the_analysis(client, db_url, world):
    _walk_to_resolved(db_url, world["walked"])
    with transaction(db_url) as conn, conn.cursor() as cur:  # a report's own audit, unlike the site visit's
        cur.execute(
            "INSERT INTO report (uuid, spot_id, source, geom, category, area_id, audit)"
            " SELECT gen_random_uuid(), s.id, 'focus_group', s.geom, s.category, s.area_id, %s"
            " FROM spot s WHERE s.id = %s",
            (json.dumps(dict.fromkeys(AUDIT_KEYS, 1)), world["walked"]),
        )
    headers = world["headers"]["deputy"]
    board = client.get("/api/dashboard", headers=headers).json()["resolved_audits"]
    analysis = client.get("/api/analysis/audit-change", headers=headers).json()["spots"]
    on_board = {row["id"]: (row["before"], row["after"]) for row in board}
    in_analysis = {row["id"]: (row["before"], row["after"]) for row in analysis}
    mean_low = round(sum(LOW.values()) / len(LOW), 2)
    assert on_board[world["walked"]] == in_analysis[world["walked"]] == (mean_low, 3.0)
    assert on_board == {spot: in_analysis[spot] for spot in on_board}


def test_a_spots_history_names_the_stages_of_each_move(client, db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT t.spot_id, f.label_en, s.label_en FROM spot_transition t"
            " JOIN stage f ON f.number = t.from_stage JOIN stage s ON s.number = t.to_stage"
            " WHERE t.kind = 'stage_changed' ORDER BY t.id LIMIT 1"
        )
        spot_id, before, after = cur.fetchone()
    page = client.get(f"/spots/{spot_id}", params={"lang": "en"}).text
    assert f"{before} → {after}" in " ".join(page.split())
