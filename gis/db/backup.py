"""Backups with pg_dump's custom format, and restores that rebuild the database from scratch."""

import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from gis.db.cluster import find_bin_dir
from gis.errors import ClusterError, InvalidInput


def _tool(name: str) -> str:
    return str(find_bin_dir() / name)


def backup(url: str, path: Path) -> int:
    """Dump the whole database to `path` (custom format); returns the file's size in bytes."""
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", url],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ClusterError("pg_dump failed", detail=result.stderr.strip())
    return path.stat().st_size


def restore(url: str, path: Path) -> None:
    """Replace the database at `url` with the backup: drop it, create it empty, restore in one transaction."""
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    check = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        raise InvalidInput("file", "pg_dump_custom_format_backup", path_name=path.name)
    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(database)))
    finally:
        admin.close()
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ClusterError("pg_restore failed", detail=result.stderr.strip())
