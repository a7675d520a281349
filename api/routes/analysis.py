"""Analysis for maps and reports: density choropleth, hotspot grid, time to remediation, audit change.

Every figure counts only the spots the asker may read (the public: stages 3–4), as the map's spots do.
"""

from typing import Literal

from fastapi import APIRouter, Depends, Query, Response

from api.auth import spot_scope
from api.deps import DB, AreaCode, AreaLevel
from api.media import GEOJSON, answers_geojson
from gis.access import SpotScope
from gis.db import Conn
from gis.publish.analysis import (
    METRIC_SRID,
    HotspotSettings,
    audit_change,
    audit_change_summary,
    density_geojson,
    hotspots,
    remediation_by_agency,
    remediation_by_category,
)

router = APIRouter(prefix="/api/analysis", tags=["analysis"])


@router.get(
    "/density",
    summary="Spots per km² and per 1,000 residents of each area (a choropleth layer)",
    **answers_geojson(),
)
def density(
    level: AreaLevel = Query("neighbourhood"),
    conn: Conn = DB,
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    return Response(density_geojson(conn, level=level, scope=scope), media_type=GEOJSON)


@router.get(
    "/hotspots",
    summary="Hotspots: kernel density and Getis-Ord Gi* on a grid",
    **answers_geojson("text/csv"),
)
def hotspot_grid(
    cell: float = Query(500, description="grid cell size in metres"),
    bandwidth: float = Query(750, description="kernel bandwidth in metres"),
    weight: Literal["spots", "reports"] = Query(
        "spots", description="count spots, or weigh each by its reports"
    ),
    area: AreaCode = None,
    fdr: bool = Query(True, description="control the false discovery rate over all cells"),
    f: Literal["geojson", "csv"] = Query("geojson", description="a map layer, or a table"),
    conn: Conn = DB,
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    grid = hotspots(
        conn,
        HotspotSettings(cell_m=cell, bandwidth_m=bandwidth, weight=weight, area=area, fdr=fdr),
        scope=scope,
    )
    if f == "csv":
        centres = grid.geometry.to_crs(METRIC_SRID).centroid.to_crs(4326)  # centroids in metres, not degrees
        table = grid.assign(lon=centres.x.round(6), lat=centres.y.round(6))
        return Response(
            table.drop(columns="geometry").to_csv(index=False), media_type="text/csv; charset=utf-8"
        )
    return Response(grid.to_json(drop_id=True), media_type=GEOJSON)


@router.get("/remediation", summary="Time to remediation per category and per agency")
def remediation(conn: Conn = DB, scope: SpotScope = Depends(spot_scope)) -> dict:
    return {
        "by_category": remediation_by_category(conn, scope=scope),
        "by_agency": remediation_by_agency(conn, scope=scope),
    }


@router.get("/audit-change", summary="Resolved spots: safety-audit score before and after the fix")
def audit_change_report(conn: Conn = DB, scope: SpotScope = Depends(spot_scope)) -> dict:
    rows = audit_change(conn, scope=scope)
    return {"summary": audit_change_summary(rows), "spots": rows}
