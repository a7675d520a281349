"""Import: a CSV of BENCH_IMPORT_ROWS reports (default: the seed size) through `safemap import reports`
(every row validated, located, aggregated to a spot, with its event), beside a raw `COPY` of the same file
into an unindexed table of the same columns in the same database (the physical limit).

Both run on a fresh copy of the benchmark database, so the import meets a million reports already there.
Beside them, the ceiling: what the steps every row needs cost when each is one set-based statement over the
whole file, as fast as the import could ever be with report's indexes and rules (rolled back).
"""

import os
import tempfile
import time
from pathlib import Path

import psycopg2

from gis.aggregation.aggregate import CANDIDATE_SQL, REFRESH_SQL, STAGED, STAGED_TABLE_SQL
from gis.settings import get_settings
from tests.perf.common import REPORTS, Result, admin, copy_of, median, timed_safemap

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", str(REPORTS)))
# One full import of a million rows takes minutes; repeat only small ones.
REPEAT = int(os.environ.get("BENCH_IMPORT_REPEAT", "3" if ROWS <= 200_000 else "1"))
TARGET_RATE = 50_000
TARGET_SHARE = 0.05
COPY_DB = "safemap_bench_import"

# Rows near existing spots (most attach, some found new spots), as a mayor's letter lists them: a category by
# its code or Persian label, a Jalali or ISO date, a time of day in words or as a clock time.
CSV_SQL = """
    COPY (
        -- spots inside their neighbourhood, so a row ±30 m off them is within the district's tolerance
        WITH inside AS MATERIALIZED (
            SELECT row_number() OVER (ORDER BY s.id) AS n, s.geom, s.category
            FROM spot s JOIN area a ON a.id = s.area_id WHERE ST_Contains(a.geom, s.geom))
        SELECT round((ST_X(s.geom) + (random() - 0.5) * 0.0006)::numeric, 6) AS lon,
               round((ST_Y(s.geom) + (random() - 0.5) * 0.0006)::numeric, 6) AS lat,
               CASE WHEN i %% 3 = 0 THEN c.label_fa ELSE c.code END AS category,
               'bench row ' || i AS description,
               CASE WHEN i %% 2 = 0 THEN to_char(date '2024-01-01' + (i %% 600)::int, 'YYYY-MM-DD')
                    ELSE '1403/0' || (1 + i %% 9) || '/' || lpad((1 + i %% 28)::text, 2, '0') END AS date,
               (ARRAY['night', 'شب', 'evening', 'day', '22:30', ''])[(1 + i %% 6)::int] AS time_of_day
        FROM generate_series(1::bigint, %(rows)s) i
        JOIN inside s ON s.n = 1 + (i * 7919) %% (SELECT count(*) FROM inside)
        JOIN category c ON c.code = s.category
    ) TO STDOUT WITH (FORMAT csv, HEADER)
"""
RAW_TABLE = """
    CREATE TABLE bench_copy (lon double precision, lat double precision, category text, description text,
                             date text, time_of_day text)
"""
COPY_SQL = "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)"

# The ceiling's steps between the file's COPY into bench_copy and the recount (REFRESH_SQL), each one
# statement over every row of the file, in the order an import takes them. Normalising is as light as it can
# be (a category by code or label, ISO dates only, times of day by a CASE), new spots are not founded: the
# real import does at least this much.
CEILING_STEPS = (
    (
        "normalise and stage",
        f"""
        INSERT INTO {STAGED} (id, uuid, source, source_ref, provenance, geom, location_precision, category,
                              description, time_of_day, reported_at)
        SELECT nextval(pg_get_serial_sequence('report', 'id')), gen_random_uuid(), 'mayor', 'bench',
               jsonb_build_object('row', b.n), ST_SetSRID(ST_MakePoint(b.lon, b.lat), 4326), 'exact', c.code,
               b.description,
               CASE WHEN b.time_of_day IN ('day', 'evening', 'night') THEN b.time_of_day
                    WHEN b.time_of_day IN ('شب', '22:30') THEN 'night' END,
               CASE WHEN b.date ~ '^[0-9]{{4}}-' THEN b.date::timestamptz ELSE now() END
        FROM (SELECT row_number() OVER () AS n, * FROM bench_copy) b
        JOIN category c ON b.category IN (c.code, c.label_fa)
        """,
    ),
    (
        "neighbourhood lookup",
        f"""
        CREATE TEMPORARY TABLE ceiling_area AS
        SELECT r.id, min(a.id) AS area_id
        FROM {STAGED} r JOIN area a ON a.level = 'neighbourhood' AND ST_Intersects(a.geom, r.geom)
        GROUP BY r.id HAVING count(*) = 1
        """,
    ),
    (
        "spot search",
        "CREATE TEMPORARY TABLE ceiling_spot (id, spot_id, closed, distance) AS "
        + CANDIDATE_SQL.format(reports=STAGED).replace("r.id = ANY(%(reports)s)", "true"),
    ),
    (
        "store the reports",
        f"""
        INSERT INTO report (id, uuid, spot_id, source, source_ref, provenance, geom, location_precision,
                            category, description, area_id, time_of_day, reported_at)
        SELECT r.id, r.uuid, f.spot_id, r.source, r.source_ref, r.provenance, r.geom, r.location_precision,
               r.category, r.description, a.area_id, r.time_of_day, r.reported_at
        FROM {STAGED} r LEFT JOIN ceiling_spot f USING (id) LEFT JOIN ceiling_area a USING (id)
        ORDER BY r.id
        """,
    ),
    (
        "events",
        f"""
        INSERT INTO spot_event (spot_id, kind, actor_name, payload)
        SELECT f.spot_id, 'report_attached', 'bench',
               jsonb_build_object('report_id', r.id, 'source', r.source)
        FROM {STAGED} r JOIN ceiling_spot f USING (id)
        ORDER BY r.id
        """,
    ),
)


