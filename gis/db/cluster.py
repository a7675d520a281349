"""The embedded PostgreSQL + PostGIS cluster the tool runs when no DATABASE_URL is given.

initdb and postgres refuse to run as root, so as root every server command runs as the `postgres` user.
The server listens on 127.0.0.1 only, with trust authentication and no Unix socket.
"""

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from gis.errors import ClusterError

POSTGIS_PACKAGE = "postgresql-{major}-postgis-3"
PORT_FILE = "safemap.port"


@dataclass(frozen=True)
class Cluster:
    """A cluster in a data folder, driven by the system's PostgreSQL binaries."""

    data_dir: Path
    bin_dir: Path

    @property
    def major(self) -> str:
        return self.bin_dir.parent.name

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.running_port()}/{database}"

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running_port(self) -> int:
        """The port of the running server, from postmaster.pid; ClusterError when it is not running."""
        if not self.is_running():
            raise ClusterError(f"the database server in {self.data_dir} is not running (safemap db start)")
        lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def init(self) -> None:
        """Create the cluster folder (owned by the server's user) and run initdb."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            shutil.chown(self.data_dir, "postgres", "postgres")
            if self._run("test", "-w", str(self.data_dir), check=False, bare=True).returncode != 0:
                raise ClusterError(
                    f"the postgres user cannot reach {self.data_dir}: set SAFEMAP_PG_DIR to a folder "
                    "it can enter (for example under /var/lib or /tmp)"
                )
        self.data_dir.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )

    def start(self, port: int | None = None, *, fast: bool = False) -> int:
        """Start the server on 127.0.0.1; reuse the last port when it is free. Returns the port."""
        if self.is_running():
            return self.running_port()
        port = port or self._remembered_port() or free_port()
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        if fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = self.data_dir / "server.log"
        result = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "60",
            "-l",
            str(log),
            "-o",
            options,
            check=False,
        )
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else result.stderr
            raise ClusterError(f"the database server did not start on port {port}", detail=tail)
        (self.data_dir / PORT_FILE).write_text(str(port))
        return port

    def stop(self) -> bool:
        """Stop the server cleanly (fast mode: open transactions roll back); False if it was not running."""
        if not self.is_running():
            return False
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60")
        return True

    def ensure_database(self, database: str) -> str:
        """Create the database and the postgis extension when missing; return its URL."""
        self.check_postgis()
        admin = psycopg2.connect(self.url("postgres"))
        try:
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if cur.fetchone() is None:
                    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        finally:
            admin.close()
        conn = psycopg2.connect(self.url(database))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        finally:
            conn.close()
        return self.url(database)

    def check_postgis(self) -> None:
        share = Path("/usr/share/postgresql") / self.major / "extension" / "postgis.control"
        if not share.exists():
            package = POSTGIS_PACKAGE.format(major=self.major)
            raise ClusterError(f"PostGIS is not installed: run `apt-get install {package}` (as root)")

    def _remembered_port(self) -> int | None:
        path = self.data_dir / PORT_FILE
        if not path.exists():
            return None
        port = int(path.read_text().strip())
        return port if port_is_free(port) else None

    def _run(
        self, program: str, *args: str, check: bool = True, bare: bool = False
    ) -> subprocess.CompletedProcess:
        command = [program if bare else str(self.bin_dir / program), *args]
        if _is_root():
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if check and result.returncode != 0:
            raise ClusterError(f"{program} failed", detail=result.stderr.strip())
        return result


def find_bin_dir() -> Path:
    """The newest PostgreSQL server binaries on the machine (Debian's layout), or ClusterError."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        found = shutil.which("initdb")
        if found is None:
            raise ClusterError("PostgreSQL server binaries not found: run `apt-get install postgresql-15`")
        return Path(found).parent
    return candidates[-1].parent


def open_cluster(data_dir: Path) -> Cluster:
    """The cluster in `data_dir` (absolute, so the server's user can find it from any folder)."""
    return Cluster(data_dir=data_dir.resolve(), bin_dir=find_bin_dir())


def ensure_cluster(data_dir: Path, database: str, *, port: int | None = None, fast: bool = False) -> str:
    """Create (first run) and start (later runs) the embedded cluster; return the database URL."""
    cluster = open_cluster(data_dir)
    cluster.check_postgis()
    if not cluster.is_initialised():
        cluster.init()
    cluster.start(port, fast=fast)
    return cluster.ensure_database(database)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Free for a new server: SO_REUSEADDR as PostgreSQL sets it, so a port in TIME_WAIT counts as free."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _is_root() -> bool:
    return os.geteuid() == 0
