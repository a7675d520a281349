"""The database itself refuses what must never be stored, and the error names the field."""

import json

import psycopg2
import pytest

from gis.db import transaction
from gis.errors import InvalidInput, SafemapError
from gis.vocabulary import AUDIT_KEYS

POINT = "SRID=4326;POINT(51.2 35.745)"
BOWTIE = "SRID=4326;POLYGON((51.20 35.74, 51.21 35.75, 51.21 35.74, 51.20 35.75, 51.20 35.74))"


def _spot_count(url: str) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot")
        return cur.fetchone()[0]


@pytest.mark.parametrize(
    ("geom", "category", "stage", "field"),
    [
        (BOWTIE, "poor_lighting", 1, "geometry"),
        ("SRID=4326;POINT EMPTY", "poor_lighting", 1, "geometry"),
        ("SRID=4326;GEOMETRYCOLLECTION(POINT(51.2 35.745))", "poor_lighting", 1, "geometry"),
        (POINT, "dark_corner", 1, "category"),
        (POINT, "poor_lighting", 5, "stage"),
        (POINT, "poor_lighting", 0, "stage"),
    ],
)
def test_bad_spots_are_refused_naming_the_field(db_url, geom, category, stage, field):
    before = _spot_count(db_url)
    with pytest.raises(InvalidInput) as caught:
        with transaction(db_url) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO spot (geom, category, stage) VALUES (%s, %s, %s)", (geom, category, stage)
            )
    assert caught.value.field == field
    assert _spot_count(db_url) == before


@pytest.mark.parametrize(
    ("audit", "time_of_day", "field"),
    [
        ({"lighting": 4}, "night", "audit"),
        ({"lighting": -1}, "night", "audit"),
        ({"smell": 2}, "night", "audit"),
        ({"lighting": "2"}, "night", "audit"),
        ({"lighting": None, "feeling": None}, "night", "audit"),
        ({}, "night", "audit"),
        ({"lighting": 2}, "midnight", "time_of_day"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(db_url, audit, time_of_day, field):
    with pytest.raises(InvalidInput) as caught:
        with transaction(db_url) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO report (uuid, source, geom, category, audit, time_of_day)"
                " VALUES (gen_random_uuid(), 'mayor', %s, 'poor_lighting', %s, %s)",
                (POINT, json.dumps(audit), time_of_day),
            )
    assert caught.value.field == field


def test_a_full_valid_audit_is_accepted(conn):
    audit = dict.fromkeys(AUDIT_KEYS, 3)  # every criterion of the one vocabulary
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report (uuid, source, geom, category, audit) VALUES (gen_random_uuid(), 'field', %s,"
            " 'vacant_lot', %s) RETURNING audit->>'feeling'",
            (POINT, json.dumps(audit)),
        )
        assert cur.fetchone()[0] == "3"


def test_a_partial_audit_keeps_its_zero_and_its_not_assessed(conn):
    audit = {"lighting": 0, "openness": None, "visibility": None, "people": None, "feeling": 1}
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report (uuid, source, geom, category, audit) VALUES (gen_random_uuid(), 'field', %s,"
            " 'vacant_lot', %s) RETURNING audit, safety_audit_mean(audit), safety_audit_score(audit)",
            (POINT, json.dumps(audit)),
        )
        stored, mean, score = cur.fetchone()
    assert stored == audit
    assert float(mean) == 0.5  # (0 + 1) / 2: the three not assessed are skipped, the 0 counts
    assert float(score) == 2.5  # 1 + 3 × 0.5


def test_the_same_client_uuid_cannot_make_two_reports(db_url):
    insert = (
        "INSERT INTO report (uuid, source, geom, category)"
        " VALUES ('7b0e3f5e-1d2c-4b8a-9f00-000000000001', 'hotline_137', %s, 'other')"
    )
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(insert, (POINT,))
    with pytest.raises(InvalidInput):
        with transaction(db_url) as conn, conn.cursor() as cur:
            cur.execute(insert, (POINT,))


def test_spot_history_cannot_be_edited_or_deleted(db_url):
    for statement in ("UPDATE spot_event SET note = 'rewritten'", "DELETE FROM spot_event"):
        with pytest.raises(SafemapError, match="append-only"):
            with transaction(db_url) as conn, conn.cursor() as cur:
                cur.execute(statement)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot_event WHERE note = 'rewritten'")
        assert cur.fetchone()[0] == 0