def write_csv(url: str, path: Path, rows: int) -> None:
    """The benchmark file: `rows` reports near the seeded spots, each distinct (so none is a duplicate)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur, open(path, "w", encoding="utf-8") as handle:
        cur.execute("SELECT setseed(0.7)")
        cur.copy_expert(cur.mogrify(CSV_SQL, {"rows": rows}).decode(), handle)


def raw_copy(url: str, path: Path) -> float:
    """Seconds to COPY the file into an unindexed table and commit."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy")
            cur.execute(RAW_TABLE)
        conn.commit()
        with conn.cursor() as cur, open(path, encoding="utf-8") as handle:
            start = time.perf_counter()
            cur.copy_expert(COPY_SQL, handle)
            conn.commit()
            seconds = time.perf_counter() - start
            cur.execute("SELECT count(*) FROM bench_copy")
            copied = cur.fetchone()[0]
            cur.execute("DROP TABLE bench_copy")
        conn.commit()
    finally:
        conn.close()
    if copied != ROWS:
        raise RuntimeError(f"COPY loaded {copied} rows, not {ROWS}")
    return seconds


def ceiling(url: str, path: Path) -> tuple[float, str]:
    """Seconds for the file's COPY, CEILING_STEPS and the recount in one transaction, rolled back, and each
    step's share."""
    conn = psycopg2.connect(url)
    steps = []
    try:
        with conn.cursor() as cur, open(path, encoding="utf-8") as handle:
            cur.execute("SET jit = off")
            cur.execute(RAW_TABLE)
            cur.execute(STAGED_TABLE_SQL)
            start = time.perf_counter()
            cur.copy_expert(COPY_SQL, handle)
            steps.append(("COPY the file", time.perf_counter() - start))
            for name, sql in CEILING_STEPS:
                start = time.perf_counter()
                cur.execute(sql, {"radius": get_settings().aggregation_radius_m})
                steps.append((name, time.perf_counter() - start))
            start = time.perf_counter()
            cur.execute("SELECT array_agg(DISTINCT spot_id) FROM ceiling_spot")
            touched = cur.fetchone()[0]
            cur.execute(REFRESH_SQL, {"spots": touched, "changed": touched})
            steps.append(("recount", time.perf_counter() - start))
    finally:
        conn.rollback()
        conn.close()
    total = sum(seconds for _, seconds in steps)
    return total, ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps)


def safemap_import(url: str, path: Path) -> tuple[float, str]:
    """Seconds for `safemap import reports FILE` on `url`, and its last line of output."""
    seconds, lines = timed_safemap(url, "import", "reports", str(path), "--source", "mayor", "--ref", "bench")
    return seconds, lines[-1]


def run(url: str, base: str) -> list[Result]:
    """COPY the file, then import it (each on a fresh copy of the benchmark database); seconds per run."""
    with tempfile.TemporaryDirectory(prefix="safemap-bench-") as folder:
        path = Path(folder) / f"reports_{ROWS}.csv"
        started = time.perf_counter()
        write_csv(url, path, ROWS)
        print(
            f"  wrote {path.name}: {ROWS:,} rows, {path.stat().st_size / 1e6:.0f} MB"
            f" in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        copies, imports, summary = [], [], ""
        try:
            target = copy_of(url, COPY_DB)
            for _ in range(REPEAT):
                copies.append(raw_copy(target, path))
            floor, steps = ceiling(target, path)
            print(f"  ceiling: {floor:.1f} s ({steps})", flush=True)
            for attempt in range(REPEAT):
                if attempt:
                    target = copy_of(url, COPY_DB)
                seconds, summary = safemap_import(target, path)
                imports.append(seconds)
                print(
                    f"  import {attempt + 1}/{REPEAT}: {seconds:.1f} s ({ROWS / seconds:,.0f} rows/s)",
                    flush=True,
                )
        finally:
            admin(f'DROP DATABASE IF EXISTS "{COPY_DB}" WITH (FORCE)')
    rate, raw_rate = ROWS / median(imports), ROWS / median(copies)
    accepted = f"{ROWS} accepted" in summary
    result = Result(
        f"import {ROWS:,}-row CSV",
        imports,
        copies,
        unit="s",
        target=f"≥ {TARGET_RATE // 1000}k rows/s, ≥ {TARGET_SHARE}× COPY",
        note=f"safemap import {rate:,.0f} rows/s, raw COPY {raw_rate:,.0f} rows/s "
        f"(throughput {rate / raw_rate:.3f}× COPY); {REPEAT} run(s); {summary}",
    )
    result.met = accepted and rate >= TARGET_RATE and rate >= TARGET_SHARE * raw_rate
    bound = Result(
        "import ceiling, one statement a step",
        [floor],
        copies,
        unit="s",
        target=f"≥ {TARGET_RATE // 1000}k rows/s",
        met=ROWS / floor >= TARGET_RATE,
        note=f"at most {ROWS / floor:,.0f} rows/s with report's indexes and rules, before parsing: {steps}",
    )
    return [result, bound]
