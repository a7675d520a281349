"""Routing rules (category × neighbourhood → agency and due days): the deputy keeps them, staff read them,
and stage 3 asks what they propose for a spot."""

from fastapi import APIRouter, Depends, Path
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import DB
from gis.db import Conn
from gis.programme.routing import add_rule, delete_rule, list_rules, propose
from gis.users import User

router = APIRouter(tags=["routing"])


class RuleCreate(BaseModel):
    category: str = Field(..., max_length=40, description="category code, e.g. poor_lighting")
    area: str | None = Field(None, max_length=32, description="neighbourhood code; none: every neighbourhood")
    agency: str = Field(..., max_length=40, description="agency code, e.g. electricity")
    due_days: int = Field(..., ge=1, le=365, description="days from assignment to the due date")
    what: str = Field("", max_length=1000, description="the job the agency is asked to do")


@router.get("/api/routing-rules", summary="Routing rules (staff)")
def rules(user: User = Depends(require("routing.read")), conn: Conn = DB) -> list[dict]:
    return list_rules(conn)


@router.post("/api/routing-rules", status_code=201, summary="Add or update a routing rule (deputy)")
def create_rule(body: RuleCreate, user: User = Depends(require("routing.manage")), conn: Conn = DB) -> dict:
    return add_rule(conn, user=user, **body.model_dump())


@router.delete("/api/routing-rules/{rule_id}", status_code=204, summary="Remove a routing rule (deputy)")
def remove_rule(
    rule_id: int = Path(..., ge=1, le=2**31 - 1),
    user: User = Depends(require("routing.manage")),
    conn: Conn = DB,
) -> None:
    delete_rule(conn, user=user, rule_id=rule_id)


@router.get("/api/spots/{spot_id}/routing", summary="The agencies, jobs and due dates the rules propose")
def spot_routing(
    spot_id: int = Path(..., ge=1, le=2**31 - 1),
    user: User = Depends(require("action.assign")),
    conn: Conn = DB,
) -> list[dict]:
    return jsonable_encoder(propose(conn, spot_id=spot_id))
