"""The four-stage workflow over HTTP: each transition a POST on the spot, guarded by role, area and version.

Writes take the version the client read, as an If-Match header ("3" or W/"3") or a `version` field; a stale
one gets 409 and changes nothing. Every write answers with the spot's workflow file and its new ETag.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Header, Query, Response
from pydantic import BaseModel, Field

from api.auth import require_user, spot_scope
from api.deps import DB, Radius, RecordId
from api.uploads import PHOTO_ROUTE, NewPhoto, photo_upload, stored_photo
from gis.access import SpotScope
from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.photos import thumbnail
from gis.lang import latin_digits, parse_day
from gis.programme import evaluation, placing, safety, visit_photos, workflow
from gis.programme.action_photos import action_photo, add_action_photo, photos_of
from gis.users import User

router = APIRouter(prefix="/api", tags=["workflow"])


class Versioned(BaseModel):
    version: int | None = Field(None, ge=1, description="the version you read (or send If-Match)")


class Verify(Versioned):
    category: str | None = Field(None, max_length=64, description="corrected category, if it was wrong")
    note: str = Field("", max_length=4000)


class Reject(Versioned):
    reason: Literal["not_unsafe", "duplicate"]
    note: str = Field(..., max_length=4000, description="why, in words")
    duplicate_of: int | None = Field(None, ge=1, le=2_147_483_647)


class Note(Versioned):
    note: str = Field("", max_length=4000)


class Visit(Versioned):
    visited_on: str = Field(..., max_length=20, description="1399/09/15 (Persian or Latin digits) or ISO")
    findings: str = Field(..., max_length=4000)
    photos: list[str] = Field(
        default_factory=list, max_length=20, description="references to uploaded photos"
    )
    audit: dict[str, Any] | None = Field(
        None, description="the nine criteria, each 0–3 or null (not assessed); at least one assessed"
    )
    time_of_day: str | None = Field(
        None, max_length=10, description="when the audit was taken: day, evening, night"
    )

    def fields(self) -> dict:
        """What a visit or re-audit records, its day read from Persian or Latin digits."""
        return {
            "visited_on": parse_day("visited_on", self.visited_on),
            "findings": self.findings,
            "photos": self.photos,
            "audit": self.audit,
            "time_of_day": self.time_of_day,
        }


class Evaluation(Visit):
    findings: str = Field("", max_length=4000)
    audit: dict[str, Any] = Field(
        ..., description="the re-audit: the nine criteria, each 0–3 or null; at the first audit's time of day"
    )


class ActionCreate(Versioned):
    agency: str = Field(..., max_length=40)
    what: str = Field(..., max_length=1000)
    due_on: str = Field(..., max_length=20, description="1399/10/30 or ISO")


class ActionUpdate(Versioned):
    status: Literal["in_progress", "done", "cancelled"]
    note: str = Field(..., max_length=4000)


class CoordinationNote(Versioned):
    note: str = Field(..., max_length=4000)
    agencies: list[str] = Field(default_factory=list, max_length=20)
    visibility: str = Field(
        "staff",
        max_length=20,
        description="staff (the default) or public: shown in the spot's public history",
    )


class Location(Versioned):
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Point, LineString or Polygon (WGS 84)")
    x: str | float | None = Field(None, description="longitude or UTM 39N easting, as an import reads it")
    y: str | float | None = Field(None, description="latitude or UTM 39N northing")
    note: str = Field("", max_length=4000)


class Decision(Versioned):
    reason: str = Field(..., max_length=4000)


def _version(if_match: str | None, body: int | None) -> int | None:
    """The version from If-Match ("3", W/"3" or 3) or the body; both given must agree."""
    header = None
    if if_match:
        text = latin_digits(if_match).strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise InvalidInput("if-match", "version_as_etag_e_g")
        header = int(text)
    if header is not None and body is not None and header != body:
        raise InvalidInput("version", "if_match_header_version_field")
    return header if header is not None else body


def _file(
    conn: Conn, user: User, spot_id: int, version: int | None = None, status_code: int = 200
) -> Response:
    """The spot's workflow file; the ETag carries the version of what was read or written (spot or action)."""
    body, spot_version = workflow.spot_workflow(conn, user=user, spot_id=spot_id)
    headers = {"ETag": f'"{spot_version if version is None else version}"'}
    return Response(body, media_type="application/json", status_code=status_code, headers=headers)


