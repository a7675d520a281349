"""The importer as users reach it: `safemap import reports` in a shell, and the upload endpoint."""

import csv
from pathlib import Path

import httpx
import psycopg2

from tests.cli.test_cli import run


def test_the_cli_prints_the_row_report_and_writes_nothing_on_failure(db_url, messy_csv):
    result = run("import", "reports", str(messy_csv), "--source", "mayor", "--ref", "۱۲۳/ن۳", database=db_url)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("row 6: rejected: location: (51.42, 35.7) is outside the district")
    assert lines[1].startswith("row 7: rejected: location: latitude and longitude look swapped")
    assert lines[2] == "row 8: rejected: category: unknown category 'چیز عجیب'"
    assert lines[3] == (
        "nahie-3.csv: 3 accepted (3 new spots), 0 duplicate, 3 rejected, 1 blank rows skipped"
        " — nothing imported (all or nothing: fix the rows, or import with --partial)"
    )
    assert "Traceback" not in result.stderr
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE source_ref = '۱۲۳/ن۳'")
        assert cur.fetchone()[0] == 0


def test_the_cli_partial_import_writes_the_rejected_rows_and_a_rerun_adds_nothing(
    db_url, messy_csv, tmp_path
):
    env = {"DATABASE_URL": db_url}
    first = run("import", "reports", str(messy_csv), "--ref", "123", "--partial", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 accepted (3 new spots), 0 duplicate, 3 rejected" in first.stdout
    assert f"3 rejected rows written to {tmp_path / 'nahie-3.rejected.csv'}" in first.stdout
    with open(tmp_path / "nahie-3.rejected.csv", encoding="utf-8-sig") as handle:
        assert [row["row"] for row in csv.DictReader(handle)] == ["6", "7", "8"]
    again = run("import", "reports", str(messy_csv), "--ref", "123", "--partial", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "row 2: duplicate: already imported (report " in again.stdout
    assert "this file was imported before (batch " in again.stdout
    assert "0 accepted (0 new spots), 3 duplicate, 3 rejected" in again.stdout


def _upload(client, path: Path, name: str, headers: dict, **form: str) -> httpx.Response:
    """POST the file to /api/imports/reports under `name`, with the form's fields."""
    with open(path, "rb") as handle:
        return client.post("/api/imports/reports", headers=headers, data=form, files={"file": (name, handle)})


def test_uploading_needs_the_gis_office(client, tokens, clean_xlsx):
    def upload(headers: dict) -> httpx.Response:
        return _upload(client, clean_xlsx, "nahie-5.xlsx", headers, ref="letter 9")

    assert upload({}).status_code == 401
    assert upload(tokens["sara"]).status_code == 403
    assert upload(tokens["ali"]).status_code == 403
    done = upload(tokens["gis"])
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["accepted"], body["duplicates"], body["blank"], body["written"]) == (2, 0, 1, True)
    assert body["mapping"]["x"] == "X" and body["mapping"]["time_of_day"] == "زمان"
    assert upload(tokens["gis"]).json()["duplicates"] == 2
    batches = client.get("/api/imports", headers=tokens["gis"]).json()
    assert [(b["accepted"], b["duplicates"], b["imported_by"]) for b in batches] == [
        (0, 2, "gis"),
        (2, 0, "gis"),
    ]


def test_an_upload_with_rejected_rows_is_400_with_the_rows(client, tokens, messy_csv):
    response = _upload(client, messy_csv, "n3.csv", tokens["gis"])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "file" and error["message"].startswith("file: 3 of 6 rows rejected")
    assert [(r["row"], r["field"]) for r in error["rows"]] == [
        (6, "location"),
        (7, "location"),
        (8, "category"),
    ]
    partial = _upload(client, messy_csv, "n3.csv", tokens["gis"], partial="true")
    assert partial.status_code == 201 and partial.json()["accepted"] == 3
    rejected = [r for r in partial.json()["rows"] if r["status"] == "rejected"]
    assert rejected[2]["values"]["نوع"] == "چيز عجيب"


def test_an_upload_over_the_size_limit_is_refused_and_writes_nothing(
    client, tokens, messy_csv, db_url, monkeypatch
):
    monkeypatch.setattr("api.routes.imports.MAX_BYTES", messy_csv.stat().st_size - 1)
    refused = _upload(client, messy_csv, "nahie-3.csv", tokens["gis"], ref="too big")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "file"
    assert "safemap import reports" in refused.json()["error"]["message"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM import_batch")
        assert cur.fetchone()[0] == 0


def test_the_cli_takes_a_fixed_cell_and_a_date_reading(db_url, messy_csv):
    fixed = run(
        "import",
        "reports",
        str(messy_csv),
        "--dry-run",
        "--fix",
        "8:نوع=زمین بایر",
        "--date",
        "1399/09/15=1399/09/16",
        database=db_url,
    )
    assert "row 8: rejected" not in fixed.stdout, fixed.stdout
    assert "3 accepted" not in fixed.stdout and "4 accepted" in fixed.stdout, fixed.stdout
    wrong = run("import", "reports", str(messy_csv), "--fix", "eight=x", database=db_url)
    assert wrong.returncode != 0 and "row:column=value" in wrong.stderr + wrong.stdout
    assert "Traceback" not in wrong.stderr
