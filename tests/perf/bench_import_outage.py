"""Does a large import take the service down? p95 of single POST /api/reports and of GET /health while a
BENCH_OUTAGE_ROWS-row file (default 100,000) is imported through the API as a background job.

Before import jobs, one transaction held the whole map's lock for the entire import: a report POST took
21.5 s and, with 22 reports waiting, /health answered 503. Run: `python -m tests.perf.bench_import_outage`
(on a fresh copy of the benchmark database; BENCH_REPORTS sets its size). Goal: p95 < 1 s for both.
"""

import os
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg2

from tests.perf.bench_import import write_csv
from tests.perf.common import (
    REPORTS,
    Result,
    admin,
    bench_db,
    bench_headers,
    copy_of,
    live_server,
    machine,
    p95,
    print_results,
)

ROWS = int(os.environ.get("BENCH_OUTAGE_ROWS", "100000"))
CLIENTS = int(
    os.environ.get("BENCH_OUTAGE_CLIENTS", "4")
)  # report senders at once, beside one /health poller
GOAL_MS = 1000.0
OUTAGE_DB = "safemap_bench_outage"


def _places(url: str, count: int = 500) -> list[tuple[float, float, str]]:
    """Places of existing spots (lon, lat, category): reports that search for and join spots, as most do."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT setseed(0.22)")
        cur.execute(
            "SELECT ST_X(s.geom), ST_Y(s.geom), s.category FROM spot s JOIN area a ON a.id = s.area_id"
            " WHERE ST_Contains(a.geom, s.geom) AND GeometryType(s.geom) = 'POINT'"
            " ORDER BY random() LIMIT %s",
            (count,),
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def _job(base: str, headers: dict[str, str], job_id: int) -> dict:
    return httpx.get(f"{base}/api/imports/{job_id}", headers=headers, timeout=60).json()


def _timed(call) -> tuple[float, int]:
    """(milliseconds, status) of one request; a transport error or timeout counts as a 599 at its duration."""
    start = time.perf_counter()
    try:
        status = call().status_code
    except httpx.HTTPError:
        status = 599
    return (time.perf_counter() - start) * 1000, status


def measure(base: str, url: str, path: Path) -> tuple[list[float], list[float], list[int], dict, float]:
    """Upload the file as a job and, until it ends, send reports and poll /health; their latencies."""
    headers = bench_headers(url)
    places = _places(url)
    posts: list[float] = []
    health: list[float] = []
    failures: list[int] = []
    running = threading.Event()
    running.set()

    def send_reports(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while running.is_set():
                lon, lat, category = rng.choice(places)
                body = {"uuid": str(uuid.uuid4()), "category": category, "lon": lon, "lat": lat}
                ms, status = _timed(lambda: client.post("/api/reports", json=body))
                posts.append(ms)
                if status not in (200, 201):
                    failures.append(status)

    def poll_health() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while running.is_set():
                ms, status = _timed(lambda: client.get("/health"))
                health.append(ms)
                if status != 200:
                    failures.append(status)
                time.sleep(0.1)

    with open(path, "rb") as handle:
        started = httpx.post(
            f"{base}/api/imports/reports",
            headers=headers,
            files={"file": (path.name, handle, "text/csv")},
            data={"source": "mayor", "ref": "bench outage"},
            timeout=600,
        )
    if started.status_code != 202:
        raise RuntimeError(f"the upload did not start a job: {started.status_code} {started.text[:500]}")
    job_id = started.json()["id"]
    began = time.perf_counter()
    workers = [threading.Thread(target=send_reports, args=(n,)) for n in range(CLIENTS)]
    workers.append(threading.Thread(target=poll_health))
    for worker in workers:
        worker.start()
    try:
        while (job := _job(base, headers, job_id))["state"] in ("queued", "running"):
            print(f"\r  job {job_id}: {job['phase']} {job['rows_done']:,}/{job['rows_total'] or 0:,}", end="")
            time.sleep(2)
    finally:
        running.clear()
        for worker in workers:
            worker.join()
    print()
    return posts, health, failures, job, time.perf_counter() - began


def run(url: str, base: str | None = None) -> list[Result]:
    """The import and the requests sent meanwhile, on a fresh copy of the benchmark database (served by a
    server of its own: `base`, bench_all's server of the benchmark database itself, is not used)."""
    with tempfile.TemporaryDirectory(prefix="safemap-bench-") as folder:
        path = Path(folder) / f"outage_{ROWS}.csv"
        write_csv(url, path, ROWS)
        target = copy_of(url, OUTAGE_DB)
        try:
            with live_server(target) as live:
                posts, health, failures, job, seconds = measure(live, target, path)
        finally:
            admin(f'DROP DATABASE IF EXISTS "{OUTAGE_DB}" WITH (FORCE)')
    note = (
        f"during a {ROWS:,}-row import ({job['state']}: {job['accepted']:,} accepted in {seconds:.0f} s,"
        f" {ROWS / seconds:,.0f} rows/s), {CLIENTS} report senders; {len(failures)} non-2xx answers"
    )
    return [
        Result(
            "POST /api/reports during the import",
            posts,
            target=f"p95 < {GOAL_MS:.0f} ms",
            met=p95(posts) < GOAL_MS and not failures,
            note=f"{len(posts):,} reports, max {max(posts):,.0f} ms; " + note,
        ),
        Result(
            "GET /health during the import",
            health,
            target=f"p95 < {GOAL_MS:.0f} ms",
            met=p95(health) < GOAL_MS and not failures,
            note=f"{len(health):,} checks, max {max(health):,.0f} ms",
        ),
    ]


def main() -> None:
    url = bench_db(REPORTS)
    print(machine())
    print(f"benchmark database: {REPORTS:,} reports; importing {ROWS:,} rows")
    results = run(url)
    print_results(results)


if __name__ == "__main__":
    main()
