"""What every benchmark shares: the seeded benchmark database, a live server, timing and the result table.

The benchmark database (`safemap_bench`) lives on DATABASE_URL's server when it is set, else in the tool's
embedded cluster. It is seeded once (set-based SQL, tests/perf/seed.sql) with the 22 districts and 375
neighbourhoods of Tehran, spots and 1,000,000 reports, and reused by later runs while its seed size matches.
"""

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from gis.db import current_revisions, database_url, migrate, transaction
from gis.db.cluster import APP_ROLE, open_cluster
from gis.settings import get_settings
from tests.conftest import run_alone
from tests.servers import start_uvicorn

ROOT = Path(__file__).resolve().parents[2]
TEHRAN = ROOT / "data" / "tehran"
# BENCH_DB names another database, e.g. a small one (BENCH_REPORTS=100000) to develop against while the
# full-size one stays.
BENCH_DB = os.environ.get("BENCH_DB", "safemap_bench")
TEMPLATE_DB = f"{BENCH_DB}_template"
REPORTS = int(os.environ.get("BENCH_REPORTS", "1000000"))
SPOTS_PER_REPORT = 0.2


@dataclass
class Result:
    """One line of the report: a figure, the raw-SQL figure beside it, and the target on their ratio."""

    name: str
    api: list[float]
    raw: list[float] | None = None
    unit: str = "ms"
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return median(self.api) / median(self.raw) if self.raw else None


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], repeat: int, warmup: int = 2) -> list[float]:
    """Milliseconds per call of `fn`, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def interleaved(
    calls: dict[str, Callable[[], object]], repeat: int, warmup: int = 2
) -> dict[str, list[float]]:
    """Milliseconds per call of each of `calls`, taken in turns (the order rotating each round), so the
    machine's load weighs on all of them alike."""
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            start = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def timed_safemap(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, list[str]]:
    """Seconds for `safemap ARGS` on `url` (commit included) and its lines of output; its output in the error
    when it fails."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    environment |= {"DATABASE_URL": url, **(env or {})}
    start = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "safemap"), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"safemap {' '.join(args)} failed: {(done.stdout + done.stderr)[-2000:]}")
    return seconds, done.stdout.strip().splitlines()


def machine() -> str:
    """nproc, memory and CPU model, for the README's performance section."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    with psycopg2.connect(server_url("postgres")) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs ({model}), {kb / 1024 / 1024:.0f} GiB RAM, PostgreSQL {pg},"
        f" Python {platform.python_version()}"
    )


def server_url(database: str) -> str:
    """The URL of `database` on the benchmark server (DATABASE_URL's, or the embedded cluster's)."""
    base = database_url(get_settings())
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{database}"))


def admin(sql: str) -> None:
    """Run `sql` as DATABASE_URL's user, or as the embedded cluster's superuser (its app role may not
    create databases)."""
    settings = get_settings()
    if settings.database_url:
        url = server_url("postgres")
    else:
        url = open_cluster(settings.pg_dir).admin_url("postgres")
    run_alone(url, sql)


def new_database(name: str) -> None:
    """An empty database (an older one dropped) to migrate: on the embedded cluster owned by the app's
    role and with postgis, which only its superuser may create."""
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    settings = get_settings()
    if settings.database_url:
        admin(f'CREATE DATABASE "{name}"')
    else:
        open_cluster(settings.pg_dir).ensure_database(name)


def _owner() -> str:
    """A copy made by the embedded cluster's superuser belongs to the app's role, as the original does."""
    return "" if get_settings().database_url else f'OWNER "{APP_ROLE}"'


def _seeded_size(url: str) -> int | None:
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT reports FROM bench_meta")
            row = cur.fetchone()
            return row[0] if row else None
    except psycopg2.OperationalError:
        return None


def bench_db(reports: int = REPORTS, log: Callable[[str], None] = print) -> str:
    """The seeded benchmark database's URL; seeds it (dropping an older one) when its size differs."""
    url = server_url(BENCH_DB)
    if _seeded_size(url) == reports:
        # A database seeded before the newest migrations is brought up to them (a benchmark on an older
        # schema fails, or measures what no longer is), and its untouched copy made again whenever it is
        # not at the same revisions (the database may also have been migrated by hand).
        if migrate(url):
            run_alone(url, "VACUUM ANALYZE")  # as autovacuum would, after a migration rewrote a table
        template = server_url(TEMPLATE_DB)
        if _seeded_size(template) != reports or current_revisions(template) != current_revisions(url):
            _copy_template()
        return url
    new_database(BENCH_DB)
    migrate(url)
    started = time.perf_counter()
    log(f"seeding {BENCH_DB}: 22 districts, 375 neighbourhoods, {reports:,} reports …")
    seed(url, reports)
    log(f"  seeded in {time.perf_counter() - started:.0f} s")
    _copy_template()
    return url


def _copy_template() -> None:
    """An untouched copy no one connects to, so benchmarks that write can copy it while the server runs."""
    admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{TEMPLATE_DB}" {_owner()} TEMPLATE "{BENCH_DB}"')


def seed_spots_and_reports(conn, *, reports: int, spots: int) -> None:
    """seed.sql over the neighbourhoods already there (the same places every time: it sets its seed)."""
    with conn.cursor() as cur:
        cur.execute((Path(__file__).parent / "seed.sql").read_text(), {"reports": reports, "spots": spots})


