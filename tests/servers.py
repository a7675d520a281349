"""`uvicorn api.app:create_app` in a process of its own, for tests and benchmarks that need a real server
(one they can also kill)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gis.db.cluster import free_port

ROOT = Path(__file__).resolve().parents[1]


def start_uvicorn(
    db_url: str, *, port: int | None = None, workers: int = 1, wait_s: float = 30
) -> tuple[subprocess.Popen, str]:
    """Start the app over `db_url` on 127.0.0.1 (a free port unless given) and wait until /health answers.
    Returns the process and the base URL; the caller stops it."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    env["DATABASE_URL"] = db_url
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
