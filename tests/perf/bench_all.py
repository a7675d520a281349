"""Every benchmark in one run, side by side with raw SQL on the same database:

    .venv/bin/python -m tests.perf.bench_all [ogc tiles import rebuild load]

BENCH_REPORTS (default 1,000,000) sets the seed size, BENCH_DB the database (default safemap_bench);
DATABASE_URL picks the server (else the embedded cluster).
"""

import importlib
import sys
import time

from tests.perf.common import bench_db, live_server, machine, print_results

BENCHMARKS = ("ogc", "tiles", "import", "rebuild", "load")


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
            print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    print_results(results)


if __name__ == "__main__":
    main(sys.argv[1:])
