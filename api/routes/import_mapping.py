"""The import page's own routes: the preview of a file (columns, first rows, words to map, the whole check as
a dry run), the value mappings the GIS office confirms, and the letter (number, date, office, scan) kept with
a batch. Importing itself is `POST /api/imports/reports` (api/routes/imports.py)."""

from datetime import date
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB, Radius
from api.uploads import read_upload, save_upload
from gis.db import Conn
from gis.intake.files import ImportOptions, scratch
from gis.intake.files.adjust import parse_dates, parse_fixes
from gis.intake.files.letters import SCAN_MAX_BYTES, Letter, batch, batch_rows, letter_scan, save_letter
from gis.intake.files.mapping import parse_map
from gis.intake.files.preview import preview
from gis.intake.files.read import file_format
from gis.lang import parse_day
from gis.users import User
from gis.vocabulary import ALIAS_KINDS, confirm_date_rule, save_alias

router = APIRouter(prefix="/api/imports", tags=["imports"])
MAX_BYTES = 200 * 1024 * 1024


@router.post(
    "/preview", summary="A file as the import would read it, with the words to map and the whole check"
)
def preview_import(
    radius_m: Radius,
    file: UploadFile = File(..., description="CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile"),
    map: list[str] = Form(
        [], description="column=field, one per choice ('نوع فضا=category'; '-' leaves out)"
    ),
    fix: list[str] = Form([], description="row:column=value, a cell fixed in the page ('7:lat=35.71')"),
    date: list[str] = Form([], description="written=reading, a date read ('99/9/18=1399/09/18')"),
    source: Literal["mayor", "focus_group", "hotline_137", "field", "other"] = Form("mayor"),
    ref: str = Form("", max_length=200, description="the letter's number and date"),
    crs: str = Form("auto", max_length=64),
    user: User = Depends(require("import.reports")),
    conn: Conn = DB,
) -> dict:
    name = Path(file.filename or "upload").name
    file_format(Path(name))
    chosen = parse_map(map)
    with scratch.folder() as folder:
        path = save_upload(file, Path(folder) / f"upload{Path(name).suffix.lower()}", max_bytes=MAX_BYTES)
        options = ImportOptions(source=source, source_ref=ref, crs=crs, radius_m=radius_m)
        return preview(
            conn,
            path,
            options,
            file_name=name,
            chosen=chosen,
            fixes=parse_fixes(fix),
            dates=parse_dates(date),
        )


class AliasIn(BaseModel):
    kind: str = Field(..., max_length=20, description=" / ".join(ALIAS_KINDS))
    written: str = Field(..., min_length=1, max_length=200, description="the word as the file wrote it")
    code: str = Field(..., min_length=1, max_length=64, description="the term it means")


class AliasesIn(BaseModel):
    aliases: list[AliasIn] = Field(..., min_length=1, max_length=500)


@router.post("/aliases", summary="Confirm what a file's words mean: every channel resolves them from then on")
def confirm_aliases(
    body: AliasesIn, user: User = Depends(require("import.reports")), conn: Conn = DB
) -> list[dict]:
    return [
        save_alias(conn, kind=item.kind, written=item.written, code=item.code, user_id=user.id)
        for item in body.aliases
    ]


class DateRuleIn(BaseModel):
    rule: Literal["two_digit_year"] = Field(..., description="the date form read as suggested in every file")


@router.post("/date-rules", summary="Confirm a date form's reading (two-digit years) for every later file")
def confirm_date_form(
    body: DateRuleIn, user: User = Depends(require("import.reports")), conn: Conn = DB
) -> dict:
    return confirm_date_rule(conn, rule=body.rule, user_id=user.id)


@router.post(
    "/batches/{batch_id}/letter", summary="Keep the letter (number, date, office, scan) with a batch"
)
def keep_letter(
    batch_id: int,
    number: str = Form("", max_length=200),
    letter_date: str = Form("", max_length=20, alias="date", description="Jalali (1403/08/12) or ISO"),
    office: str = Form("", max_length=200, description="the sending office"),
    scan: UploadFile | None = File(None, description="the letter as PDF or image"),
    user: User = Depends(require("import.reports")),
    conn: Conn = DB,
) -> dict:
    day: date | None = parse_day("date", letter_date)
    data = (
        read_upload(
            scan, field="scan", max_bytes=SCAN_MAX_BYTES, refused="scan_pdf_or_image", mb=SCAN_MAX_BYTES >> 20
        )
        if scan is not None and scan.filename
        else None
    )
    name = Path(scan.filename).name if data else ""
    saved = save_letter(conn, batch_id, Letter(number, day, office, data, name), user_id=user.id)
    return {**saved, "scan_url": f"/api/imports/batches/{batch_id}/scan" if saved["scan_type"] else None}


@router.get("/batches/{batch_id}", summary="A batch with its letter, counts, and where each of its rows went")
def import_batch(batch_id: int, user: User = Depends(require("import.read")), conn: Conn = DB) -> dict:
    return {**batch(conn, batch_id), "reports": batch_rows(conn, batch_id)}


@router.get("/batches/{batch_id}/scan", summary="The scan of a batch's letter (staff only)")
def batch_scan(batch_id: int, user: User = Depends(require("import.read")), conn: Conn = DB) -> Response:
    kind, data, name = letter_scan(conn, batch_id)
    plain = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._-")) or f"letter-{batch_id}"
    return Response(
        data,
        media_type=kind,
        headers={
            "Content-Disposition": f'inline; filename="{plain}"',
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
