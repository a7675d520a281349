"""Areas as GeoJSON."""

from fastapi import APIRouter, Query, Response

from api.deps import DB, AreaLevel
from api.media import GEOJSON, answers_geojson
from gis.db import Conn
from gis.places.areas import areas_geojson

router = APIRouter(prefix="/api", tags=["areas"])


@router.get(
    "/areas",
    summary="District, sub-district and neighbourhood polygons",
    **answers_geojson(),
)
def list_areas(
    level: AreaLevel | None = Query(None),
    parent: str | None = Query(None, max_length=32, description="code of the containing area"),
    conn: Conn = DB,
) -> Response:
    return Response(areas_geojson(conn, level=level, parent=parent), media_type=GEOJSON)
