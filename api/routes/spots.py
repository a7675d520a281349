"""Spots as GeoJSON: filter by area, stage, category, status and bbox; paged."""

from dataclasses import replace
from typing import Literal

from fastapi import APIRouter, Depends, Query, Response

from api.auth import spot_scope
from api.deps import DB, AreaCode, Period, RecordId
from api.media import GEOJSON, answers_geojson
from gis.access import SpotScope
from gis.db import Conn
from gis.spots import (
    MAX_LIMIT,
    SpotFilter,
    parse_bbox,
    parse_list,
    parse_stages,
    spot_feature,
    spots_geojson,
)

router = APIRouter(prefix="/api", tags=["spots"])


def spot_filter(
    period: Period,
    stage: str | None = Query(None, max_length=20, description="comma-separated stages, e.g. 1,2"),
    category: str | None = Query(None, max_length=400, description="comma-separated category codes"),
    status: Literal["open", "resolved", "rejected"] | None = Query(None),
    area: AreaCode = None,
    bbox: str | None = Query(None, max_length=200, description="minlon,minlat,maxlon,maxlat"),
    source: str | None = Query(
        None, max_length=200, description="comma-separated sources of the spot's reports"
    ),
    time_of_day: str | None = Query(None, max_length=40, description="comma-separated: day, evening, night"),
    scope: SpotScope = Depends(spot_scope),
) -> SpotFilter:
    """The spot filters shared by every route that lists spots (the list, the map), within the asker's
    scope."""
    return SpotFilter(
        stages=parse_stages(stage),
        categories=parse_list(category),
        status=status,
        area=area,
        bbox=parse_bbox(bbox),
        sources=parse_list(source),
        since=period.since,
        until=period.until,
        times_of_day=parse_list(time_of_day),
        scope=scope,
    )


@router.get(
    "/spots",
    summary="Spots as a GeoJSON FeatureCollection",
    **answers_geojson(),
)
def list_spots(
    filters: SpotFilter = Depends(spot_filter),
    limit: int = Query(1000, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000_000),
    conn: Conn = DB,
) -> Response:
    return Response(spots_geojson(conn, replace(filters, limit=limit, offset=offset)), media_type=GEOJSON)


@router.get(
    "/spots/{spot_id}",
    summary="One spot with its history",
    **answers_geojson(),
)
def get_spot(spot_id: RecordId, conn: Conn = DB, scope: SpotScope = Depends(spot_scope)) -> Response:
    return Response(spot_feature(conn, spot_id, scope=scope), media_type=GEOJSON)
