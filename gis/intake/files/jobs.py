"""Large imports as jobs: a file over SYNC_ROWS rows is stored in `import_job` and imported in the background.

Why: one transaction over a 100,000-row file held the whole map's aggregation lock for minutes, and every
report sent meanwhile waited for it holding one of the app's pooled connections until the pool ran out.
A job instead
- checks every row first, writing nothing, so an all-or-nothing file with one bad row still imports nothing;
- then writes the rows in chunks, one transaction each, committing the reports, their spots and the job's
  progress together: a worker killed mid-way leaves only whole chunks, and the job resumes after its last one
  (the rows' UUIDs make a repeated row a duplicate, never a second report);
- takes the map lock only while a chunk attaches its reports, and sizes its chunks (MIN_CHUNK_ROWS to
  CHUNK_ROWS) so that a chunk's transaction lasts about CHUNK_SECONDS: a report sent from the field waits at
  most about that long, however large or busy the database;
- runs on a connection of its own (never the request pool), held by one worker at a time through a session
  advisory lock that PostgreSQL releases when the worker dies.
Cancelling stops after the current chunk: what was committed stays, as the job's import batch.
"""

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2
import psycopg2.extras

from gis import clock
from gis.aggregation.aggregate import LOCK_NAMESPACE
from gis.db import Conn, connect, dict_cursor, translate_errors
from gis.errors import Conflict, DatabaseUnavailable, InvalidInput, NotFound, SafemapError
from gis.intake.files import scratch
from gis.intake.files.adjust import Adjustments
from gis.intake.files.batch import (
    LISTED_ROWS,
    LOCK_MAP_ROWS,
    ImportResult,
    PendingRows,
    cell_texts,
    check_crs,
    earlier_batch,
    file_sha256,
    is_blank,
    keep_rejected,
    open_batch,
    open_rows,
    parse_row,
    rejected_outcome,
    rejected_url,
)
from gis.intake.files.options import ImportOptions
from gis.intake.files.read import file_format, open_table
from gis.intake.reports import check_reports

log = logging.getLogger(__name__)

# Files up to this many rows are imported at once, in the request or command (as before jobs existed).
SYNC_ROWS = LOCK_MAP_ROWS
# Rows per committed chunk, at most and at least; in between, as many as take about CHUNK_SECONDS to submit
# and commit (the map lock is held for part of that).
CHUNK_ROWS = 1000
MIN_CHUNK_ROWS = 100
CHUNK_SECONDS = 0.3
# The rejected rows the job lists (with their cells); all of them are kept in import_rejected_row and served
# at its `rejected_url`.
KEEP_ERRORS = LISTED_ROWS
JOB_LOCK = (LOCK_NAMESPACE + 2) << 48  # + job id: the session lock of the worker running that job

JOB_SQL = """
    SELECT j.id, j.state, j.cancel_requested, j.file_name AS file, j.file_suffix AS suffix, j.source,
           j.source_ref, j.crs, j.partial, j.rows_total, j.rows_done, j.accepted, j.duplicates, j.rejected,
           j.blank, j.new_spots, j.errors, j.message, j.batch_id, u.username AS started_by, j.created_at,
           j.started_at, j.finished_at
    FROM import_job j LEFT JOIN app_user u ON u.id = j.started_by
"""


def needs_job(path: Path, crs: str) -> bool:
    """Whether the file is large enough to be imported as a job rather than at once."""
    return open_table(path, crs=None if crs == "auto" else check_crs(crs)).total > SYNC_ROWS


def create_job(
    conn: Conn, path: Path, options: ImportOptions, *, file_name: str, adjust: Adjustments | None = None
) -> int:
    """Store the file and its options (with the office's `adjust`ments) as a queued job; the file is kept so
    any worker can (re)run it. The options are the job's columns, read back by `job_options`."""
    file_format(Path(file_name))
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO import_job (source, source_ref, crs, partial, radius_m, file_name, file_suffix,"
            " file_sha256, file_data, started_by, actor_name, header_row, adjustments)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                options.source,
                options.source_ref,
                check_crs(options.crs),
                options.partial,
                options.radius_m,
                file_name,
                Path(file_name).suffix.lower(),
                file_sha256(path),
                psycopg2.Binary(path.read_bytes()),
                options.actor_id,
                options.actor_name,
                options.header_row,
                psycopg2.extras.Json((adjust or Adjustments()).as_json()),
            ),
        )
        return cur.fetchone()[0]


