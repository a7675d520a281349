"""Benchmarks are scripts run on demand (`python -m tests.perf.bench_all`), never collected by pytest."""

collect_ignore_glob = ["*.py"]
