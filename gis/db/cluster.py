"""The embedded PostgreSQL + PostGIS cluster the tool runs when no DATABASE_URL is given.

initdb and postgres refuse to run as root, so as root every server command runs as the `postgres` user.
The server listens on 127.0.0.1 only, with no Unix socket, and trusts no one: every connection gives a
password (scram-sha-256). Two generated passwords sit beside the data folder, readable by their owner only:
the superuser's (bootstrap, extensions, upgrades) and the app role's. The app connects as `safemap`, an
ordinary role that owns its database and every object in it, so it cannot run programs or read the
server's files as a superuser could.
"""

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from gis.errors import ClusterError

POSTGIS_PACKAGE = "postgresql-{major}-postgis-3"
PORT_FILE = "safemap.port"
SUPERUSER = "postgres"
APP_ROLE = "safemap"

# Written over pg_hba.conf when a cluster made with trust (before passwords) is upgraded; initdb writes the
# same rules for a new cluster (--auth-host=scram-sha-256 --auth-local=peer).
HBA = """\
# Safemap: a password (scram-sha-256) over TCP, the operating-system user on a socket; no trust.
local   all             all                                     peer
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     peer
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""

# Hands every object of the public schema that an extension does not own to the app role: a cluster made
# before the app role existed has them owned by the superuser (REASSIGN OWNED cannot move the bootstrap
# superuser's objects).
HAND_OVER = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND c.relowner <> %(role)s::regrole
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER %%s %%s OWNER TO %%I',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
      ELSE 'TABLE' END, r.name, %(role)s);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND c.relowner <> %(role)s::regrole
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
  LOOP
    EXECUTE format('ALTER SEQUENCE %%s OWNER TO %%I', r.name, %(role)s);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> %(role)s::regrole
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %%s OWNER TO %%I', r.name, %(role)s);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
      WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
        AND t.typrelid = 0 AND t.typowner <> %(role)s::regrole
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TYPE %%s OWNER TO %%I', r.name, %(role)s);
  END LOOP;
END $$
"""


@dataclass(frozen=True)
class Cluster:
    """A cluster in a data folder, driven by the system's PostgreSQL binaries."""

    data_dir: Path
    bin_dir: Path

    @property
    def major(self) -> str:
        return self.bin_dir.parent.name

    @property
    def superuser_password_file(self) -> Path:
        """Beside the data folder (which belongs to the server's user), owned by whoever runs the tool."""
        return self.data_dir.with_name(f"{self.data_dir.name}.{SUPERUSER}.password")

    @property
    def app_password_file(self) -> Path:
        return self.data_dir.with_name(f"{self.data_dir.name}.{APP_ROLE}.password")

    def url(self, database: str) -> str:
        """The app role's URL, password included: to connect with, never to print (see `shown_url`)."""
        return self._url(APP_ROLE, _read_password(self.app_password_file), database)

    def admin_url(self, database: str) -> str:
        """The superuser's URL: for creating databases and extensions, not for the app."""
        return self._url(SUPERUSER, _read_password(self.superuser_password_file), database)

    def shown_url(self, database: str) -> str:
        """The app role's URL without its password, for messages."""
        return f"postgresql://{APP_ROLE}@127.0.0.1:{self.running_port()}/{database}"

    def _url(self, user: str, password: str, database: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.running_port()}/{database}"

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
        """Create the cluster folder (owned by the server's user) and run initdb with passwords, no trust."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            shutil.chown(self.data_dir, "postgres", "postgres")
            if self._run("test", "-w", str(self.data_dir), check=False, bare=True).returncode != 0:
                raise ClusterError(
                    f"the postgres user cannot reach {self.data_dir}: set SAFEMAP_PG_DIR to a folder "
                    "it can enter (for example under /var/lib or /tmp)"
                )
        self.data_dir.chmod(0o700)
        superuser_password = _new_password(self.superuser_password_file)
        _new_password(self.app_password_file)
        # initdb reads the superuser's password from a file the server's user can read: a private copy,
        # deleted as soon as initdb is done.
        with tempfile.TemporaryDirectory(prefix="safemap-initdb-") as folder:
            pwfile = Path(folder) / "password"
            _write_secret(pwfile, superuser_password)
            if _is_root():
                shutil.chown(folder, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            )

    def start(self, port: int | None = None, *, fast: bool = False) -> int:
        """Start the server on 127.0.0.1; reuse the last port when it is free. Returns the port."""
        if self.is_running():
            self._require_passwords()
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
        self._require_passwords()
        return port

    def trusts(self) -> bool:
        """Whether pg_hba.conf lets anyone in without a password (clusters made before passwords)."""
        lines = (self.data_dir / "pg_hba.conf").read_text().splitlines()
        return any("trust" in line.split() for line in lines if not line.lstrip().startswith("#"))

    def _require_passwords(self) -> None:
        """Upgrade a running cluster made with trust: set the superuser's password, then demand passwords."""
        if not self.trusts():
            return
        superuser_password = _password(self.superuser_password_file)
        _password(self.app_password_file)
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.running_port(), user=SUPERUSER, dbname="postgres", connect_timeout=10
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(SUPERUSER)),
                    (superuser_password,),
                )
                (self.data_dir / "pg_hba.conf").write_text(HBA)
                cur.execute("SELECT pg_reload_conf()")
        finally:
            conn.close()

    def stop(self) -> bool:
        """Stop the server cleanly (fast mode: open transactions roll back); False if it was not running."""
        if not self.is_running():
            return False
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60")
        return True

    def ensure_database(self, database: str) -> str:
        """Create the app role, its database and the postgis extension when missing; return the app's URL.

        The app role's password is (re)set from its file, and the database and everything in it are handed
        to the app role, so a database made before the app role existed is upgraded here too.
        """
        self.check_postgis()
        app_password = _password(self.app_password_file)
        role = sql.Identifier(APP_ROLE)
        with self._admin("postgres") as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,))
            verb = sql.SQL("ALTER" if cur.fetchone() else "CREATE")
            cur.execute(
                sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s").format(
                    verb, role
                ),
                (app_password,),
            )
            cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (database,))
            row = cur.fetchone()
            name = sql.Identifier(database)
            if row is None:
                cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(name, role))
            elif row[0] != APP_ROLE:
                cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(name, role))
        with self._admin(database) as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cur.execute(HAND_OVER, {"role": APP_ROLE})
        return self.url(database)

    @contextmanager
    def _admin(self, database: str) -> Iterator["psycopg2.extensions.cursor"]:
        """A cursor of the superuser on `database`, in autocommit."""
        conn = psycopg2.connect(self.admin_url(database), connect_timeout=10)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur
        finally:
            conn.close()

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


def _write_secret(path: Path, text: str) -> None:
    """Write `text` to `path`, readable and writable by its owner only (also when the file was there)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(fd, 0o600)
        out.write(text + "\n")


def _new_password(path: Path) -> str:
    password = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(path, password)
    return password


def _password(path: Path) -> str:
    """The password kept in `path`, or a new one written there."""
    return _read_password(path) if path.exists() else _new_password(path)


def _read_password(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise ClusterError(
            f"the embedded database's password file {path} is missing: restore it from a copy, or make a "
            "new cluster (move the data folder away, safemap db start, then safemap db restore a backup)"
        ) from None


def _is_root() -> bool:
    return os.geteuid() == 0