def seed(url: str, reports: int) -> None:
    """Areas through the tool's own importer; spots, reports and events set-based in SQL."""
    from gis.places.areas import import_areas, read_area_file

    with transaction(url) as conn:
        districts = read_area_file(TEHRAN / "tehran_districts_22_from_mahallat_wgs84.geojson")
        import_areas(
            conn, districts, level="district", code_field="district", name_field="name_fa", code_prefix="d"
        )
        hoods = read_area_file(TEHRAN / "tehran_mahallat_375_wgs84.geojson")
        import_areas(conn, hoods, level="neighbourhood", code_field="mahalle_code", name_field="name_fa")
        seed_spots_and_reports(conn, reports=reports, spots=int(reports * SPOTS_PER_REPORT))
    from gis.aggregation.aggregate import refresh_spots

    with transaction(url) as conn:
        refresh_spots(conn, None)
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE bench_meta (reports integer NOT NULL)")
            cur.execute("INSERT INTO bench_meta VALUES (%s)", (reports,))
    run_alone(url, "VACUUM ANALYZE")


def bench_headers(url: str) -> dict[str, str]:
    """A GIS-office bearer token's header: staff see every spot, the public only those past stage 2."""
    from gis.errors import NotFound
    from gis.users import create_user, get_user, issue_token

    with transaction(url) as conn:
        try:
            user = get_user(conn, "bench")
        except NotFound:
            user = create_user(conn, username="bench", password="bench-password-22", role="gis_office")
        token, _ = issue_token(conn, user.id)
    return {"Authorization": f"Bearer {token}"}


def copy_of(url: str, name: str) -> str:
    """A fresh copy of the benchmark database (for benchmarks that write)."""
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}" {_owner()} TEMPLATE "{TEMPLATE_DB}"')
    return server_url(name)


# The live servers' processes by base URL, so a benchmark can read their memory.
SERVERS: dict[str, subprocess.Popen] = {}


@contextmanager
def live_server(url: str) -> Iterator[str]:
    """`safemap serve` on 127.0.0.1 over `url`, as the tool is started (the map's document builder loaded
    before it listens); yields the base URL."""
    safemap = str(Path(sys.executable).with_name("safemap"))
    server, base = start_uvicorn(url, wait_s=60, command=[safemap, "serve"])
    SERVERS[base] = server
    try:
        yield base
    finally:
        SERVERS.pop(base, None)
        server.terminate()
        server.wait(timeout=20)


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of a process and of its children (uvicorn's workers), in MB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        pids.extend(int(child) for child in children)
    return total / 1024


def server_rss_mb(base: str) -> float:
    """The peak resident memory of the live server at `base` so far, in MB."""
    return peak_rss_mb(SERVERS[base].pid)


def print_results(results: list[Result]) -> None:
    """The table: median and p95 of the API and of raw SQL, their ratio, the target and whether it is met."""
    print(
        f"\n{'benchmark':<44} {'median':>10} {'p95':>10} {'raw med':>10} {'raw p95':>10} {'ratio':>6}"
        f"  {'target':<26} met"
    )
    for r in results:
        raw_med = f"{median(r.raw):10.1f}" if r.raw else " " * 10
        raw_p95 = f"{p95(r.raw):10.1f}" if r.raw else " " * 10
        ratio = f"{r.ratio:6.2f}" if r.ratio is not None else " " * 6
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        print(
            f"{r.name + ' (' + r.unit + ')':<44} {median(r.api):10.1f} {p95(r.api):10.1f} {raw_med} {raw_p95}"
            f" {ratio}  {r.target:<26} {met}"
        )
        if r.note:
            print(f"    {r.note}")
    missed = [r.name for r in results if r.met is False]
    print("\ntargets missed: " + (", ".join(missed) if missed else "none"))


def densest_district(conn) -> tuple[str, list[float]]:
    """The district with the most spots per km², and the centre of its densest 500 m cell."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT d.code, ST_X(cell.c), ST_Y(cell.c)
            FROM area d
            JOIN LATERAL (
                SELECT ST_Centroid(ST_Collect(s.geom)) AS c, count(*) AS n
                FROM spot s
                WHERE s.geom && d.geom AND ST_Intersects(d.geom, s.geom)
                GROUP BY round(ST_X(s.geom) / 0.005), round(ST_Y(s.geom) / 0.005)
                ORDER BY n DESC LIMIT 1) cell ON true
            WHERE d.level = 'district'
            ORDER BY (SELECT count(*) FROM spot s WHERE s.geom && d.geom AND ST_Intersects(d.geom, s.geom))
                     / ST_Area(d.geom::geography) DESC
            LIMIT 1
        """)
        code, x, y = cur.fetchone()
    return code, [x, y]


def viewport(conn, centre: list[float], features: int = 2000) -> list[float]:
    """A square bbox around `centre` holding about `features` visible spots (grown by bisection)."""
    low, high = 0.0005, 0.5
    with conn.cursor() as cur:
        for _ in range(30):
            half = (low + high) / 2
            cur.execute(
                "SELECT count(*) FROM spot WHERE status <> 'merged'"
                " AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
                (centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half),
            )
            count = cur.fetchone()[0]
            if abs(count - features) <= features * 0.01:
                break
            low, high = (half, high) if count < features else (low, half)
    return [round(v, 6) for v in (centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)]
