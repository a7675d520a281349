"""Programme tracking: working-group meetings, trainings and the programme's phases, with Jalali dates."""

from typing import Literal

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from api.auth import require, require_user
from api.deps import DB, AreaCode, Period, RecordId
from gis.db import Conn
from gis.lang import parse_day
from gis.programme.activities import add_activity, add_phase, list_activities, list_phases, set_phase_dates
from gis.programme.follow_ups import add_follow_up, complete_follow_up, list_follow_ups
from gis.users import User

router = APIRouter(prefix="/api/programme", tags=["programme"])
DAY = "1399/09/15 (Persian or Latin digits) or ISO 2020-12-05"


class FollowUpCreate(BaseModel):
    decision: str = Field(..., max_length=2000, description="the decision it follows")
    what: str = Field(..., max_length=1000, description="what is to be done")
    owner: str = Field(..., max_length=40, description="an agency's code, or gis_office or deputy")
    due_on: str = Field(..., max_length=20, description=DAY)


class ActivityCreate(BaseModel):
    kind: Literal["meeting", "training"]
    held_on: str = Field(..., max_length=20, description=DAY)
    title: str = Field(..., max_length=300)
    area: str | None = Field(None, max_length=32, description="neighbourhood code (trainings)")
    place: str = Field("", max_length=300, description="e.g. the neighbourhood house")
    facilitator: str = Field("", max_length=200)
    attendance: int | None = Field(None, ge=0, le=100_000)
    attendees: dict[str, int] = Field(default_factory=dict, description="people by body, for meetings")
    decisions: str = Field("", max_length=4000)
    follow_ups: list[FollowUpCreate] = Field(default_factory=list, max_length=50)


class PhaseCreate(BaseModel):
    name_fa: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    stage: int | None = Field(None, ge=1, le=4)
    planned_start: str = Field(..., max_length=20, description=DAY)
    planned_end: str = Field(..., max_length=20, description=DAY)
    actual_start: str | None = Field(None, max_length=20)
    actual_end: str | None = Field(None, max_length=20)


class PhaseDates(BaseModel):
    actual_start: str | None = Field(None, max_length=20, description=DAY)
    actual_end: str | None = Field(None, max_length=20, description=DAY)


@router.get("/activities", summary="Meetings and trainings in a period")
def activities(
    period: Period, area: AreaCode = None, user: User = Depends(require("programme.read")), conn: Conn = DB
) -> list[dict]:
    return list_activities(conn, since=period.since, until=period.until, area=area)


@router.post("/activities", status_code=201, summary="Record a meeting or a training (deputy)")
def create_activity(
    body: ActivityCreate, user: User = Depends(require("programme.manage")), conn: Conn = DB
) -> dict:
    activity = add_activity(
        conn,
        user=user,
        kind=body.kind,
        held_on=parse_day("held_on", body.held_on),
        title=body.title,
        area=body.area,
        place=body.place,
        facilitator=body.facilitator,
        attendance=body.attendance,
        attendees=body.attendees,
        decisions=body.decisions,
    )
    for i, item in enumerate(body.follow_ups):
        add_follow_up(
            conn,
            user=user,
            activity_id=activity["id"],
            decision=item.decision,
            what=item.what,
            owner=item.owner,
            due_on=parse_day(f"follow_ups.{i}.due_on", item.due_on),
        )
    return {**activity, "follow_ups": list_follow_ups(conn, user=user, activity_id=activity["id"])}


@router.get("/follow-ups", summary="Meetings' follow-ups (an agency sees only its own)")
def follow_ups(user: User = Depends(require_user), conn: Conn = DB) -> list[dict]:
    return list_follow_ups(conn, user=user)


@router.post(
    "/follow-ups/{follow_up_id}/done", summary="Mark a follow-up done with a note (its owner or the deputy)"
)
def follow_up_done(
    follow_up_id: RecordId,
    note: str = Body(..., embed=True, max_length=2000, description="what was done: the follow-up's record"),
    user: User = Depends(require("follow_up.complete")),
    conn: Conn = DB,
) -> dict:
    return complete_follow_up(conn, user=user, follow_up_id=follow_up_id, note=note)


@router.get("/phases", summary="Programme phases, planned and actual")
def phases(user: User = Depends(require("programme.read")), conn: Conn = DB) -> list[dict]:
    return list_phases(conn)


@router.post("/phases", status_code=201, summary="Plan a phase (deputy)")
def create_phase(
    body: PhaseCreate, user: User = Depends(require("programme.manage")), conn: Conn = DB
) -> dict:
    return add_phase(
        conn,
        user=user,
        name_fa=body.name_fa,
        name_en=body.name_en,
        stage=body.stage,
        planned_start=parse_day("planned_start", body.planned_start),
        planned_end=parse_day("planned_end", body.planned_end),
        actual_start=parse_day("actual_start", body.actual_start),
        actual_end=parse_day("actual_end", body.actual_end),
    )


@router.patch("/phases/{phase_id}", summary="Record a phase's actual dates (deputy)")
def update_phase(
    body: PhaseDates,
    phase_id: RecordId,
    user: User = Depends(require("programme.manage")),
    conn: Conn = DB,
) -> dict:
    return set_phase_dates(
        conn,
        user=user,
        phase_id=phase_id,
        actual_start=parse_day("actual_start", body.actual_start),
        actual_end=parse_day("actual_end", body.actual_end),
    )
