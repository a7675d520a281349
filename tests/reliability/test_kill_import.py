"""An import killed mid-way (the server with SIGKILL during an upload, or the CLI) leaves nothing behind, and
running the same file again gives what an undisturbed import gives; a third run adds nothing.

The kill is timed by the database, not the clock: report ids come from a sequence, which (unlike the rows)
moves outside the import's transaction, so the test sees how many rows the import has written so far and kills
it a quarter of the way through, long before it could commit.
"""

import csv
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psycopg2
import pytest

from tests.conftest import query_one
from tests.reliability.conftest import SAFEMAP, make_role_tokens

ROWS = 600
KILL_AFTER = ROWS // 4
KILL_POINTS = 10
STATE_SQL = """
    SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM import_batch), (SELECT count(*) FROM spot),
           (SELECT count(*) FROM spot_event)
"""


def _state(db_url: str) -> tuple[int, int, int, int]:
    """(reports, import batches, spots, spot events): what a committed import would change."""
    return query_one(db_url, STATE_SQL)


def _report_ids_taken(db_url: str) -> int:
    return query_one(db_url, "SELECT last_value FROM report_id_seq")[0]


def _wait_until_under_way(db_url: str, process: subprocess.Popen, start: int) -> None:
    """Block until the import has written KILL_AFTER rows in its (uncommitted) transaction."""
    deadline = time.monotonic() + 60
    while _report_ids_taken(db_url) < start + KILL_AFTER:
        assert process.poll() is None, f"the process ended (exit {process.returncode}) before the import ran"
        assert time.monotonic() < deadline, "the import did not start within 60 s"
        time.sleep(0.01)


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait_for_backends_to_go(db_url: str) -> None:
    """The killed process's sessions end, their transactions rolled back, once PostgreSQL sees it gone."""
    deadline = time.monotonic() + 30
    while query_one(
        db_url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'safemap'",
    )[0]:
        assert time.monotonic() < deadline, "the killed process's database sessions stayed open"
        time.sleep(0.05)


def _places(db_url: str, seed: int) -> list[tuple[float, float]]:
    """ROWS distinct (lon, lat) inside District 22's neighbourhoods, 100 m from their edge; a seed, a set."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints("
            " ST_Buffer(ST_Union(geom)::geography, -100)::geometry, %s, %s))).geom AS p"
            " FROM area WHERE level = 'neighbourhood') q",
            (ROWS, seed),
        )
        places = cur.fetchall()
    conn.close()
    return places


@pytest.fixture
def report_file(db_url: str, tmp_path: Path) -> Path:
    """A mayor's CSV of ROWS distinct, valid places inside District 22's neighbourhoods."""
    places = _places(db_url, seed=22)
    path = tmp_path / "nahie-big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["عرض جغرافیایی", "طول جغرافیایی", "نوع", "توضیحات", "تاریخ"])
        for number, (lon, lat) in enumerate(places, start=1):
            writer.writerow([f"{lat:.6f}", f"{lon:.6f}", "زمین بایر", f"زمین رها شده {number}", "1402/10/25"])
    return path


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEMAP_")}
    return env | {"DATABASE_URL": db_url, **extra}


def _upload(url: str, token: str, path: Path) -> httpx.Response:
    with open(path, "rb") as handle:
        return httpx.post(
            f"{url}/api/imports/reports",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (path.name, handle, "text/csv")},
            data={"source": "mayor"},
            timeout=120,
        )


def _attempt(url: str, token: str, path: Path) -> httpx.Response | httpx.TransportError:
    """The upload's response, or the transport error the client got when the server died under it."""
    try:
        return _upload(url, token, path)
    except httpx.TransportError as exc:
        return exc


def _cli_import(
    db_url: str, path: Path, processes: list[subprocess.Popen], *, output: bool = True
) -> subprocess.Popen:
    """`safemap import reports FILE`; output captured only when read (a full pipe would stall it)."""
    stream = subprocess.PIPE if output else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(SAFEMAP), "import", "reports", str(path)],
        cwd=path.parent,
        env=_env(db_url),
        stdout=stream,
        stderr=stream,
        text=True,
    )
    processes.append(process)
    return process


