"""Report files uploaded by the GIS office: the same importer as `safemap import reports`.

A file of up to 1,000 rows is imported in the request (201, the per-row report). A larger one becomes an
import job (202; the columns matched by hand, fixed cells and date readings are kept with it) that the
app's worker thread runs in committed chunks: follow it at `GET /api/imports/{job}`, cancel it with
`POST /api/imports/{job}/cancel`. An answer lists the first 100 rejected rows; all of them, with their
reasons, are a CSV file at its `rejected_url`.
"""

import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from api.auth import require, require_user
from api.deps import DB, Radius
from gis import access
from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.intake.files import ImportOptions, ImportRejected, import_reports, list_batches, scratch
from gis.intake.files.adjust import Adjustments, parse_dates, parse_fixes
from gis.intake.files.batch import copy_rejected, rejected_url
from gis.intake.files.jobs import (
    cancel_job,
    create_job,
    get_job,
    list_jobs,
    needs_job,
    record_failed_import,
)
from gis.intake.files.mapping import parse_map
from gis.intake.files.read import file_format
from gis.intake.files.withdraw import restore_batch, withdraw_batch
from gis.users import User

router = APIRouter(prefix="/api/imports", tags=["imports"])
MAX_BYTES = 200 * 1024 * 1024


@router.post(
    "/reports",
    status_code=201,
    summary="Import a file of reports (all or nothing, or partial); over 1,000 rows a background job (202)",
)
def upload_reports(
    request: Request,
    radius_m: Radius,
    response: Response,
    file: UploadFile = File(..., description="CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile"),
    source: Literal["mayor", "focus_group", "hotline_137", "field", "other"] = Form("mayor"),
    ref: str = Form("", max_length=200, description="the letter's number and date"),
    crs: str = Form("auto", max_length=64, description="auto (degrees or UTM 39N metres), 4326, 32639, …"),
    partial: bool = Form(False, description="keep the valid rows; the rejected ones are in the response"),
    map: list[str] = Form([], description="column=field matched by hand ('نوع فضا=category')"),
    fix: list[str] = Form([], description="row:column=value, a cell fixed in the page ('7:lat=35.71')"),
    date: list[str] = Form([], description="written=reading, a date read ('99/9/18=1399/09/18')"),
    header_row: int | None = Form(None, ge=1, description="the row holding the headers (found otherwise)"),
    user: User = Depends(require("import.reports")),
    conn: Conn = DB,
) -> dict:
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    file_format(Path(name))
    adjust = Adjustments(parse_map(map), parse_fixes(fix), parse_dates(date))
    with scratch.folder() as folder:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as target:
            # Stop at the limit rather than copying a file of any size before refusing it.
            while chunk := file.file.read(1 << 20):
                if target.tell() + len(chunk) > MAX_BYTES:
                    raise InvalidInput(
                        "file",
                        "larger_than_mb_use_command",
                        mb=MAX_BYTES // 1024 // 1024,
                    )
                target.write(chunk)
        options = ImportOptions(
            source=source,
            source_ref=ref,
            crs=crs,
            partial=partial,
            radius_m=radius_m,
            actor_id=user.id,
            actor_name=user.full_name or user.username,
            header_row=header_row,
        )
        if needs_job(path, options.crs):
            job_id = create_job(conn, path, options, file_name=name, adjust=adjust)
            conn.commit()  # before the worker is woken, so it finds the job
            if worker := getattr(request.app.state, "import_worker", None):  # none without the lifespan
                worker.wake()
            response.status_code = 202
            response.headers["Location"] = f"/api/imports/{job_id}"
            return get_job(conn, job_id)
        try:
            result = import_reports(
                conn,
                path,
                options,
                file_name=name,
                columns=adjust.columns,
                fixes=adjust.fixes,
                dates=adjust.dates,
            )
        except ImportRejected as exc:
            # Nothing of the file is kept, but its rejected rows are, for the link in the answer.
            conn.rollback()
            job_id = record_failed_import(conn, path, exc.result, options, file_name=name)
            conn.commit()
            exc.rejected_url = rejected_url(job_id=job_id)
            raise
    return result.as_dict()


# Who may read imports, and how many of the latest a list holds.
Reader = Depends(require("import.read"))
Latest = Annotated[int, Query(ge=1, le=1000)]


@router.get("", summary="The latest imports with their counts")
def recent_imports(limit: Latest = 100, user: User = Reader, conn: Conn = DB) -> list[dict]:
    return list_batches(conn, limit=limit)


@router.get("/jobs", summary="The latest import jobs: state and progress")
def import_jobs(limit: Latest = 100, user: User = Reader, conn: Conn = DB) -> list[dict]:
    return list_jobs(conn, limit=limit)


@router.get("/{job}", summary="An import job: state, phase, rows done of total, counts, rejected rows")
def import_job(job: int, user: User = Reader, conn: Conn = DB) -> dict:
    return get_job(conn, job)


@router.post(
    "/{job}/cancel",
    summary="Cancel an import job: a queued one at once, a running one after its current chunk",
)
def cancel_import_job(job: int, user: User = Depends(require("import.reports")), conn: Conn = DB) -> dict:
    return cancel_job(conn, job)


def import_reader(user: User = Depends(require_user)) -> User:
    """Staff who read imports; anyone else signed in is told there is nothing here (404), as for a file
    that does not exist, since rejected rows hold the sender's own text."""
    if not access.may(user.role, "import.read"):
        raise NotFound("no_rejected_rows", field="job")
    return user


def _csv_answer(write: Callable[[IO[str]], int], name: str) -> StreamingResponse:
    """A CSV file Excel opens (UTF-8 with BOM), spooled to disk past a few MB rather than held in memory."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
    write(text)
    text.flush()
    text.detach()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 16):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/batches/{batch}/rejected.csv",
    summary="Every rejected row of a partial import batch, with its reasons, as CSV",
    response_class=StreamingResponse,
)
def batch_rejected_rows(
    batch: int, user: User = Depends(import_reader), conn: Conn = DB
) -> StreamingResponse:
    return _csv_answer(
        lambda handle: copy_rejected(conn, handle, batch_id=batch), f"import-batch-{batch}-rejected.csv"
    )


@router.get(
    "/{job}/rejected.csv",
    summary="Every rejected row of an import job (or of a file refused all-or-nothing), as CSV",
    response_class=StreamingResponse,
)
def job_rejected_rows(job: int, user: User = Depends(import_reader), conn: Conn = DB) -> StreamingResponse:
    return _csv_answer(lambda handle: copy_rejected(conn, handle, job_id=job), f"import-{job}-rejected.csv")


@router.post(
    "/batches/{batch}/withdraw",
    summary="Withdraw a letter imported by mistake: its reports leave their spots (undone by /restore)",
)
def withdraw_import(batch: int, user: User = Depends(require("import.reports")), conn: Conn = DB) -> dict:
    return withdraw_batch(conn, batch, actor_id=user.id, actor_name=user.full_name or user.username)


@router.post("/batches/{batch}/restore", summary="Put a withdrawn letter's reports back on their spots")
def restore_import(batch: int, user: User = Depends(require("import.reports")), conn: Conn = DB) -> dict:
    return restore_batch(conn, batch, actor_id=user.id, actor_name=user.full_name or user.username)