def job_options(job: dict) -> ImportOptions:
    """A job's options as `create_job` stored them in its row."""
    return ImportOptions(
        source=job["source"],
        source_ref=job["source_ref"],
        crs=job["crs"],
        partial=job["partial"],
        radius_m=job["radius_m"],
        actor_id=job["started_by"],
        actor_name=job["actor_name"],
        header_row=job["header_row"],
    )


def unfinished_job(conn: Conn, path: Path, options: ImportOptions) -> int | None:
    """The latest queued or interrupted job of the same file, source and letter: the CLI resumes it."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(id) FROM import_job WHERE state IN ('queued', 'running') AND file_sha256 = %s"
            " AND source = %s AND source_ref = %s",
            (file_sha256(path), options.source, options.source_ref),
        )
        return cur.fetchone()[0]


def _as_dict(row: dict) -> dict:
    """A job as the API shows it: `phase` says whether it is still checking the file or writing it."""
    job = dict(row)
    job["phase"] = (
        job["state"] if job["state"] != "running" else "checking" if job["rows_total"] is None else "writing"
    )
    job["url"] = f"/api/imports/{job['id']}"
    job["rejected_url"] = rejected_url(job_id=job["id"]) if job["rejected"] else None
    if job.get("errors"):
        job["errors"] = job["errors"][:KEEP_ERRORS]  # a chunk may have added a few past it
    return job


def get_job(conn: Conn, job_id: int) -> dict:
    """One job: its state, progress (rows_done of rows_total), counts and the rows it rejected."""
    with dict_cursor(conn) as cur:
        cur.execute(JOB_SQL + " WHERE j.id = %s", (job_id,))
        row = cur.fetchone()
    if row is None:
        raise NotFound("no_such_import_job", job_id=job_id, field="job")
    return _as_dict(row)


def list_jobs(conn: Conn, *, limit: int = 100) -> list[dict]:
    """The latest jobs, newest first, without their rejected rows."""
    with dict_cursor(conn) as cur:
        cur.execute(JOB_SQL + " ORDER BY j.id DESC LIMIT %s", (limit,))
        return [_as_dict(row) | {"errors": None} for row in cur.fetchall()]


def cancel_job(conn: Conn, job_id: int) -> dict:
    """A queued job is cancelled at once; a running one stops after its current chunk (what it committed
    stays). A finished job cannot be cancelled."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_job SET cancel_requested = true,"
            " state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,"
            " finished_at = CASE WHEN state = 'queued' THEN %s ELSE finished_at END"
            " WHERE id = %s AND state IN ('queued', 'running') RETURNING id",
            (clock.now(), job_id),
        )
        cancelled = cur.fetchone() is not None
    job = get_job(conn, job_id)
    if not cancelled:
        raise Conflict("import_job_finished", job_id=job_id, state=job["state"], field="job")
    return job