def test_server_killed_during_an_upload_keeps_nothing_and_the_rerun_imports_everything(
    db_url, report_file, start_server, processes
):
    token = make_role_tokens(db_url, prefix="kill")["gis_office"]
    before = _state(db_url)
    server, url = start_server()
    outcome: list[object] = []
    upload = threading.Thread(target=lambda: outcome.append(_attempt(url, token, report_file)))
    start = _report_ids_taken(db_url)
    upload.start()
    _wait_until_under_way(db_url, server, start)
    _kill(server)
    upload.join(timeout=30)
    assert outcome and isinstance(outcome[0], httpx.TransportError), f"the upload was answered: {outcome}"
    _wait_for_backends_to_go(db_url)
    assert _state(db_url) == before

    _, url = start_server()
    rerun = _upload(url, token, report_file)
    assert rerun.status_code == 201, rerun.text
    done = rerun.json()
    counts = (done["accepted"], done["duplicates"], done["rejected"], done["previous_batch"])
    assert counts == (ROWS, 0, 0, None)
    reports, batches, spots, events = before
    after = _state(db_url)
    assert after[:3] == (reports + ROWS, batches + 1, spots + done["new_spots"])

    third = _cli_import(db_url, report_file, processes)
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert f"0 accepted (0 new spots), {ROWS} duplicate, 0 rejected" in out
    reports, batches, spots, events = _state(db_url)
    assert (reports, batches, spots, events) == (after[0], after[1] + 1, after[2], after[3])


def test_cli_killed_mid_import_keeps_nothing_and_the_rerun_imports_everything(db_url, report_file, processes):
    before = _state(db_url)
    start = _report_ids_taken(db_url)
    # Spots stay locked against writes until the kill: the import writes its reports, then waits to attach
    # them, so it cannot commit before it is killed however fast the machine is (600 rows go in one batch).
    with psycopg2.connect(db_url) as holder, holder.cursor() as cur:
        cur.execute("LOCK TABLE spot IN EXCLUSIVE MODE")
        killed = _cli_import(db_url, report_file, processes, output=False)
        _wait_until_under_way(db_url, killed, start)
        _kill(killed)
    _wait_for_backends_to_go(db_url)
    assert _state(db_url) == before

    rerun = _cli_import(db_url, report_file, processes)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert f"{ROWS} accepted" in out and "0 duplicate, 0 rejected" in out
    assert "imported before" not in out
    assert _state(db_url)[:2] == (before[0] + ROWS, before[1] + 1)


def _places_file(db_url: str, path: Path, seed: int) -> Path:
    """A mayor's CSV of ROWS distinct places (another seed, other places)."""
    places = _places(db_url, seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["عرض جغرافیایی", "طول جغرافیایی", "نوع", "تاریخ"])
        writer.writerows([f"{lat:.6f}", f"{lon:.6f}", "زمین بایر", "1402/10/25"] for lon, lat in places)
    return path


def test_cli_killed_at_ten_points_leaves_the_batch_absent_or_complete(db_url, tmp_path, processes):
    """Killed at KILL_POINTS instants spread evenly over a whole run, from 5 % to 105 % of an undisturbed
    run's time (starting, reading, validating, writing, merging, committing, done): after each the database
    holds the batch entirely or not at all, and a last run completes it with no report twice."""
    timing = _cli_import(db_url, _places_file(db_url, tmp_path / "timing.csv", 7), processes)
    started = time.monotonic()
    assert timing.wait(timeout=120) == 0
    duration = time.monotonic() - started
    path = _places_file(db_url, tmp_path / "killed.csv", 8)
    before = _state(db_url)
    first_new_batch = query_one(db_url, "SELECT coalesce(max(id), 0) + 1 FROM import_batch")[0]
    for point in range(KILL_POINTS):
        process = _cli_import(db_url, path, processes, output=False)
        time.sleep(duration * (0.05 + point / (KILL_POINTS - 1)))
        if process.poll() is None:
            _kill(process)
        _wait_for_backends_to_go(db_url)
        assert _state(db_url)[0] in (before[0], before[0] + ROWS), f"some of the rows after kill {point}"
        partial = query_one(
            db_url,
            "SELECT count(*) FROM import_batch WHERE id >= %s AND accepted + duplicates + rejected <> %s"
            % (first_new_batch, ROWS),
        )[0]
        assert partial == 0, f"a batch recorded with some of its rows after kill {point}"
    imported = _state(db_url)[0] == before[0] + ROWS
    last = _cli_import(db_url, path, processes)
    out, err = last.communicate(timeout=120)
    assert last.returncode == 0, err
    assert _state(db_url)[0] == before[0] + ROWS
    assert ("imported before" in out) == imported
