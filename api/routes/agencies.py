"""Agencies: listed for every signed-in user; the deputy adds, deactivates and reactivates them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api.auth import require, require_user
from api.deps import DB
from gis.db import Conn
from gis.programme.agencies import add_agency, list_agencies, set_agency_active
from gis.users import User

router = APIRouter(prefix="/api/agencies", tags=["agencies"])
Code = Annotated[str, Path(max_length=40)]


class AgencyCreate(BaseModel):
    code: str = Field(..., max_length=40, description="a-z, 0-9 and _, e.g. water_company")
    name_fa: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)


@router.get("", summary="Agencies with their open actions")
def agencies(
    include_inactive: bool = Query(False), user: User = Depends(require_user), conn: Conn = DB
) -> list[dict]:
    return list_agencies(conn, include_inactive=include_inactive)


@router.post("", status_code=201, summary="Add an agency (deputy)")
def create(body: AgencyCreate, user: User = Depends(require("agency.manage")), conn: Conn = DB) -> dict:
    return add_agency(conn, user=user, code=body.code, name_fa=body.name_fa, name_en=body.name_en)


@router.post("/{code}/deactivate", summary="Deactivate an agency: no new actions, history kept (deputy)")
def deactivate(code: Code, user: User = Depends(require("agency.manage")), conn: Conn = DB) -> dict:
    set_agency_active(conn, user=user, code=code, active=False)
    return {"code": code, "active": False}


@router.post("/{code}/activate", summary="Reactivate an agency (deputy)")
def activate(code: Code, user: User = Depends(require("agency.manage")), conn: Conn = DB) -> dict:
    set_agency_active(conn, user=user, code=code, active=True)
    return {"code": code, "active": True}
