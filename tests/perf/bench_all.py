"""Every benchmark in one run, side by side with raw SQL on the same database:

    .venv/bin/python -m tests.perf.bench_all [ogc tiles import import_outage rebuild load map]

BENCH_REPORTS (default 1,000,000) sets the seed size, BENCH_DB the database (default safemap_bench);
DATABASE_URL picks the server (else the embedded cluster).
"""

import importlib
import sys
import time

from tests.perf.common import Result, bench_db, live_server, machine, print_results, server_rss_mb

BENCHMARKS = ("ogc", "tiles", "import", "import_outage", "rebuild", "load", "map")
MAX_RSS_MB = 500


def main(names: list[str]) -> None:
    """Seed (once), serve the benchmark database on 127.0.0.1, run the asked benchmarks, print the table."""
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    print(machine())
    url = bench_db()
    results = []
    with live_server(url) as base:
        for name in names or BENCHMARKS:
            started = time.perf_counter()
            module = importlib.import_module(f"tests.perf.bench_{name}")
            print(f"{name} …", flush=True)
            results.extend(module.run(url, base))
            rss = server_rss_mb(base)
            print(f"  {time.perf_counter() - started:.0f} s; server peak RSS {rss:.0f} MB", flush=True)
        results.append(
            Result(
                "server peak RSS, every benchmark",
                [rss],
                unit="MB",
                target=f"< {MAX_RSS_MB} MB",
                met=rss < MAX_RSS_MB,
                note="VmHWM of the uvicorn process and its children, after the last benchmark",
            )
        )
    print_results(results)


if __name__ == "__main__":
    main(sys.argv[1:])
