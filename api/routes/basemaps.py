"""Base maps served by the tool itself, the street and landmark layers drawn over them, and address search.
All of it is public base data (no spot, no report): anyone who may see a map may read it."""

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.auth import require
from api.deps import DB
from api.errors import request_language
from api.media import GEOJSON
from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.field import field_extent, field_spots
from gis.places.landmarks import landmarks_geojson
from gis.places.search import MAX_QUERY, search_places
from gis.places.streets import streets_geojson
from gis.publish.basemaps import basemap_tile, offline_tiles
from gis.publish.tiles import MAX_ZOOM
from gis.spots import parse_bbox
from gis.users import User

router = APIRouter(tags=["base maps"])
# A tile's URL carries its base map's id (?v=), so a base map added again under the same name gets new URLs:
# browsers may keep tiles a day.
TILE_CACHE = "public, max-age=86400"
BASE_DATA_CACHE = "public, max-age=300"


@router.get(
    "/basemaps/{name}/{z}/{x}/{y}.{ext}",
    summary="A tile of a local base map (PNG, JPEG or WebP; vector tiles as .pbf); 204 where it has none",
    response_class=Response,
)
def basemap_tile_route(
    name: str = Path(..., max_length=63),
    z: int = Path(..., ge=0, le=MAX_ZOOM),
    x: int = Path(..., ge=0),
    y: int = Path(..., ge=0),
    ext: str = Path(..., pattern="^(png|jpg|jpeg|webp|pbf|mvt)$"),
    conn: Conn = DB,
) -> Response:
    tile = basemap_tile(conn, name, z, x, y)
    if tile is None:
        return Response(status_code=204, headers={"Cache-Control": TILE_CACHE})
    headers = {"Cache-Control": TILE_CACHE}
    if tile.gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(tile.body, media_type=tile.media_type, headers=headers)


@router.get("/api/streets", summary="Streets of the loaded street layers in a viewport, as GeoJSON")
def streets_route(
    bbox: str = Query(..., max_length=200, description="minlon,minlat,maxlon,maxlat"), conn: Conn = DB
) -> Response:
    box = parse_bbox(bbox)
    if box is None:  # an empty bbox: the viewport is required
        raise InvalidInput("bbox", "four_numbers_minlon_minlat_maxlon")
    west, south, east, north = box
    return Response(
        streets_geojson(conn, west, south, east, north),
        media_type=GEOJSON,
        headers={"Cache-Control": BASE_DATA_CACHE},
    )


@router.get("/api/landmarks", summary="The lake, metro stations and landmarks of the base map, as GeoJSON")
def landmarks_route(conn: Conn = DB) -> Response:
    return Response(landmarks_geojson(conn), media_type=GEOJSON, headers={"Cache-Control": BASE_DATA_CACHE})


@router.get(
    "/api/search",
    summary="Address search: neighbourhoods (with local names), landmarks, streets and typed coordinates",
)
def search_route(
    request: Request,
    q: str = Query(..., max_length=MAX_QUERY, description="a name, an address or a coordinate pair"),
    conn: Conn = DB,
) -> dict:
    return {"query": q, "results": search_places(conn, q, lang=request_language(request))}


@router.get(
    "/api/field/offline",
    summary="What the tablet downloads to work offline: a local base map's tiles over the facilitator's "
    "neighbourhoods, and their spots, with the size; over SAFEMAP_FIELD_OFFLINE_MAX_MB it is refused",
)
def field_offline_route(
    request: Request,
    basemap: str = Query(..., max_length=63, description="the name of a local base map"),
    user: User = Depends(require("report.submit")),
    conn: Conn = DB,
) -> dict:
    extent = field_extent(conn, user)
    if extent is None:
        raise InvalidInput("area", "no_areas_loaded")
    plan = offline_tiles(conn, basemap, extent)
    spots_bytes = len(field_spots(conn, user).encode())
    total = plan["bytes"] + spots_bytes
    limit = request.app.state.settings.field_offline_max_mb
    if total > limit * 1_000_000:
        raise InvalidInput("basemap", "offline_too_large", size=_mb(total), limit=_mb(limit * 1_000_000))
    return plan | {"spots_bytes": spots_bytes, "total_bytes": total, "limit_bytes": round(limit * 1_000_000)}


def _mb(size: float) -> str:
    """A size in megabytes as people read it: one decimal below 10 MB, whole above."""
    mb = size / 1_000_000
    return f"{mb:.1f}" if mb < 10 else f"{mb:.0f}"
