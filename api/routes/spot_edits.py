"""The GIS office's edits of the aggregation: candidates, merge, unmerge, split and re-attach."""

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB, BigRecordId, RecordId
from gis.aggregation import edits
from gis.db import Conn
from gis.users import User

router = APIRouter(prefix="/api", tags=["spot edits"])
EDITOR = require("spot.edit")


class MergeIn(BaseModel):
    """Merge this spot into `into`; `version` (optional) is the version of this spot you read."""

    into: int = Field(..., ge=1, le=2_147_483_647)
    note: str = Field(..., max_length=4000)
    version: int | None = Field(None, ge=1)


class NoteIn(BaseModel):
    note: str = Field(..., max_length=4000)


class AttachIn(BaseModel):
    into: int = Field(..., ge=1, le=2_147_483_647)
    note: str = Field(..., max_length=4000)


@router.get("/spots/{spot_id}/candidates", summary="Spots that may be duplicates of this one, nearest first")
def candidates(
    spot_id: RecordId,
    radius: float = Query(200.0, gt=0, le=5000, description="metres"),
    user: User = Depends(require("spot.candidates")),
    conn: Conn = DB,
) -> dict:
    return {
        "spot": spot_id,
        "radius_m": radius,
        "candidates": edits.candidates(conn, spot_id=spot_id, radius_m=radius),
    }


@router.get("/spots/{spot_id}/reports", summary="The reports this spot aggregates, oldest first")
def reports(spot_id: RecordId, user: User = Depends(require("spot.candidates")), conn: Conn = DB) -> dict:
    return {"spot": spot_id, "reports": edits.spot_reports(conn, spot_id=spot_id)}


@router.post("/spots/{spot_id}/merge", summary="Merge this spot into another (its reports move there)")
def merge(body: MergeIn, spot_id: RecordId, user: User = Depends(EDITOR), conn: Conn = DB) -> dict:
    return edits.merge(conn, user=user, spot_id=spot_id, into=body.into, note=body.note, version=body.version)


@router.post("/spots/{spot_id}/unmerge", summary="Undo this spot's last merge")
def unmerge(body: NoteIn, spot_id: RecordId, user: User = Depends(EDITOR), conn: Conn = DB) -> dict:
    return edits.unmerge(conn, user=user, spot_id=spot_id, note=body.note)


@router.post("/reports/{report_id}/split", summary="Take a report off its spot to a new spot of its own")
def split(body: NoteIn, report_id: BigRecordId, user: User = Depends(EDITOR), conn: Conn = DB) -> dict:
    return edits.split(conn, user=user, report_id=report_id, note=body.note)


@router.post("/reports/{report_id}/attach", summary="Move a report to another spot (undoes a split)")
def attach(body: AttachIn, report_id: BigRecordId, user: User = Depends(EDITOR), conn: Conn = DB) -> dict:
    return edits.reattach(conn, user=user, report_id=report_id, into=body.into, note=body.note)
