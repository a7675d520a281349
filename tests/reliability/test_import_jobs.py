"""A file over 1,000 rows is imported as a job, in committed chunks: followed and cancelled through the API,
resumed after its worker (the app or the CLI) is killed, and never holding up a report sent meanwhile.

Kills are timed by the database, not the clock: the test waits until the job has committed its first chunk,
then locks the spot table, so the next chunk is stuck before it can commit when the process is killed.
"""

import csv
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg2
import pytest

from gis.aggregation.aggregate import MAP_LOCK
from gis.db import connect, transaction
from gis.intake.files import ImportOptions
from gis.intake.files.jobs import CHUNK_ROWS, MIN_CHUNK_ROWS, claim_job, create_job, release_job, run_job
from gis.intake.files.rows import RowParser
from tests.conftest import query_one
from tests.reliability.conftest import make_role_tokens
from tests.servers import start_uvicorn

ROWS = 3 * CHUNK_ROWS + 500
SAFEMAP = Path(sys.executable).with_name("safemap")


def _places(db_url: str, rows: int) -> list[tuple[float, float]]:
    return query_one(
        db_url,
        "SELECT array_agg(ARRAY[ST_X(p), ST_Y(p)]) FROM (SELECT (ST_Dump(ST_GeneratePoints("
        " ST_Buffer(ST_Union(geom)::geography, -100)::geometry, %s, 22))).geom AS p"
        " FROM area WHERE level = 'neighbourhood') q",
        (rows,),
    )[0]


def write_reports_csv(db_url: str, path: Path, rows: int, *, bad_row: int | None = None) -> Path:
    """A mayor's CSV of `rows` distinct places in District 22; row `bad_row` (from 1) has no place."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["عرض جغرافیایی", "طول جغرافیایی", "نوع", "توضیحات", "تاریخ"])
        for number, (lon, lat) in enumerate(_places(db_url, rows), start=1):
            place = ["", ""] if number == bad_row else [f"{lat:.6f}", f"{lon:.6f}"]
            text = '=HYPERLINK("http://evil.example","x")' if number == bad_row else f"زمین رها شده {number}"
            writer.writerow([*place, "زمین بایر", text, "1402/10/25"])
    return path


@pytest.fixture
def report_file(db_url: str, tmp_path: Path) -> Path:
    return write_reports_csv(db_url, tmp_path / "nahie-jobs.csv", ROWS)


def _server(db_url: str, processes: list[subprocess.Popen]) -> str:
    server, url = start_uvicorn(db_url, wait_s=120)
    processes.append(server)
    return url


def _job(db_url: str) -> dict:
    """The latest job's state, progress and counts, read from the database."""
    row = query_one(
        db_url,
        "SELECT id, state, rows_done, rows_total, accepted, duplicates, rejected, batch_id FROM import_job"
        " ORDER BY id DESC LIMIT 1",
    )
    keys = ("id", "state", "rows_done", "rows_total", "accepted", "duplicates", "rejected", "batch_id")
    return dict(zip(keys, row)) if row else {}


def _wait(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.02)


@contextmanager
def _spots_locked(db_url: str) -> Iterator[None]:
    """Spots locked against writes: a chunk under way cannot attach its reports, so it cannot commit."""
    holder = psycopg2.connect(db_url)
    try:
        with holder.cursor() as cur:
            cur.execute("LOCK TABLE spot IN EXCLUSIVE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


def _upload(url: str, token: str, path: Path, **data: str) -> httpx.Response:
    with open(path, "rb") as handle:
        return httpx.post(
            f"{url}/api/imports/reports",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (path.name, handle, "text/csv")},
            data={"source": "mayor", **data},
            timeout=120,
        )


def _visible(db_url: str) -> tuple[int, int]:
    """(reports, distinct report UUIDs) of the import's rows: a duplicate would make them differ."""
    return query_one(
        db_url, "SELECT count(*), count(DISTINCT uuid) FROM report WHERE provenance ? 'import_batch'"
    )


def _cli(
    db_url: str, path: Path, processes: list[subprocess.Popen], *extra: str, output: bool = True
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")} | {
        "DATABASE_URL": db_url,
        "SAFEMAP_LANG": "en",
    }
    stream = subprocess.PIPE if output else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(SAFEMAP), "import", "reports", str(path), *extra],
        cwd=path.parent,
        env=env,
        stdout=stream,
        stderr=stream,
        text=True,
    )
    processes.append(process)
    return process


def _kill_after_first_chunk(db_url: str, process: subprocess.Popen) -> dict:
    """SIGKILL `process` while its job's second chunk is stuck; the job as the kill left it."""
    _wait(lambda: _job(db_url).get("rows_done", 0) >= CHUNK_ROWS, "the job's first chunk")
    with _spots_locked(db_url):
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    return _job(db_url)


