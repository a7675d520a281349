"""`safemap import focus-group` as a facilitator's office runs it: one line of result, all or nothing,
idempotent."""

import json
import shutil
from pathlib import Path

import psycopg2

from tests.cli.test_cli import run

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "focus_groups" / "sharif_1399-09-20.geojson"
ARGS = (
    "--area",
    "2201",
    "--date",
    "1399/09/20",
    "--facilitator",
    "مریم کریمی",
    "--participants",
    "14",
    "--women",
    "11",
)


def _counts(url: str) -> tuple[int, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM focus_group),"
            " (SELECT count(*) FROM report WHERE source = 'focus_group' AND provenance ? 'focus_group_id')"
        )
        return cur.fetchone()


def test_a_session_file_is_imported_once(tmp_path, db_url):
    sessions, points = _counts(db_url)
    path = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, path)
    result = run("import", "focus-group", str(path), *ARGS, database=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{path.name}: focus group ")
    assert "(2201 شهرک دانشگاه صنعتی شریف, 1399/09/20): 4 places reported" in result.stdout
    assert _counts(db_url) == (sessions + 1, points + 4)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT held_on::text, facilitator, participants, women FROM focus_group ORDER BY id DESC LIMIT 1"
        )
        assert cur.fetchone() == ("2020-12-10", "مریم کریمی", 14, 11)
        cur.execute(
            "SELECT DISTINCT provenance ->> 'file', provenance ->> 'channel' FROM report"
            " WHERE source = 'focus_group' AND provenance ? 'focus_group_id'"
        )
        assert cur.fetchall() == [(path.name, "file")]
    again = run("import", "focus-group", str(path), *ARGS, database=db_url)
    assert again.returncode == 0 and "already imported as focus group" in again.stdout
    assert _counts(db_url) == (sessions + 1, points + 4)


def test_a_bad_file_is_one_line_and_writes_nothing(tmp_path, db_url):
    before = _counts(db_url)
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["features"][2]["properties"]["دسته"] = "نامعلوم"
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("import", "focus-group", str(path), *ARGS, database=db_url)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: features: 1 of 4 features rejected, nothing was stored "
        "(feature 3: category: unknown category 'نامعلوم')"
    )
    too_many = run("import", "focus-group", str(SAMPLE), *ARGS[:-1], "15", database=db_url)
    assert too_many.returncode == 1 and "women" in too_many.stderr and "Traceback" not in too_many.stderr
    undated = run("import", "focus-group", str(SAMPLE), *ARGS[:3], "", *ARGS[4:], database=db_url)
    assert undated.returncode == 1 and "Traceback" not in undated.stderr
    assert undated.stderr.strip() == "error: held_on: the date the session was held is required"
    utm = tmp_path / "utm.geojson"
    utm.write_text(
        json.dumps({**data, "crs": {"type": "name", "properties": {"name": "EPSG:32639"}}}), encoding="utf-8"
    )
    projected = run("import", "focus-group", str(utm), *ARGS, database=db_url)
    assert projected.returncode == 1 and "WGS 84" in projected.stderr
    assert _counts(db_url) == before
