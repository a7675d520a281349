"""Backups with pg_dump's custom format, and restores that rebuild the database from scratch."""

import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from gis.db.cluster import Cluster, find_bin_dir
from gis.errors import ClusterError, InvalidInput


def _tool(name: str) -> str:
    return str(find_bin_dir() / name)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment carrying it: a command line is visible to every
    local user (ps), the environment is not."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, dict(os.environ)
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    bare = urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))
    return bare, {**os.environ, "PGPASSWORD": unquote(parts.password)}


def backup(url: str, path: Path) -> int:
    """Dump the whole database to `path` (custom format), readable by its owner only since it holds
    reporters' contacts; returns the file's size in bytes."""
    bare, env = _libpq(url)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was already there
    with os.fdopen(fd, "wb") as out:
        result = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", bare],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
        )
    if result.returncode != 0:
        path.unlink(missing_ok=True)
        raise ClusterError("pg_dump failed", detail=result.stderr.decode(errors="replace").strip())
    return path.stat().st_size


def restore(url: str, path: Path, *, admin_url: str | None = None) -> None:
    """Replace the database at `url` with the backup: drop it, create it empty, restore in one transaction.

    With `admin_url` (a superuser of the same database), that user drops, creates and restores, and the new
    database belongs to `url`'s user; without it, `url`'s user does everything.
    """
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    check = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        raise InvalidInput("file", "pg_dump_custom_format_backup", path_name=path.name)
    restorer = admin_url or url
    parts = urlsplit(restorer)
    database = parts.path.lstrip("/")
    create = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(database))
    if admin_url:
        owner = sql.Identifier(urlsplit(url).username)
        create = sql.SQL("{} OWNER {}").format(create, owner)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            cur.execute(create)
    finally:
        admin.close()
    bare, env = _libpq(restorer)
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={bare}",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        raise ClusterError("pg_restore failed", detail=result.stderr.strip())


def restore_cluster(cluster: Cluster, database: str, path: Path) -> None:
    """Restore into the embedded cluster: its superuser restores (the backup creates the postgis extension),
    then the database and everything in it is handed to the app's role."""
    restore(cluster.url(database), path, admin_url=cluster.admin_url(database))
    cluster.ensure_database(database)