def test_server_killed_mid_job_keeps_whole_chunks_and_the_restarted_worker_finishes_it(
    db_url, report_file, processes
):
    token = make_role_tokens(db_url, prefix="job")["gis_office"]
    url = _server(db_url, processes)
    started = _upload(url, token, report_file)
    assert started.status_code == 202, started.text
    job = started.json()
    assert (
        job["state"] in ("queued", "running") and started.headers["location"] == f"/api/imports/{job['id']}"
    )

    killed = _kill_after_first_chunk(db_url, processes[-1])
    assert killed["state"] == "running" and 0 < killed["rows_done"] < ROWS
    # Only whole chunks are visible, and exactly what the job counted.
    assert _visible(db_url) == (killed["accepted"], killed["accepted"])

    url = _server(db_url, processes)
    _wait(lambda: _job(db_url)["state"] == "done", "the restarted server's worker to finish the job")
    done = httpx.get(f"{url}/api/imports/{job['id']}", headers={"Authorization": f"Bearer {token}"}).json()
    assert (done["state"], done["rows_done"], done["rows_total"]) == ("done", ROWS, ROWS)
    assert (done["accepted"], done["duplicates"], done["rejected"]) == (ROWS, 0, 0)
    assert _visible(db_url) == (ROWS, ROWS)
    assert query_one(db_url, "SELECT accepted FROM import_batch WHERE id = %s", (done["batch_id"],)) == (
        ROWS,
    )


def test_cli_killed_mid_job_resumes_on_the_next_run_without_duplicates(db_url, report_file, processes):
    killed = _kill_after_first_chunk(db_url, _cli(db_url, report_file, processes, output=False))
    assert killed["state"] == "running" and 0 < killed["accepted"] < ROWS
    assert _visible(db_url) == (killed["accepted"], killed["accepted"])

    rerun = _cli(db_url, report_file, processes)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"import job {killed['id']}: resuming" in out
    # The summary is the whole file's: the killed run's chunks and this run's.
    assert f"{ROWS} accepted" in out and "0 duplicate, 0 rejected" in out and "done" in out
    assert _job(db_url)["state"] == "done" and _job(db_url)["accepted"] == ROWS
    assert _visible(db_url) == (ROWS, ROWS)


def test_a_job_is_followed_and_cancelled_through_the_api(db_url, report_file, processes):
    tokens = make_role_tokens(db_url, prefix="cancel")
    gis = {"Authorization": f"Bearer {tokens['gis_office']}"}
    url = _server(db_url, processes)
    with _spots_locked(db_url):
        job = _upload(url, tokens["gis_office"], report_file).json()
        _wait(lambda: _job(db_url)["rows_total"] == ROWS, "the job to check the file")
        seen = httpx.get(f"{url}/api/imports/{job['id']}", headers=gis).json()
        assert (seen["state"], seen["phase"], seen["rows_total"], seen["rows_done"]) == (
            "running",
            "writing",
            ROWS,
            0,
        )
        listed = httpx.get(f"{url}/api/imports/jobs", headers=gis).json()
        assert [j["id"] for j in listed][:1] == [job["id"]]
        refused = httpx.post(
            f"{url}/api/imports/{job['id']}/cancel", headers={"Authorization": f"Bearer {tokens['viewer']}"}
        )
        assert refused.status_code == 403
        asked = httpx.post(f"{url}/api/imports/{job['id']}/cancel", headers=gis)
        assert asked.status_code == 200 and asked.json()["cancel_requested"] is True
    _wait(lambda: _job(db_url)["state"] == "cancelled", "the job to stop")
    ended = httpx.get(f"{url}/api/imports/{job['id']}", headers=gis).json()
    # The first chunk is the smallest, so cancelling while it waits stops after it.
    assert ended["rows_done"] == MIN_CHUNK_ROWS
    assert f"cancelled after {MIN_CHUNK_ROWS} rows" in ended["message"]
    assert _visible(db_url) == (ended["accepted"], ended["accepted"])
    again = httpx.post(f"{url}/api/imports/{job['id']}/cancel", headers=gis | {"Accept-Language": "en"})
    assert again.status_code == 409, again.text
    assert "has ended (cancelled)" in again.json()["error"]["message"]
    missing = httpx.get(f"{url}/api/imports/999999", headers=gis)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "job"


def test_an_all_or_nothing_job_with_a_bad_row_imports_nothing(db_url, tmp_path, processes):
    path = write_reports_csv(db_url, tmp_path / "one-bad.csv", ROWS, bad_row=ROWS - 10)
    token = make_role_tokens(db_url, prefix="bad")["gis_office"]
    url = _server(db_url, processes)
    job = _upload(url, token, path).json()
    _wait(lambda: _job(db_url)["state"] == "failed", "the check to fail the job")
    failed = httpx.get(f"{url}/api/imports/{job['id']}", headers={"Authorization": f"Bearer {token}"}).json()
    assert (failed["rejected"], failed["accepted"], failed["batch_id"]) == (1, 0, None)
    assert [e["row"] for e in failed["errors"]] == [ROWS - 10 + 1]  # the header is line 1
    assert "nothing was imported" in failed["message"]
    assert _visible(db_url) == (0, 0)