def claim_job(conn: Conn, job_id: int | None = None) -> int | None:
    """Take the oldest open job (or `job_id`) that no live worker holds; None when there is none.

    The claim is a session advisory lock on `conn`: it outlives the chunks' commits and PostgreSQL drops it
    when the worker's connection goes, so a job whose worker was killed is open and free to resume.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id FROM import_job WHERE state IN ('queued', 'running')"
            " AND (%s::int IS NULL OR id = %s) ORDER BY id",
            (job_id, job_id),
        )
        for (candidate,) in cur.fetchall():
            cur.execute("SELECT pg_try_advisory_lock(%s)", (JOB_LOCK + candidate,))
            if not cur.fetchone()[0]:
                continue
            cur.execute("SELECT state IN ('queued', 'running') FROM import_job WHERE id = %s", (candidate,))
            if cur.fetchone()[0]:
                conn.commit()
                return candidate
            cur.execute("SELECT pg_advisory_unlock(%s)", (JOB_LOCK + candidate,))
    conn.commit()
    return None


def release_job(conn: Conn, job_id: int) -> None:
    """Let another worker take the job (after it ended, or when this worker stops mid-way)."""
    if not conn.closed:
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (JOB_LOCK + job_id,))
        conn.commit()


Progress = Callable[[str, int, int | None], None]


def run_job(
    conn: Conn,
    job_id: int,
    *,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> dict:
    """Run a job claimed on `conn` (its own connection, autocommit off) to its end, or until `stop` is set.

    `progress(phase, rows done, rows total or None)` follows it. Returns the job as `get_job` shows it.
    """
    with dict_cursor(conn) as cur:
        cur.execute("SELECT * FROM import_job WHERE id = %s", (job_id,))
        job = dict(cur.fetchone())
        cur.execute(
            "UPDATE import_job SET state = 'running', started_at = coalesce(started_at, %s) WHERE id = %s",
            (clock.now(), job_id),
        )
    conn.commit()
    with scratch.folder() as folder:
        path = Path(folder) / f"upload{job['file_suffix']}"
        path.write_bytes(bytes(job.pop("file_data")))
        try:
            with translate_errors():
                if job["rows_total"] is None and not _check_file(conn, job, path, progress, stop):
                    return get_job(conn, job_id)
                _write_file(conn, job, path, progress, stop)
        except DatabaseUnavailable:
            raise  # the connection went: the job stays open and resumes
        except SafemapError as exc:
            conn.rollback()
            _finish(conn, job_id, "failed", exc.text("en"), _file_error(exc))
        except Exception:
            log.exception("import job %s failed", job_id)
            conn.rollback()
            _finish(conn, job_id, "failed", "unexpected error; it has been logged")
    return get_job(conn, job_id)


def _file_error(exc: SafemapError) -> list[dict]:
    """The file's own fault (unreadable, a bad CRS) as one entry of the job's errors."""
    reason = exc.reason_text("en") if isinstance(exc, InvalidInput) else exc.text("en")
    reason_fa = exc.reason_text("fa") if isinstance(exc, InvalidInput) else exc.text("fa")
    return [{"field": exc.field, "reason": reason, "reason_fa": reason_fa}]


def _finish(conn: Conn, job_id: int, state: str, message: str = "", errors: list[dict] | None = None) -> None:
    """End the job in `state`; `errors`, when given, replace the rows it kept."""
    stored = None if errors is None else psycopg2.extras.Json(errors)
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_job SET state = %s, message = %s, finished_at = %s,"
            " errors = coalesce(%s::jsonb, errors) WHERE id = %s",
            (state, message, clock.now(), stored, job_id),
        )
    conn.commit()


def _check_file(
    conn: Conn, job: dict, path: Path, progress: Progress | None, stop: threading.Event | None
) -> bool:
    """Check every row, writing nothing; an all-or-nothing job with a rejected row fails here. False when
    the job must not go on (failed, or the worker is stopping: then it is checked again when resumed).

    A partial job keeps its valid rows whatever the others hold, and its writing checks every row anyway:
    its rows are only counted here (checking them too parsed a 20,000-row file twice)."""
    table, mapping, parser = open_rows(
        conn, path, job_options(job), Adjustments.from_json(job["adjustments"])
    )
    if job["partial"]:
        _counted(conn, job, sum(1 for _ in table.rows))
        return True
    result = ImportResult(job["file_name"], table.format, table.columns, mapping)
    seen: dict[str, int] = {}
    waiting: list[tuple] = []
    total = 0
    listed: list[dict] = []
    rejected = 0
    with conn.cursor() as cur:  # a check resumed after a stop starts again from the first row
        cur.execute("DELETE FROM import_rejected_row WHERE job_id = %s", (job["id"],))
    conn.commit()

    def check() -> None:
        nonlocal rejected
        for (number, report, values), refused in zip(waiting, check_reports(conn, [w[1] for w in waiting])):
            if refused is not None:
                result.rows.append(rejected_outcome(number, refused, values))
        waiting.clear()
        conn.rollback()
        # A partial job's rejected rows are kept as it writes; an all-or-nothing job's here, all of them.
        if not job["partial"]:
            rejected += keep_rejected(conn, result.rows, job_id=job["id"])
            conn.commit()
            if len(listed) < KEEP_ERRORS:
                listed.extend(r.as_dict() for r in result.rows if r.status == "rejected")
        result.rows.clear()

    for total, row in enumerate(table.rows, start=1):
        if progress is not None and total % CHUNK_ROWS == 0:
            progress("checking", total, max(table.total, total))
        if row.total or is_blank(row.values, row.geometry):
            continue
        parsed = parse_row(parser, row, result, seen)
        if parsed is not None:
            seen[parsed[1]] = row.number
            waiting.append((row.number, parsed[0], cell_texts(row.values)))
            if len(waiting) >= CHUNK_ROWS:
                check()
                if stop is not None and stop.is_set():
                    return False
    check()
    if rejected:
        with conn.cursor() as cur:
            cur.execute("UPDATE import_job SET rejected = %s WHERE id = %s", (rejected, job["id"]))
        message = f"{rejected} rows rejected; nothing was imported (fix them, or import with partial)"
        _finish(conn, job["id"], "failed", message, listed[:KEEP_ERRORS])
        return False
    _counted(conn, job, total)
    return True


def _counted(conn: Conn, job: dict, total: int) -> None:
    """The file's rows are counted: the job moves on to writing them."""
    with conn.cursor() as cur:
        cur.execute("UPDATE import_job SET rows_total = %s WHERE id = %s", (total, job["id"]))
    conn.commit()
    job["rows_total"] = total


