"""The District 22 demo: real boundaries, and a realistic, reproducible set of reports and spots."""

import csv
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gis.aggregation.aggregate import refresh_spots
from gis.db import Conn
from gis.demo.history import load_demo_workflow
from gis.errors import read_catalogue
from gis.places.areas import import_areas, read_area_file
from gis.places.landmarks import load_landmarks
from gis.spots import record_transition
from gis.vocabulary import AUDIT_KEYS

DATA = Path(__file__).resolve().parents[2] / "data"
SEED = 22
SPOTS_PER_NEIGHBOURHOOD = 7
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
# What a demo report says, by its category (the spots take the categories in this order): district.toml.
DESCRIPTIONS: dict[str, str] = read_catalogue(Path(__file__).with_name("district.toml"))["descriptions"]
SOURCES = ("mayor", "focus_group", "hotline_137", "field")


def load_base_areas(conn: Conn) -> int:
    """Load District 22's boundary and its 10 neighbourhoods (idempotent). Returns the number of areas."""
    boundary = read_area_file(DATA / "district22_boundary_wgs84.geojson")
    boundary["code"] = "22"
    boundary["name_fa"] = "منطقهٔ ۲۲"
    boundary["name_en"] = "District 22"
    import_areas(conn, boundary, level="district")
    import_areas(conn, read_area_file(DATA / "district22_mahallat_wgs84.geojson"), level="neighbourhood")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM area")
        return cur.fetchone()[0]


def load_agencies(conn: Conn) -> None:
    with open(DATA / "agencies.csv", encoding="utf-8") as handle, conn.cursor() as cur:
        for row in csv.DictReader(handle):
            cur.execute(
                "INSERT INTO agency (code, name_fa, name_en) VALUES (%(code)s, %(name_fa)s, %(name_en)s)"
                " ON CONFLICT (code) DO NOTHING",
                row,
            )


def load_demo(conn: Conn) -> dict[str, int]:
    """Load areas, agencies, the base map's landmarks and (once) the demo reports and spots; return what the
    database then holds."""
    load_base_areas(conn)
    load_agencies(conn)
    load_landmarks(conn, DATA)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot")
        if cur.fetchone()[0] == 0:
            _demo_spots(conn)
        load_demo_workflow(conn)
        cur.execute(
            "SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM spot), (SELECT count(*) FROM report)"
        )
        areas, spots, reports = cur.fetchone()
    return {"areas": areas, "spots": spots, "reports": reports}


def _demo_spots(conn: Conn) -> None:
    rng = random.Random(SEED)
    categories = list(DESCRIPTIONS)
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT a.id, (ST_Dump(ST_GeneratePoints(a.geom, %s, %s))).geom
            FROM area a WHERE a.level = 'neighbourhood' ORDER BY a.code
            """,
            (SPOTS_PER_NEIGHBOURHOOD, SEED),
        )
        points = cur.fetchall()
        for number, (area_id, point) in enumerate(points):
            category = categories[number % len(categories)]
            stage = (1, 1, 1, 2, 2, 3, 3, 3, 4, 4)[rng.randrange(10)]
            status = "resolved" if stage == 4 and rng.random() < 0.5 else "open"
            first_seen = START + timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 10))
            cur.execute(
                """
                INSERT INTO spot (geom, category, stage, status, area_id, title, created_at, updated_at)
                SELECT CASE %(category)s
                           WHEN 'river_highway_margin' THEN
                               ST_MakeLine(%(p)s::geometry,
                                           ST_Project(%(p)s::geography, 180, radians(%(az)s))::geometry)
                           WHEN 'park_corner' THEN ST_Buffer(%(p)s::geography, 35, 4)::geometry
                           ELSE %(p)s::geometry END,
                       %(category)s, %(stage)s, %(status)s, %(area)s,
                       (SELECT c.label_fa || ' – ' || a.name_fa FROM category c, area a
                        WHERE c.code = %(category)s AND a.id = %(area)s),
                       %(at)s, %(at)s
                RETURNING id
                """,
                {
                    "p": point,
                    "az": rng.randrange(360),
                    "category": category,
                    "stage": stage,
                    "status": status,
                    "area": area_id,
                    "at": first_seen,
                },
            )
            spot_id = cur.fetchone()[0]
            _demo_reports(cur, rng, spot_id, point, category, first_seen)
            _demo_history(cur, rng, spot_id, stage, status, first_seen)
    refresh_spots(conn)


def _demo_reports(
    cur, rng: random.Random, spot_id: int, point: str, category: str, first_seen: datetime
) -> None:
    for index in range(rng.choice((1, 2, 3, 4, 5, 6, 8))):
        source = SOURCES[(spot_id + index) % len(SOURCES)] if index else rng.choice(SOURCES)
        audit = {k: rng.randrange(4) for k in AUDIT_KEYS} if source in ("focus_group", "field") else None
        provenance = {"demo": True}
        if source == "mayor":
            provenance["letter"] = f"۱۴۰۵/{rng.randrange(100, 999)}"
        cur.execute(
            """
            INSERT INTO report (uuid, spot_id, source, source_ref, provenance, geom, category, description,
                                area_id, time_of_day, audit, reported_at)
            SELECT %(uuid)s, s.id, %(source)s, %(ref)s, %(provenance)s,
                   ST_Project(ST_PointOnSurface(s.geom)::geography, %(dist)s, radians(%(az)s))::geometry,
                   %(category)s, %(description)s, s.area_id, %(tod)s, %(audit)s, %(at)s
            FROM spot s WHERE s.id = %(spot)s
            """,
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "source": source,
                "ref": provenance.get("letter", ""),
                "provenance": json.dumps(provenance),
                "dist": rng.uniform(0, 30),
                "az": rng.randrange(360),
                "category": category,
                "description": DESCRIPTIONS[category],
                "tod": rng.choice(("day", "evening", "night", "night")),
                "audit": json.dumps(audit) if audit else None,
                "at": first_seen + timedelta(days=index * rng.randrange(1, 12)),
                "spot": spot_id,
            },
        )


def _demo_history(
    cur, rng: random.Random, spot_id: int, stage: int, status: str, first_seen: datetime
) -> None:
    at = first_seen
    cur.execute(
        "INSERT INTO spot_event (spot_id, kind, actor_name, at, note) VALUES (%s, 'created', %s, %s, %s)",
        (spot_id, "demo", at, "ثبت اولیه از گزارش‌ها"),
    )
    for reached in range(2, stage + 1):
        at += timedelta(days=rng.randrange(5, 40))
        record_transition(cur, spot_id, None, "stage_changed", reached - 1, reached, at=at, actor_name="demo")
    if status == "resolved":
        at += timedelta(days=rng.randrange(10, 30))
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, actor_name, at, note)"
            " VALUES (%s, 'resolved', %s, %s, %s)",
            (spot_id, "demo", at, "بازارزیابی بهبود را نشان داد"),
        )
    cur.execute("UPDATE spot SET updated_at = %s WHERE id = %s", (at, spot_id))