def test_a_report_sent_during_a_large_import_is_answered_within_two_seconds(db_url, tmp_path, processes):
    path = write_reports_csv(db_url, tmp_path / "big.csv", 8 * CHUNK_ROWS)
    tokens = make_role_tokens(db_url, prefix="busy")
    url = _server(db_url, processes)
    category = query_one(db_url, "SELECT code FROM category WHERE code = 'vacant_lot'")[0]
    start = query_one(db_url, "SELECT last_value FROM report_id_seq")[0]
    answers: list[httpx.Response] = []
    upload = threading.Thread(target=lambda: answers.append(_upload(url, tokens["gis_office"], path)))
    upload.start()
    # Under way: the import has written a chunk's worth of reports (committed or not).
    _wait(
        lambda: query_one(db_url, "SELECT last_value FROM report_id_seq")[0] >= start + CHUNK_ROWS,
        "the import",
    )
    lon, lat = _places(db_url, 1)[0]
    headers = {"Authorization": f"Bearer {tokens['gis_office']}"}
    timings = []
    # Reports are sent one after another until the import ends (its batch gets its counts at its last commit).
    while not query_one(db_url, "SELECT count(*) FROM import_batch WHERE rows_read > 0")[0]:
        began = time.monotonic()
        sent = httpx.post(
            f"{url}/api/reports",
            headers=headers,
            json={"uuid": str(uuid.uuid4()), "category": category, "lon": lon, "lat": lat},
            timeout=60,
        )
        timings.append(time.monotonic() - began)
        assert sent.status_code in (200, 201), sent.text
    upload.join(timeout=300)
    assert answers and answers[0].status_code in (201, 202), answers and answers[0].text
    assert _visible(db_url)[0] == 8 * CHUNK_ROWS
    assert max(timings) < 2, f"a report waited {max(timings):.1f} s for the import (of {len(timings)} sent)"
    assert len(timings) >= 5, f"only {len(timings)} reports were sent during the import: it proved nothing"


def test_a_partial_cli_job_keeps_the_valid_rows_and_writes_the_rejected_one_defused(
    db_url, tmp_path, processes
):
    path = write_reports_csv(db_url, tmp_path / "partial.csv", ROWS, bad_row=7)
    done = _cli(db_url, path, processes, "--partial", "--rejected", str(tmp_path / "out.csv"))
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert f"{ROWS - 1} accepted" in out and "1 rejected" in out and "row 8: rejected: location" in out
    assert "1 rejected rows written to" in out
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[:3] == ["row", "field", "reason"] and row[0] == "8"
    assert '\'=HYPERLINK("http://evil.example","x")' in row  # a spreadsheet shows it, never runs it
    assert _visible(db_url) == (ROWS - 1, ROWS - 1)


@pytest.mark.parametrize(("partial", "reads"), [(True, 1), (False, 2)])
def test_a_partial_job_reads_each_row_once_an_all_or_nothing_one_twice(
    db_url, tmp_path, monkeypatch, partial, reads
):
    """An all-or-nothing job checks every row before its first chunk commits, then writes them; a partial
    one keeps its valid rows whatever the others hold, so it goes straight to writing (each row checked
    there) and reads the file's rows once."""
    rows = 1200
    path = write_reports_csv(db_url, tmp_path / "partial.csv", rows, bad_row=7 if partial else None)
    parsed = []
    parse = RowParser.parse
    monkeypatch.setattr(RowParser, "parse", lambda self, *row: parsed.append(1) or parse(self, *row))
    options = ImportOptions(source="mayor", source_ref="۱۲/ن", partial=partial)
    with transaction(db_url) as conn:
        job_id = create_job(conn, path, options, file_name=path.name)
    conn = connect(db_url)
    try:
        assert claim_job(conn, job_id) == job_id
        job = run_job(conn, job_id)
        release_job(conn, job_id)
    finally:
        conn.close()
    assert (job["state"], job["accepted"], job["rejected"]) == ("done", rows - partial, int(partial))
    assert len(parsed) == reads * rows


def test_a_report_behind_a_lock_held_elsewhere_gives_up_with_503_busy_and_frees_its_connection(
    db_url, client
):
    """Request connections carry lock_timeout: a writer queued behind a long lock (an old-style import, a
    rebuild) answers 503 after about 5 s instead of holding one of the pool's connections for as long."""
    token = make_role_tokens(db_url, prefix="lock")["gis_office"]
    lon, lat = _places(db_url, 1)[0]
    holder = psycopg2.connect(db_url)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MAP_LOCK,))
        # Without the timeout the report would wait as long as the lock is held: here 20 s at most.
        release = threading.Timer(20, holder.rollback)
        release.start()
        began = time.monotonic()
        sent = client.post(
            "/api/reports",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            json={"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lon": lon, "lat": lat},
        )
        waited = time.monotonic() - began
        assert client.get("/health").status_code == 200
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert sent.status_code == 503, sent.text
    assert sent.json()["error"]["message"] == "the database is busy; try again"
    assert 4 < waited < 15, waited
