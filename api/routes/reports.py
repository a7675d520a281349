"""Reports sent by the tablet page and other API clients: idempotent by client UUID, photos beside them."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB, Radius
from api.media import created_status
from api.uploads import PHOTO_ROUTE, NewPhoto, photo_upload, stored_photo
from gis import access, vocabulary
from gis.db import Conn
from gis.errors import Conflict, Forbidden, NotFound
from gis.intake.photos import add_photo, get_photo, report_photos
from gis.intake.reports import ReportCreate, get_report, report_area, submit_report
from gis.lang import normalise_persian
from gis.places.neighbourhoods import neighbourhood
from gis.users import User

# Who may call a route, by its permission in gis.access.
Submitter = Annotated[User, Depends(require("report.submit"))]
Reader = Annotated[User, Depends(require("report.read"))]

router = APIRouter(prefix="/api/reports", tags=["reports"])


class ReportIn(BaseModel):
    """A report as the tablet sends it; `uuid` is made on the device so a re-send is recognised."""

    uuid: UUID
    category: str = Field(..., min_length=1, max_length=64)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    geometry: dict | None = Field(None, description="a GeoJSON point, line or polygon (instead of lat/lon)")
    placed: bool = Field(False, description="drawn or put by hand on a map, not measured (GPS or survey)")
    area: str | None = Field(
        None, max_length=100, description="neighbourhood code or name, when there is no position"
    )
    description: str = Field("", max_length=4000)
    address: str = Field("", max_length=500)
    time_of_day: str | None = Field(
        None, max_length=32, description="day, evening, night (روز، عصر، شب) or 22:30"
    )
    audit: dict | None = Field(None, description="Safetipin criteria, each 0–3")
    reported_at: datetime | None = Field(None, description="when it was seen (the device's clock)")
    source: Literal["mayor", "focus_group", "hotline_137", "field", "other"] = "field"
    source_ref: str = Field("", max_length=200)
    spot_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="the open spot nearby this is the same place as, if any"
    )


class ReportOut(BaseModel):
    id: int
    uuid: str
    spot_id: int | None
    created: bool
    new_spot: bool


@router.post(
    "",
    status_code=201,
    response_model=ReportOut,
    summary="Submit a report (201); the same UUID again returns the same report (200)",
)
def create_report(
    body: ReportIn, radius_m: Radius, response: Response, user: Submitter, conn: Conn = DB
) -> ReportOut:
    # Facilitators report what they saw or what a focus group drew; other channels come through staff.
    sources = access.submit_sources(user.role)
    if sources is not None and body.source not in sources:
        raise Forbidden("facilitators_report_from", facilitator_sources=" or ".join(sources), field="source")
    report = ReportCreate(
        source=body.source,
        category=vocabulary.category(conn, body.category),
        lon=body.lon,
        lat=body.lat,
        geometry=body.geometry,
        placed=body.placed,
        area_code=neighbourhood(conn, body.area)[1] if body.area else None,
        uuid=str(body.uuid),
        description=normalise_persian(body.description),
        address=normalise_persian(body.address),
        source_ref=body.source_ref,
        provenance={"channel": "api", "user": user.username},
        time_of_day=vocabulary.time_of_day(body.time_of_day, names=vocabulary.time_names(conn)),
        audit=body.audit,
        reported_at=body.reported_at,
        created_by=user.id,
        spot_id=body.spot_id,
    )
    user.require_area(report_area(conn, report))
    result = submit_report(conn, report, radius_m=radius_m, actor_name=user.username)
    if not result.created:
        # A UUID replayed from another neighbourhood's report gets no ids of it.
        if not user.covers_area(get_report(conn, result.report_id, with_contact=False)["area_id"]):
            raise Conflict("uuid_used_elsewhere", field="uuid")
    created_status(response, result.created)
    return ReportOut(
        id=result.report_id,
        uuid=result.uuid,
        spot_id=result.spot_id,
        created=result.created,
        new_spot=result.new_spot,
    )


@router.get("/{report_id}", summary="One report with its photos (contact data for staff only)")
def read_report(
    user: Reader, report_id: int = Path(..., ge=1, le=9_007_199_254_740_991), conn: Conn = DB
) -> dict:
    report = get_report(conn, report_id, with_contact=user.sees_personal_data)
    if not user.covers_area(report["area_id"]):  # answered as if it did not exist: no existence leak
        raise NotFound("no_such_report", report_id=report_id, field="id")
    report["photos"] = [
        {**photo, "href": f"/api/reports/{report['uuid']}/photos/{photo['uuid']}"}
        for photo in report_photos(conn, report_id)
    ]
    return report


@router.post("/{report_uuid}/photos", **photo_upload("a report"))
def upload_photo(
    response: Response, report_uuid: UUID, photo: NewPhoto, user: Submitter, conn: Conn = DB
) -> dict:
    result = add_photo(conn, report_uuid=str(report_uuid), photo_uuid=photo.uuid, data=photo.data, user=user)
    return stored_photo(response, asdict(result), f"/api/reports/{report_uuid}/photos/{result.uuid}")


@router.get(
    "/{report_uuid}/photos/{photo_uuid}",
    **PHOTO_ROUTE,
    summary="A report's photo",
)
def read_photo(report_uuid: UUID, photo_uuid: UUID, user: Reader, conn: Conn = DB) -> Response:
    content_type, data, digest = get_photo(
        conn, report_uuid=str(report_uuid), photo_uuid=str(photo_uuid), user=user
    )
    return Response(
        data,
        media_type=content_type,
        headers={"ETag": f'"{digest}"', "Cache-Control": "private, max-age=86400"},
    )
