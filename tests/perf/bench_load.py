"""Throughput under load: 32 concurrent clients on 127.0.0.1 asking for the bbox items of bench_ogc and the
tiles of bench_tiles, for BENCH_LOAD_SECONDS each (default 20), with `wrk` (Debian: `apt-get install wrk`),
or an asyncio httpx client when wrk is missing (bounded by the same time and BENCH_LOAD_REQUESTS).

Beside each, the physical limit: the same raw SQL run by 32 threads on their own connections for the same
time. Requests/s are the figure; latency median and p95 are in the note; the target is zero errors.
"""

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import psycopg2

from gis.publish.tiles import tile_params
from tests.perf import bench_ogc, bench_tiles
from tests.perf.common import Result, bench_headers, densest_district, median, p95, viewport

CLIENTS = 32
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
MAX_REQUESTS = int(os.environ.get("BENCH_LOAD_REQUESTS", "200000"))
INSTALL_HINT = "wrk is not installed (Debian/Ubuntu: apt-get install wrk); using the asyncio httpx client"

# wrk's own report, machine-readable: counts, errors by kind, and the latency percentiles 0.5 … 99.5 (µs),
# a quantile sample of the whole distribution from which median and p95 are read.
WRK_LUA = """
-- each of wrk's two threads runs its own copy: it stops after its half of the request budget
local limit = tonumber(os.getenv("BENCH_LOAD_REQUESTS")) / 2
local sent = 0
request = function()
  sent = sent + 1
  if sent > limit then wrk.thread:stop() end
  return wrk.request()
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  local q = {}
  for i = 0, 99 do q[#q + 1] = string.format("%.1f", latency:percentile(i + 0.5)) end
  io.write("QUANTILES " .. table.concat(q, ",") .. "\\n")
end
"""


class Load:
    """What one load run measured: requests, seconds, errors and latencies (ms)."""

    def __init__(
        self, requests: int, seconds: float, errors: int, latencies: list[float], detail: str = ""
    ) -> None:
        self.requests, self.seconds, self.errors, self.latencies, self.detail = (
            requests,
            seconds,
            errors,
            latencies,
            detail,
        )

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def with_wrk(url: str, headers: dict[str, str]) -> Load:
    """`wrk -t2 -c32 -d SECONDS` on one URL; non-2xx answers count as errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_LUA)
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CLIENTS}",
                f"-d{SECONDS}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                *(f"-H{name}: {value}" for name, value in headers.items()),
                url,
            ],
            capture_output=True,
            text=True,
            env=os.environ | {"BENCH_LOAD_REQUESTS": str(MAX_REQUESTS)},
        )
    finally:
        os.unlink(script.name)
    found = re.search(r"RESULT (.*)", done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    counts = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    quantiles = [float(v) / 1000 for v in re.search(r"QUANTILES (.*)", done.stdout).group(1).split(",")]
    errors = sum(counts[k] for k in ("connect", "read", "write", "status", "timeout"))
    detail = ", ".join(
        f"{k} {counts[k]}" for k in ("connect", "read", "write", "status", "timeout") if counts[k]
    )
    return Load(counts["requests"], counts["duration_us"] / 1e6, errors, quantiles, detail)


def with_httpx(url: str, headers: dict[str, str]) -> Load:
    """The fallback: 32 asyncio tasks sharing one httpx client, until SECONDS or MAX_REQUESTS."""

    async def main() -> Load:
        latencies: list[float] = []
        errors = 0
        failures: Counter[str] = Counter()  # status code or exception → how many
        deadline = time.perf_counter() + SECONDS
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline and len(latencies) + errors < MAX_REQUESTS:
                    start = time.perf_counter()
                    try:
                        response = await client.get(url)
                        await response.aread()
                        outcome = str(response.status_code)
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    if outcome == "200":
                        latencies.append((time.perf_counter() - start) * 1000)
                    else:
                        errors += 1
                        failures[outcome] += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CLIENTS)))
            detail = ", ".join(f"{outcome} {count}" for outcome, count in failures.most_common())
            return Load(len(latencies) + errors, time.perf_counter() - started, errors, latencies, detail)

    return asyncio.run(main())


def raw_load(url: str, query: Callable) -> Load:
    """The raw SQL under the same concurrency: 32 threads, each on its own connection, for SECONDS."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def worker() -> None:
        conn = psycopg2.connect(url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                    start = time.perf_counter()
                    try:
                        query(cur)
                    except psycopg2.Error:
                        with lock:
                            errors[0] += 1
                        continue
                    with lock:
                        latencies.append((time.perf_counter() - start) * 1000)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(len(latencies) + errors[0], time.perf_counter() - started, errors[0], latencies)


def _latency(load: Load) -> str:
    """Median and p95 of the answered requests, or that none was answered."""
    if not load.latencies:
        return "none answered"
    return f"median {median(load.latencies):.0f} ms, p95 {p95(load.latencies):.0f} ms"


def run(url: str, base: str) -> list[Result]:
    """Bbox items and the z12 and z15 tiles, each under 32 clients, beside raw SQL under 32 threads."""
    tool = with_wrk if shutil.which("wrk") else with_httpx
    if tool is with_httpx:
        print(f"  {INSTALL_HINT}", flush=True)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    district, centre = densest_district(conn)
    bbox = viewport(conn, centre)
    conn.close()
    cases: list[tuple[str, str, Callable]] = []
    items = {"bbox": ",".join(map(str, bbox)), "limit": "10000", "f": "json"}
    cases.append(
        (
            "bbox items",
            f"{base}/ogc/collections/spots/items?{urlencode(items)}",
            lambda cur: (cur.execute(bench_ogc.RAW_SQL, bbox + bbox), cur.fetchone()),
        )
    )
    for z in (12, 15):  # a cell tile and a tile of points
        x, y = bench_tiles.tile_of(*centre, z)
        params = tile_params(z, x, y)
        cases.append(
            (
                f"tile z{z}",
                f"{base}/tiles/{z}/{x}/{y}.pbf",
                lambda cur, params=params: (cur.execute(bench_tiles.RAW_SQL, params), cur.fetchone()),
            )
        )
    results = []
    headers = bench_headers(url)
    for name, address, query in cases:
        httpx.get(address, timeout=60, headers=headers).raise_for_status()
        api = tool(address, headers)
        raw = raw_load(url, query)
        print(
            f"  {name}: {api.rate:,.0f} req/s ({api.requests:,} requests, {api.errors} errors);"
            f" raw SQL {raw.rate:,.0f}/s",
            flush=True,
        )
        result = Result(
            f"load {name}, {CLIENTS} clients",
            [api.rate],
            [raw.rate],
            unit="req/s",
            target="0 errors",
            met=api.errors == 0 and api.requests > 0,
            note=f"{tool.__name__.removeprefix('with_')}, {api.requests:,} requests in {api.seconds:.0f} s,"
            f" {api.errors} errors{' (' + api.detail + ')' if api.detail else ''};"
            f" latency {_latency(api)} (raw SQL {_latency(raw)}, {raw.errors} errors)",
        )
        results.append(result)
    return results
