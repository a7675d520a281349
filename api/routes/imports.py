"""Report files uploaded by the GIS office: the same importer as `safemap import reports`.

A file of up to 1,000 rows is imported in the request (201, the per-row report). A larger one becomes an
import job (202) that the app's worker thread runs in committed chunks: follow it at `GET /api/imports/{job}`,
cancel it with `POST /api/imports/{job}/cancel`.
"""

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from api.auth import require
from api.deps import DB
from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.files import import_reports, list_batches, scratch
from gis.intake.files.jobs import cancel_job, create_job, get_job, list_jobs, needs_job
from gis.intake.files.read import file_format
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
    response: Response,
    file: UploadFile = File(..., description="CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile"),
    source: Literal["mayor", "focus_group", "hotline_137", "field", "other"] = Form("mayor"),
    ref: str = Form("", max_length=200, description="the letter's number and date"),
    crs: str = Form("auto", max_length=64, description="auto (degrees or UTM 39N metres), 4326, 32639, …"),
    partial: bool = Form(False, description="keep the valid rows; the rejected ones are in the response"),
    user: User = Depends(require("import.reports")),
    conn: Conn = DB,
) -> dict:
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    file_format(Path(name))
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
        settings = request.app.state.settings
        if needs_job(path, crs):
            job_id = create_job(
                conn,
                path,
                file_name=name,
                source=source,
                source_ref=ref,
                crs=crs,
                partial=partial,
                radius_m=settings.aggregation_radius_m,
                actor_id=user.id,
                actor_name=user.full_name or user.username,
            )
            conn.commit()  # before the worker is woken, so it finds the job
            if worker := getattr(request.app.state, "import_worker", None):  # none without the lifespan
                worker.wake()
            response.status_code = 202
            response.headers["Location"] = f"/api/imports/{job_id}"
            return get_job(conn, job_id)
        result = import_reports(
            conn,
            path,
            source=source,
            source_ref=ref,
            crs=crs,
            partial=partial,
            radius_m=settings.aggregation_radius_m,
            actor_id=user.id,
            actor_name=user.full_name or user.username,
            file_name=name,
        )
    return result.as_dict()


@router.get("", summary="The latest imports with their counts")
def recent_imports(
    limit: int = Query(100, ge=1, le=1000),
    user: User = Depends(require("import.read")),
    conn: Conn = DB,
) -> list[dict]:
    return list_batches(conn, limit=limit)


@router.get("/jobs", summary="The latest import jobs: state and progress")
def import_jobs(
    limit: int = Query(100, ge=1, le=1000),
    user: User = Depends(require("import.read")),
    conn: Conn = DB,
) -> list[dict]:
    return list_jobs(conn, limit=limit)


@router.get("/{job}", summary="An import job: state, phase, rows done of total, counts, rejected rows")
def import_job(job: int, user: User = Depends(require("import.read")), conn: Conn = DB) -> dict:
    return get_job(conn, job)


@router.post(
    "/{job}/cancel",
    summary="Cancel an import job: a queued one at once, a running one after its current chunk",
)
def cancel_import_job(job: int, user: User = Depends(require("import.reports")), conn: Conn = DB) -> dict:
    return cancel_job(conn, job)
