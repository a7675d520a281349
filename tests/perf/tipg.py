"""tipg (developmentseed's OGC Features and Tiles server for PostGIS) beside Safemap on the same database.

Installed from PyPI, pinned, into the benchmark's own virtual environment (never into .venv nor the lock
file), and served on 127.0.0.1 over the benchmark database with its defaults: every column of `spot` as
properties, at most 10,000 features per tile and per page.
"""

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from gis.db.cluster import free_port
from tests.perf.common import ROOT

VERSION = "1.6.1"
VENV = Path(os.environ.get("BENCH_VENV", "/tmp/safemap-bench-venv"))
PYTHON = VENV / "bin" / "python"
UV = ROOT / ".venv" / "bin" / "uv"
# tipg's name of the spot table, in its paths.
SPOTS = "public.spot"


def ensure_tipg() -> Path:
    """The benchmark venv's python with tipg VERSION, installed on first use."""
    if PYTHON.exists():
        done = subprocess.run(
            [str(PYTHON), "-c", "import tipg; print(tipg.__version__)"], capture_output=True, text=True
        )
        if done.returncode == 0 and done.stdout.strip() == VERSION:
            return PYTHON
    print(f"installing tipg {VERSION} into {VENV} …", flush=True)
    subprocess.run([str(UV), "venv", "-q", "--python", "3.11", str(VENV)], check=True)
    subprocess.run(
        [str(UV), "pip", "install", "-q", "--python", str(PYTHON), f"tipg=={VERSION}", "uvicorn"], check=True
    )
    return PYTHON


@contextmanager
def tipg_server(url: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """tipg serving the `spot` table of `url` on 127.0.0.1; yields its base URL and process."""
    python = ensure_tipg()
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEMAP_", "TIPG_"))}
    environment |= {"DATABASE_URL": url, "TIPG_DB_TABLES": '["public.spot"]', "TIPG_DB_SCHEMAS": '["public"]'}
    process = subprocess.Popen(
        [str(python), "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd="/tmp",
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tipg did not start")
            try:
                if httpx.get(f"{base}/collections/{SPOTS}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)
