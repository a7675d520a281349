"""Report files uploaded by the GIS office: the same importer as `safemap import reports`."""

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from api.auth import require_role
from api.deps import DB
from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.files import import_reports, list_batches
from gis.intake.files.read import file_format
from gis.users import User

router = APIRouter(prefix="/api/imports", tags=["imports"])
MAX_BYTES = 200 * 1024 * 1024


@router.post("/reports", status_code=201, summary="Import a file of reports (all or nothing, or partial)")
def upload_reports(
    request: Request,
    file: UploadFile = File(..., description="CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile"),
    source: Literal["mayor", "focus_group", "hotline_137", "field", "other"] = Form("mayor"),
    ref: str = Form("", max_length=200, description="the letter's number and date"),
    crs: str = Form("auto", max_length=64, description="auto (degrees or UTM 39N metres), 4326, 32639, …"),
    partial: bool = Form(False, description="keep the valid rows; the rejected ones are in the response"),
    user: User = Depends(require_role("gis_office")),
    conn: Conn = DB,
) -> dict:
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    file_format(Path(name))
    with tempfile.TemporaryDirectory(prefix="safemap-import-") as folder:
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
        result = import_reports(
            conn,
            path,
            source=source,
            source_ref=ref,
            crs=crs,
            partial=partial,
            radius_m=request.app.state.settings.aggregation_radius_m,
            actor_id=user.id,
            actor_name=user.full_name or user.username,
            file_name=name,
        )
    return result.as_dict()


@router.get("", summary="The latest imports with their counts")
def recent_imports(
    limit: int = Query(100, ge=1, le=1000),
    user: User = Depends(require_role("gis_office", "deputy")),
    conn: Conn = DB,
) -> list[dict]:
    return list_batches(conn, limit=limit)