def _write_file(
    conn: Conn, job: dict, path: Path, progress: Progress | None, stop: threading.Event | None
) -> None:
    """Import the rows after `rows_done`, one committed transaction per chunk, then close the job."""
    options = job_options(job)
    table, mapping, parser = open_rows(conn, path, options, Adjustments.from_json(job["adjustments"]))
    result = ImportResult(job["file_name"], table.format, table.columns, mapping)
    if job["batch_id"] is None:
        job["batch_id"] = open_batch(conn, result, path, options)
        with conn.cursor() as cur:
            cur.execute("UPDATE import_job SET batch_id = %s WHERE id = %s", (job["batch_id"], job["id"]))
        conn.commit()
    else:  # resumed: the first batch of the same file is still the one its rows repeat
        earlier_batch(conn, result, job["file_sha256"], before=job["batch_id"])
    result.file_name = job["file_name"]
    pending = PendingRows(
        conn,
        result,
        batch_id=job["batch_id"],
        radius_m=options.radius_m,
        actor_name=options.actor_name or f"import {job['file_name']}",
        lock_map=True,
    )
    # The first chunk is the smallest: before one is timed, a larger one could hold the map lock for seconds
    # on a busy database (1,000 rows held a report 2.5 s under a test run's load).
    blank, done, chunk = 0, job["rows_done"], MIN_CHUNK_ROWS
    for number, row in enumerate(table.rows, start=1):
        if number <= job["rows_done"]:
            continue
        done = number
        if row.total or is_blank(row.values, row.geometry):
            blank += 1
        else:
            parsed = parse_row(parser, row, result, pending.seen)
            if parsed is not None:
                report, key = parsed
                report.uuid, report.created_by = key, options.actor_id
                report.provenance = {
                    "import_batch": job["batch_id"],
                    "file": job["file_name"],
                    "row": row.number,
                } | report.provenance
                pending.add(row.number, report, key, cell_texts(row.values))
        if done - job["rows_done"] >= chunk:
            began = time.monotonic()
            if _commit_chunk(conn, job, pending, result, done, blank):
                _cancelled(conn, job)
                return
            took = max(time.monotonic() - began, 0.001)
            chunk = max(MIN_CHUNK_ROWS, min(CHUNK_ROWS, round(chunk * CHUNK_SECONDS / took)))
            blank = 0
            if progress is not None:
                progress("writing", done, job["rows_total"])
            if stop is not None and stop.is_set():
                return
    if _commit_chunk(conn, job, pending, result, done, blank):
        _cancelled(conn, job)
        return
    if progress is not None:
        progress("writing", done, job["rows_total"])
    _close(conn, job, "done")


