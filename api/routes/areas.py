"""Areas as GeoJSON."""

from typing import Literal

from fastapi import APIRouter, Query, Response

from api.deps import DB
from gis.db import Conn
from gis.places.areas import areas_geojson

router = APIRouter(prefix="/api", tags=["areas"])
GEOJSON = "application/geo+json"


@router.get(
    "/areas",
    summary="District, sub-district and neighbourhood polygons",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def list_areas(
    level: Literal["district", "sub_district", "neighbourhood"] | None = Query(None),
    parent: str | None = Query(None, max_length=32, description="code of the containing area"),
    conn: Conn = DB,
) -> Response:
    return Response(areas_geojson(conn, level=level, parent=parent), media_type=GEOJSON)
