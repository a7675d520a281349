"""The programme dashboard's figures as JSON (the page is api/pages/dashboard.py)."""

import json

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from api.auth import require
from api.deps import DB, AreaCode, Period, Radius
from gis.db import Conn
from gis.places.areas import area_id_by_code
from gis.programme.dashboard import dashboard
from gis.programme.evaluation import evaluation_figures
from gis.users import User

router = APIRouter(tags=["dashboard"])


@router.get("/api/dashboard", summary="The programme dashboard's figures (deputy, GIS office, viewer)")
def dashboard_json(
    period: Period, area: AreaCode = None, user: User = Depends(require("dashboard.read")), conn: Conn = DB
) -> Response:
    figures = dashboard(conn, area=area or None, since=period.since, until=period.until)
    for row in figures["resolved_audits"]:
        row.pop("audit_before"), row.pop("audit_after")
    return Response(json.dumps(jsonable_encoder(figures), ensure_ascii=False), media_type="application/json")


@router.get(
    "/api/dashboard/evaluation", summary="The programme's evaluation: fixes, baseline, scores, criteria"
)
def evaluation_json(
    radius_m: Radius, area: AreaCode = None, user: User = Depends(require("dashboard.read")), conn: Conn = DB
) -> Response:
    """Fixed spots improved and by how much, recurrence after fixes against comparable unfixed spots, each
    neighbourhood's day and night safety score, and how each criterion relates to the feeling of safety."""
    area_id = area_id_by_code(conn, area) if area else None
    figures = evaluation_figures(conn, radius_m=radius_m, area_id=area_id)
    return Response(json.dumps(jsonable_encoder(figures), ensure_ascii=False), media_type="application/json")
