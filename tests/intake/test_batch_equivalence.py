"""A file imported in batches ends as it would row by row: same outcomes, spots, events and counts."""

import csv
import random
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg2
import pytest

from gis.errors import Conflict, InvalidInput
from gis.intake.files import ImportOptions, batch
from gis.intake.files.batch import import_reports
from gis.intake.reports import ReportCreate, submit_report, submit_reports

STATE_SQL = (
    # each report by its row, with the row of the report that founded its spot
    """SELECT (r.provenance ->> 'row')::int, r.location_verified, r.area_id,
              (SELECT (f.provenance ->> 'row')::int
               FROM report f WHERE f.spot_id = r.spot_id ORDER BY f.id LIMIT 1)
       FROM report r WHERE r.import_batch_id IS NOT NULL ORDER BY r.id""",
    """SELECT (SELECT (f.provenance ->> 'row')::int
               FROM report f WHERE f.spot_id = s.id ORDER BY f.id LIMIT 1),
              s.category, ST_AsText(s.geom), s.stage, s.title, s.report_count, s.source_count, s.priority
       FROM spot s
       WHERE EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id AND r.import_batch_id IS NOT NULL)
       ORDER BY 1""",
    """SELECT e.kind, e.actor_name, (r.provenance ->> 'row')::int
       FROM spot_event e JOIN report r ON r.id = (e.payload ->> 'report_id')::bigint
       WHERE r.import_batch_id IS NOT NULL ORDER BY e.id""",
)


def _crowded_csv(db_url: str, path: Path) -> None:
    """Reports crowded around a few places in mixed categories, so many found spots others then join;
    some only name their neighbourhood, some lie outside the district, some repeat one another."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), 6, 3))).geom"
            " AS p FROM area WHERE level = 'neighbourhood') q"
        )
        centres = cur.fetchall()
        cur.execute("SELECT code FROM category ORDER BY code")
        categories = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT code FROM area WHERE level = 'neighbourhood' ORDER BY code LIMIT 3")
        hoods = [row[0] for row in cur.fetchall()]
    rng = random.Random(22)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lon", "lat", "category", "description", "neighbourhood"])
        for i in range(160):
            x, y = rng.choice(centres)
            kind = rng.random()
            if kind < 0.05:
                writer.writerow(["", "", rng.choice(categories), f"row {i}", rng.choice(hoods)])
            elif kind < 0.08:
                writer.writerow([x + 2, y, rng.choice(categories), f"row {i}", ""])
            elif kind < 0.12:
                writer.writerow([round(x, 6), round(y, 6), "poor_lighting", "the same place", ""])
            else:
                writer.writerow(
                    [
                        round(x + rng.gauss(0, 0.0004), 6),
                        round(y + rng.gauss(0, 0.0004), 6),
                        rng.choice(categories),
                        f"row {i}",
                        "",
                    ]
                )


def _one_by_one(conn, reports, *, radius_m, actor_name, import_batch_id, lock_map):
    outcomes = []
    for report in reports:
        try:
            outcomes.append(submit_report(conn, report, radius_m=radius_m, actor_name=actor_name))
        except InvalidInput as exc:
            outcomes.append(exc)
            continue
        if outcomes[-1].created:
            with conn.cursor() as cur:
                cur.execute(
                    "UPDATE report SET import_batch_id = %s WHERE id = %s",
                    (import_batch_id, outcomes[-1].report_id),
                )
    return outcomes


def _import(db_url: str, path: Path) -> tuple[list, list]:
    conn = psycopg2.connect(db_url)
    try:
        result = import_reports(conn, path, ImportOptions(source="mayor", partial=True, actor_name="test"))
        state = []
        with conn.cursor() as cur:
            for query in STATE_SQL:
                cur.execute(query)
                state.append(cur.fetchall())
        outcomes = [(r.row, r.status, r.field, r.reason, r.new_spot) for r in result.rows]
    finally:
        conn.rollback()
        conn.close()
    return outcomes, state


@pytest.mark.parametrize("lock_map_rows", [10_000, 10], ids=["cell locks", "map lock"])
def test_batches_end_as_row_by_row(db_url, tmp_path, monkeypatch, lock_map_rows):
    path = tmp_path / "crowded.csv"
    _crowded_csv(db_url, path)
    monkeypatch.setattr(
        batch, "BATCH_ROWS", 37
    )  # several batches, with spots founded in one and joined in the next
    monkeypatch.setattr(batch, "LOCK_MAP_ROWS", lock_map_rows)
    batched = _import(db_url, path)
    monkeypatch.setattr(batch, "submit_reports", _one_by_one)
    row_by_row = _import(db_url, path)
    statuses = {status for _, status, *_ in batched[0]}
    assert statuses == {"accepted", "rejected", "duplicate"}
    assert sum(new for *_, new in batched[0]) > 10
    assert batched[0] == row_by_row[0]
    assert batched[1] == row_by_row[1]


def _jit(conn) -> str:
    with conn.cursor() as cur:
        cur.execute("SHOW jit")
        return cur.fetchone()[0]


def test_an_import_compiles_no_statement(db_url, tmp_path):
    """Compiling a batch's statements (JIT) took half of each import chunk: an import's transaction runs
    without it, and the connection's next transaction has it back."""
    path = tmp_path / "crowded.csv"
    _crowded_csv(db_url, path)
    conn = psycopg2.connect(db_url)
    try:
        before = _jit(conn)
        import_reports(conn, path, ImportOptions(source="mayor", partial=True, actor_name="test"))
        during = _jit(conn)
        conn.rollback()
        after = _jit(conn)
    finally:
        conn.rollback()
        conn.close()
    assert (before, during, after) == ("on", "off", "on")


def test_a_report_stored_meanwhile_under_its_uuid_fails_the_batch(conn, monkeypatch):
    """A batch's reports are stored after their spots are chosen: one stored meanwhile under the same UUID
    (its spot chosen for nothing) fails the whole batch rather than leaving a spot or event without it."""
    from gis.intake import reports as intake

    with conn.cursor() as cur:
        cur.execute("SELECT ST_X(geom), ST_Y(geom), category FROM report WHERE location_verified LIMIT 1")
        lon, lat, category = cur.fetchone()
    report = ReportCreate(source="mayor", category=category, lon=lon, lat=lat, uuid=str(uuid.uuid4()))
    choose = intake.choose_spots

    def meanwhile(*args, **kwargs):
        chosen = choose(*args, **kwargs)
        submit_report(conn, replace(report), radius_m=50)
        return chosen

    monkeypatch.setattr(intake, "choose_spots", meanwhile)
    with pytest.raises(Conflict) as raised:
        submit_reports(conn, [report], radius_m=50)
    assert raised.value.key == "reports_stored_meanwhile"
