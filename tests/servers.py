"""`uvicorn api.app:create_app` (or `safemap serve`) in a process of its own, for tests and benchmarks that
need a real server (one they can also kill)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gis.db.cluster import free_port

ROOT = Path(__file__).resolve().parents[1]
UVICORN = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--log-level", "warning"]


def start_uvicorn(
    db_url: str,
    *,
    port: int | None = None,
    workers: int = 1,
    wait_s: float = 90,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    log: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start the app over `db_url` on 127.0.0.1 (a free port unless given) and wait until /health answers.

    `command` replaces uvicorn with one that serves on SAFEMAP_HOST:SAFEMAP_PORT (`safemap serve`); `env`
    adds to the environment (SAFEMAP_* of the caller's is left out); `log` takes the server's output, which
    a failure to start shows. A chosen port taken by someone else before the server binds it is tried
    again with another. Returns the process and the base URL; the caller stops it."""
    for _ in range(1 if port else 3):
        chosen = port or free_port()
        process = _start(db_url, chosen, workers, command, env or {}, cwd, log)
        base = f"http://127.0.0.1:{chosen}"
        deadline = time.monotonic() + wait_s
        while process.poll() is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"{base}/health", timeout=2).status_code == 200
                if answered and _listens(process.pid, chosen):
                    return process, base
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        if process.poll() is None:  # not a lost port: it did not answer in time
            process.kill()
            break
    output = log.read_text(errors="replace") if log else process.stderr.read().decode()
    raise RuntimeError(f"the server did not start: {output[-2000:]}")


def _listens(pid: int, port: int) -> bool:
    """Whether `pid` holds the socket listening on `port`: another test's server that took the port between
    `free_port` and this server's bind answers /health too (and its database knows none of this test's
    tokens), while this server fails to bind and ends, so the port is tried again with another."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
            listening.add(f"socket:[{fields[9]}]")
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process has ended, or is not ours to read
        return False
    for descriptor in descriptors:
        try:
            if os.readlink(descriptor) in listening:
                return True
        except OSError:  # closed meanwhile
            continue
    return False


def _start(
    db_url: str,
    port: int,
    workers: int,
    command: list[str] | None,
    env: dict[str, str],
    cwd: Path,
    log: Path | None,
) -> subprocess.Popen:
    """The server's process, its output to `log` (else stderr kept for the error, stdout dropped)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    environment |= {"DATABASE_URL": db_url, "SAFEMAP_HOST": "127.0.0.1", "SAFEMAP_PORT": str(port), **env}
    args = command or [*UVICORN, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if log is None:
        return subprocess.Popen(
            args, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    with open(log, "ab") as out:
        return subprocess.Popen(args, cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT)
