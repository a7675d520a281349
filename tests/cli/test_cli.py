"""The CLI as a user runs it: real processes, real output, exit codes."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import time_machine

from gis import clock

SAFEMAP = str(Path(sys.executable).parent / "safemap")


def run(
    *args: str, database: str | None = None, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """`safemap <args>` as a user runs it, on `database` (DATABASE_URL) if given; English messages unless
    `env` asks for Persian. Under --pretend-now the command runs at the test's instant (pretend_cli.py)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_") and k != "DATABASE_URL"}
    on = {"DATABASE_URL": database} if database else {}
    command = [SAFEMAP]
    if time_machine.escape_hatch.is_travelling():
        command = [sys.executable, str(Path(__file__).with_name("pretend_cli.py"))]
        on["SAFEMAP_TEST_NOW"] = clock.now().isoformat()
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env={**base, "SAFEMAP_LANG": "en", **on, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def test_demo_loads_district_22_into_an_empty_database(empty_url):
    result = run("demo", database=empty_url)
    assert result.returncode == 0, result.stderr
    assert "11 areas" in result.stdout and "spots" in result.stdout
    with psycopg2.connect(empty_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT stage) FROM spot")
        spots, stages = cur.fetchone()
        cur.execute("SELECT count(*), count(DISTINCT source), count(DISTINCT area_id) FROM report")
        reports, sources, areas = cur.fetchone()
    assert spots >= 50 and stages == 4
    assert reports >= 200 and sources == 4 and areas == 10
    again = run("demo", database=empty_url)
    assert again.returncode == 0 and f"{spots} spots" in again.stdout  # loading twice adds nothing


def _sub_district_file(tmp_path: Path, geometry: dict) -> Path:
    """navahi.geojson: one sub-district («ناحیه ۱», code 1) with the given geometry."""
    feature = {"type": "Feature", "properties": {"code": "1", "name": "ناحیه ۱"}, "geometry": geometry}
    path = tmp_path / "navahi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def test_importing_a_bad_area_file_is_one_line_and_writes_nothing(tmp_path, db_url):
    path = _sub_district_file(tmp_path, {"type": "Point", "coordinates": [51.2, 35.75]})
    result = run("import", "areas", str(path), "--level", "sub_district", database=db_url)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: feature 1: geometry: Point is not a polygon"
    assert "Traceback" not in result.stderr


def test_importing_sub_districts_reports_what_was_added(tmp_path, db_url):
    square = [[[51.09, 35.70], [51.30, 35.70], [51.30, 35.79], [51.09, 35.79], [51.09, 35.70]]]
    path = _sub_district_file(tmp_path, {"type": "Polygon", "coordinates": square})
    result = run(
        "import", "areas", str(path), "--level", "sub_district", "--code-prefix", "22-", database=db_url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "navahi.geojson: 1 areas added, 0 updated"


def test_a_database_that_is_down_is_one_line():
    result = run("db", "migrate", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none"})
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "error: the database is not reachable"
    assert "Traceback" not in result.stderr


def test_the_embedded_cluster_starts_reports_and_stops():
    root = Path(tempfile.mkdtemp(prefix="safemap-cli-"))
    root.chmod(0o755)
    env = {"SAFEMAP_PG_DIR": str(root / "pg")}
    try:
        started = run("db", "start", env=env)
        assert started.returncode == 0, started.stderr
        assert started.stdout.startswith("database running: postgresql://safemap@127.0.0.1:")  # no password
        migrated = run("db", "migrate", env=env)
        assert migrated.returncode == 0 and migrated.stdout.startswith("schema at ")
        status = run("db", "status", env=env)
        assert status.returncode == 0 and "schema: " in status.stdout
        shown = run("db", "url", env=env)
        assert shown.stderr.strip() == f"password: in {root / 'pg.safemap.password'}"
        password = (root / "pg.safemap.password").read_text().strip()
        assert all(password not in out.stdout + out.stderr for out in (started, migrated, status, shown))
        assert run("db", "stop", env=env).stdout.strip() == "database stopped"
        stopped = run("db", "status", env=env)
        assert stopped.returncode == 3 and "not running" in stopped.stdout
    finally:
        run("db", "stop", env=env)


def test_users_are_added_listed_and_disabled(db_url):
    env = {"DATABASE_URL": db_url}
    added = subprocess.run(
        [
            SAFEMAP,
            "user",
            "add",
            "sara",
            "--role",
            "facilitator",
            "--area",
            "2201",
            "--area",
            "2209",
            "--full-name",
            "سارا",
            "--password-stdin",
        ],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "user sara added as facilitator"
    listed = run("user", "list", env=env).stdout
    assert "sara\tfacilitator\tactive\t-\t2201,2209\tسارا" in listed
    assert run("user", "token", "sara", env=env).stdout.strip()
    assert run("user", "disable", "sara", env=env).returncode == 0
    assert "sara\tfacilitator\tdisabled" in run("user", "list", env=env).stdout
    again = subprocess.run(
        [SAFEMAP, "user", "add", "sara", "--role", "viewer", "--password-stdin"],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    # Persian by default (SAFEMAP_LANG is not set here); --lang en switches to English.
    assert again.returncode == 1 and again.stderr.strip() == "خطا: نام کاربری 'sara' پیش‌تر گرفته شده است"
    english = subprocess.run(
        [SAFEMAP, "--lang", "en", "user", "add", "sara", "--role", "viewer", "--password-stdin"],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert english.returncode == 1 and english.stderr.strip() == "error: username: 'sara' is taken"
