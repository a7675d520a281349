"""Focus-group sessions and the places their participants marked (facilitators in their own
neighbourhoods)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB, Period, Radius, RecordId
from api.media import created_status
from gis import access
from gis.db import Conn
from gis.errors import NotFound
from gis.intake.focus_groups import (
    FocusGroupCreate,
    add_points,
    create_session,
    get_session,
    list_sessions,
    session_area,
)
from gis.intake.reports import SubmitResult
from gis.places.neighbourhoods import neighbourhood_id
from gis.users import User

# Who may call a route, by its permission in gis.access.
Recorder = Annotated[User, Depends(require("focus_group.record"))]
Reader = Annotated[User, Depends(require("focus_group.read"))]

router = APIRouter(prefix="/api/focus-groups", tags=["focus groups"])


class FocusGroupIn(BaseModel):
    """A session; `uuid` made on the tablet makes a re-send return the same session."""

    area: str = Field(..., min_length=1, max_length=100, description="neighbourhood code or name, e.g. 2201")
    held_on: str = Field(..., min_length=8, max_length=20, description="1399/09/20, ۱۳۹۹/۰۹/۲۰ or 2020-12-10")
    facilitator: str = Field(..., min_length=1, max_length=200)
    participants: int = Field(..., ge=1, le=1000)
    women: int = Field(..., ge=0, le=1000)
    notes: str = Field("", max_length=20_000)
    uuid: UUID | None = None
    points: dict | None = Field(
        None, description="the places marked, as for /points: recorded with the session, all or nothing"
    )


class FocusGroupOut(BaseModel):
    id: int
    created: bool
    reports: list[int] | None = None  # with points: the reports they became


class PointsOut(BaseModel):
    focus_group_id: int
    reports: list[int]
    spots: list[int]
    new_spots: int
    created: int


@router.post(
    "",
    status_code=201,
    response_model=FocusGroupOut,
    response_model_exclude_none=True,
    summary="Record a session (201), with its points if given; the same UUID again returns it (200)",
)
def create(
    body: FocusGroupIn, radius_m: Radius, response: Response, user: Recorder, conn: Conn = DB
) -> FocusGroupOut:
    area_id = neighbourhood_id(conn, body.area)
    user.require_area(area_id)
    session_id, created = create_session(
        conn,
        FocusGroupCreate(
            area_id=area_id,
            held_on=body.held_on,
            facilitator=body.facilitator,
            participants=body.participants,
            women=body.women,
            notes=body.notes,
            uuid=str(body.uuid) if body.uuid else None,
            created_by=user.id,
        ),
    )
    created_status(response, created)
    if body.points is None:
        return FocusGroupOut(id=session_id, created=created)
    results = _add_points(radius_m, conn, user, session_id, body.points)
    return FocusGroupOut(id=session_id, created=created, reports=[r.report_id for r in results])


@router.post(
    "/{session_id}/points",
    status_code=201,
    response_model=PointsOut,
    summary="Add the places a session marked: a GeoJSON FeatureCollection, all or nothing (201); the same"
    " points again (their UUIDs) add nothing (200)",
)
def create_points(
    radius_m: Radius,
    response: Response,
    session_id: RecordId,
    user: Recorder,
    body: dict = Body(
        ...,
        description="FeatureCollection; properties category, description,"
        " time_of_day and audit scores, Persian or English keys",
    ),
    conn: Conn = DB,
) -> PointsOut:
    _visible(conn, user, session_id)
    results = _add_points(radius_m, conn, user, session_id, body)
    created_status(response, any(r.created for r in results))
    return PointsOut(
        focus_group_id=session_id,
        reports=[r.report_id for r in results],
        spots=sorted({r.spot_id for r in results if r.spot_id is not None}),
        new_spots=sum(r.new_spot for r in results),
        created=sum(r.created for r in results),
    )


@router.get("", summary="Sessions, newest first (a facilitator sees their neighbourhoods')")
def index(
    period: Period,
    user: Reader,
    area: str | None = Query(None, max_length=100, description="neighbourhood code or name"),
    conn: Conn = DB,
) -> list[dict]:
    area_ids = [neighbourhood_id(conn, area)] if area else None
    if area_ids:
        user.require_area(area_ids[0])
    elif access.scope_of(user.role, "focus_group.read") is access.Scope.AREAS:
        area_ids = list(user.area_ids)
    return list_sessions(conn, area_ids=area_ids, since=period.since, until=period.until)


@router.get("/{session_id}", summary="One session with the places it marked (GeoJSON)")
def read(session_id: RecordId, user: Reader, conn: Conn = DB) -> dict:
    _visible(conn, user, session_id)
    return get_session(conn, session_id)


def _add_points(radius_m: float, conn: Conn, user: User, session_id: int, body: dict) -> list[SubmitResult]:
    """The places of a FeatureCollection, all or nothing, as reports of the session."""
    features = body.get("features") if body.get("type") == "FeatureCollection" else None
    return add_points(
        conn,
        session_id,
        features,
        radius_m=radius_m,
        created_by=user.id,
        actor_name=user.username,
        provenance={"channel": "api"},
    )


def _visible(conn: Conn, user: User, session_id: int) -> None:
    """A session elsewhere is not found, exactly like one that does not exist: its id tells nothing."""
    if not user.covers_area(session_area(conn, session_id)):
        raise NotFound("focus_group_does_exist", session_id=session_id, field="id")