def _commit_chunk(
    conn: Conn, job: dict, pending: PendingRows, result: ImportResult, done: int, blank: int
) -> bool:
    """Submit the chunk's rows and move the job's progress, in one transaction; True when cancel was asked."""
    pending.flush()
    counts = {s: result.count(s) for s in ("accepted", "duplicate", "rejected")}
    rejected = [r.as_dict() for r in result.rows if r.status == "rejected"][:KEEP_ERRORS]
    keep_rejected(conn, result.rows, job_id=job["id"], batch_id=job["batch_id"])
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_job SET rows_done = %s, accepted = accepted + %s, duplicates = duplicates + %s,"
            " rejected = rejected + %s, blank = blank + %s, new_spots = new_spots + %s,"
            " errors = CASE WHEN jsonb_array_length(errors) < %s THEN errors || %s::jsonb ELSE errors END"
            " WHERE id = %s RETURNING cancel_requested, accepted, duplicates, rejected, new_spots",
            (
                done,
                counts["accepted"],
                counts["duplicate"],
                counts["rejected"],
                blank,
                result.new_spots,
                KEEP_ERRORS,
                psycopg2.extras.Json(rejected),
                job["id"],
            ),
        )
        cancel, *totals = cur.fetchone()
    conn.commit()
    job.update(rows_done=done, **dict(zip(("accepted", "duplicates", "rejected", "new_spots"), totals)))
    result.rows.clear()
    return cancel


def _close(conn: Conn, job: dict, state: str, message: str = "") -> None:
    """Store the batch's counts (what the job committed) and end the job."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_batch SET rows_read = %s, accepted = %s, duplicates = %s, rejected = %s"
            " WHERE id = %s",
            (
                job["accepted"] + job["duplicates"] + job["rejected"],
                job["accepted"],
                job["duplicates"],
                job["rejected"],
                job["batch_id"],
            ),
        )
    _finish(conn, job["id"], state, message)


def _cancelled(conn: Conn, job: dict) -> None:
    _close(conn, job, "cancelled", f"cancelled after {job['rows_done']} rows; the rows imported so far stay")


def record_failed_import(
    conn: Conn, path: Path, result: ImportResult, options: ImportOptions, *, file_name: str
) -> int:
    """An all-or-nothing file refused in the request (nothing written): kept as a failed job with all its
    rejected rows, so the small error answer can link to the whole list."""
    job_id = create_job(conn, path, options, file_name=file_name)
    rejected = keep_rejected(conn, result.rows, job_id=job_id)
    listed = [r.as_dict() for r in result.rows if r.status == "rejected"][:KEEP_ERRORS]
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_job SET state = 'failed', rows_total = %s, rejected = %s, errors = %s,"
            " message = %s, started_at = %s, finished_at = %s WHERE id = %s",
            (
                len(result.rows),
                rejected,
                psycopg2.extras.Json(listed),
                f"{rejected} rows rejected; nothing was imported (fix them, or import with partial)",
                clock.now(),
                clock.now(),
                job_id,
            ),
        )
    return job_id


class ImportWorker:
    """The app's one background importer: a thread (started and stopped by the app's lifespan) that runs
    queued and interrupted jobs one at a time on a connection of its own."""

    def __init__(self, url: str, *, poll_s: float = 1.0) -> None:
        self.url, self.poll_s = url, poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        scratch.sweep()  # the upload folders of a process killed before this one started
        self._thread = threading.Thread(target=self._loop, name="safemap-import-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        """Stop after the current chunk; an unfinished job stays open for the next worker to resume."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        conn = None
        while not self._stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = connect(self.url)
                job_id = claim_job(conn)
                if job_id is not None:
                    try:
                        run_job(conn, job_id, stop=self._stop)
                    finally:
                        release_job(conn, job_id)
                    continue
            except (SafemapError, psycopg2.Error) as exc:
                log.warning("import worker: %s; trying again", str(exc).strip())
                if conn is not None and not conn.closed:
                    conn.close()
                conn = None
            self._wake.wait(self.poll_s)
            self._wake.clear()
        if conn is not None and not conn.closed:
            conn.close()
