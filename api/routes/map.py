"""The viewport data the map loads (/api/map/*); the map and spot pages are in api/pages/."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import READ
from api.media import GEOJSON
from api.routes.spots import spot_filter
from gis.db import Conn
from gis.publish.mapdata import MAX_SPOTS, heat_points, map_spots
from gis.spots import SpotFilter

router = APIRouter(tags=["map"])
Zoom = Annotated[
    int, Query(ge=0, le=22, description="the map's zoom level: sets the cluster and heat grid size")
]


@router.get(
    "/api/map/spots", summary="Spots in a viewport for the map: light points, or grid clusters past a cap"
)
def map_spots_route(
    filters: SpotFilter = Depends(spot_filter),
    zoom: Zoom = 12,
    limit: int = Query(MAX_SPOTS, ge=1, le=MAX_SPOTS, description="past this many spots, clusters are sent"),
    conn: Conn = READ,
) -> Response:
    return Response(map_spots(conn, filters, zoom=zoom, max_spots=limit), media_type=GEOJSON)


@router.get("/api/map/heat", summary="Reports in a viewport as heatmap points [lat, lon, weight]")
def map_heat_route(
    filters: SpotFilter = Depends(spot_filter), zoom: Zoom = 12, conn: Conn = READ
) -> Response:
    return Response(heat_points(conn, filters, zoom=zoom), media_type="application/json")