@dataclass(frozen=True)
class Move:
    """What every move on a spot takes from the request: the spot, the If-Match header, who asks, the
    connection. `apply` runs one workflow function and answers with the file as the move left it."""

    spot_id: int
    if_match: str | None
    user: User
    conn: Conn

    def apply(
        self, move: Callable[..., int | None], body: Versioned, status_code: int = 200, **fields
    ) -> Response:
        """Call `move` with the version the client read (If-Match or body) and `fields`; answer the file."""
        version = _version(self.if_match, body.version)
        written = move(self.conn, user=self.user, spot_id=self.spot_id, version=version, **fields)
        return _file(self.conn, self.user, self.spot_id, written, status_code)


def _on_spot(
    spot_id: RecordId,
    if_match: str | None = Header(None),
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> Move:
    return Move(spot_id, if_match, user, conn)


OnSpot = Depends(_on_spot)


@router.get("/spots/{spot_id}/workflow", summary="A spot's visits, actions, audits and full history")
def get_workflow(spot_id: RecordId, user: User = Depends(require_user), conn: Conn = DB) -> Response:
    return _file(conn, user, spot_id)


@router.post("/spots/{spot_id}/verify", summary="Stage 1 → 2: the GIS office verifies location and category")
def verify(body: Verify, on: Move = OnSpot) -> Response:
    return on.apply(workflow.verify, body, category=body.category, note=body.note)


@router.patch("/spots/{spot_id}/location", summary="Put the spot where it is (dragged, drawn or typed)")
def move(body: Location, on: Move = OnSpot) -> Response:
    return on.apply(placing.move_spot, body, geometry=body.geometry, x=body.x, y=body.y, note=body.note)


@router.get("/to-place", summary="Spots known only by their address or neighbourhood, waiting to be placed")
def to_place(scope: SpotScope = Depends(spot_scope), conn: Conn = DB) -> dict:
    return {"spots": placing.unplaced_spots(conn, scope=scope)}


@router.post("/spots/{spot_id}/reject", summary="Stage 1 or 2: reject as not unsafe or as a duplicate")
def reject(body: Reject, on: Move = OnSpot) -> Response:
    return on.apply(workflow.reject, body, reason=body.reason, note=body.note, duplicate_of=body.duplicate_of)


@router.post("/spots/{spot_id}/remediation", summary="Stage 2 → 3: hand the spot to the working group")
def start_remediation(body: Note, on: Move = OnSpot) -> Response:
    return on.apply(workflow.start_remediation, body, note=body.note)


@router.post("/spots/{spot_id}/visits", status_code=201, summary="Stage 3: record a site visit")
def record_visit(body: Visit, on: Move = OnSpot) -> Response:
    return on.apply(workflow.record_visit, body, 201, **body.fields())


@router.post("/spots/{spot_id}/actions", status_code=201, summary="Stage 3: assign an action to an agency")
def assign_action(body: ActionCreate, on: Move = OnSpot) -> Response:
    due_on = parse_day("due_on", body.due_on)
    return on.apply(workflow.assign_action, body, 201, agency=body.agency, what=body.what, due_on=due_on)


@router.get("/actions", summary="Actions across spots (an agency sees only its own)")
def list_actions(
    agency: str | None = Query(None, max_length=40),
    status: Literal["assigned", "in_progress", "done", "cancelled"] | None = Query(None),
    overdue: bool = Query(False),
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> list[dict]:
    actions = workflow.list_actions(conn, user=user, agency=agency, status=status, overdue=overdue)
    photos = photos_of(conn, [action["id"] for action in actions])
    return [
        {
            **action,
            "photos": [f"/api/actions/{action['id']}/photos/{uuid}" for uuid in photos.get(action["id"], [])],
        }
        for action in actions
    ]


@router.post("/actions/{action_id}/photos", **photo_upload("an action"))
def upload_action_photo(
    response: Response,
    action_id: RecordId,
    photo: NewPhoto,
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> dict:
    result = add_action_photo(conn, user=user, action_id=action_id, photo_uuid=photo.uuid, data=photo.data)
    return stored_photo(response, result, f"/api/actions/{action_id}/photos/{result['uuid']}")


@router.get(
    "/actions/{action_id}/photos/{photo_uuid}",
    **PHOTO_ROUTE,
    summary="An action's photo",
)
def read_action_photo(
    photo_uuid: UUID, action_id: RecordId, user: User = Depends(require_user), conn: Conn = DB
) -> Response:
    content_type, data = action_photo(conn, user=user, action_id=action_id, photo_uuid=str(photo_uuid))
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})


@router.patch("/actions/{action_id}", summary="An agency marks its action in progress or done; staff cancel")
def update_action(
    body: ActionUpdate,
    action_id: RecordId,
    if_match: str | None = Header(None),
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> Response:
    spot_id, version = workflow.update_action(
        conn,
        user=user,
        action_id=action_id,
        version=_version(if_match, body.version),
        status=body.status,
        note=body.note,
    )
    return _file(conn, user, spot_id, version)


@router.post("/spots/{spot_id}/notes", status_code=201, summary="Stage 3: an inter-agency coordination note")
def add_note(body: CoordinationNote, on: Move = OnSpot) -> Response:
    fields = {"note": body.note, "agencies": body.agencies, "visibility": body.visibility}
    return on.apply(workflow.add_note, body, 201, **fields)


@router.post("/spots/{spot_id}/evaluation", summary="Stage 3 → 4: the re-audit once all actions are done")
def evaluate(body: Evaluation, on: Move = OnSpot) -> Response:
    return on.apply(workflow.evaluate, body, **body.fields())


@router.post("/spots/{spot_id}/close", summary="Stage 4: the deputy closes the spot as resolved")
def close(body: Decision, on: Move = OnSpot) -> Response:
    return on.apply(workflow.close, body, reason=body.reason)


@router.post("/spots/{spot_id}/reopen", summary="Stage 4 → 3: the deputy reopens the spot")
def reopen(body: Decision, on: Move = OnSpot) -> Response:
    return on.apply(workflow.reopen, body, reason=body.reason)


@router.get("/spots/{spot_id}/evidence", summary="Stage 4: a spot's safety scores, evaluation and photos")
def spot_evidence(
    spot_id: RecordId, radius_m: Radius, user: User = Depends(require_user), conn: Conn = DB
) -> dict:
    """Day and night scores, audits before and after the fix with the change and the criteria that changed,
    recurrence of reports around the spot, and the photo gallery (staff see all, others the public ones)."""
    workflow.check_readable(conn, user=user, spot_id=spot_id)
    return {
        "scores": safety.spot_scores(conn, spot_id),
        "evaluation": evaluation.spot_evaluation(conn, spot_id, radius_m=radius_m),
        "photos": visit_photos.gallery(conn, user=user, spot_id=spot_id),
    }


@router.post("/spots/{spot_id}/visits/{visit_id}/photos", **photo_upload("a visit"))
def upload_visit_photo(
    response: Response,
    spot_id: RecordId,
    visit_id: RecordId,
    photo: NewPhoto,
    public: bool = Form(False, description="shown to everyone who may read the spot (staff only may set it)"),
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> dict:
    result = visit_photos.add_visit_photo(
        conn,
        user=user,
        spot_id=spot_id,
        visit_id=visit_id,
        photo_uuid=photo.uuid,
        data=photo.data,
        public=public,
    )
    return stored_photo(response, result, f"/api/spots/{spot_id}/photos/{result['uuid']}")


@router.get(
    "/spots/{spot_id}/photos/{photo_uuid}",
    **PHOTO_ROUTE,
    summary="One photo of a spot (a report's, a visit's or an action's); ?thumb=true for a small JPEG",
)
def read_spot_photo(
    photo_uuid: UUID,
    spot_id: RecordId,
    thumb: bool = Query(False),
    user: User = Depends(require_user),
    conn: Conn = DB,
) -> Response:
    workflow.check_readable(conn, user=user, spot_id=spot_id)
    content_type, data = visit_photos.spot_photo(conn, user=user, spot_id=spot_id, photo_uuid=str(photo_uuid))
    if thumb:
        content_type, data = thumbnail(data)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})
