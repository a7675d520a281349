"""Vector tiles (MVT) of spots and areas for maps with many features; cached by the browser, validated by
ETag."""

import hashlib

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.auth import spot_scope
from api.deps import READ
from gis.access import SpotScope
from gis.db import Conn
from gis.publish.tiles import LAYERS, MAX_ZOOM, collection_tile, tile
from gis.spots import parse_stages

router = APIRouter(tags=["tiles"])
MVT = "application/vnd.mapbox-vector-tile"
# Anyone may keep an anonymous reader's tile for five minutes; a signed-in reader's is made `private,
# no-store` and every tile varies by who asks, for every route alike (api/middleware.py CachePolicy).
PUBLIC = "public, max-age=300"
TILE = {200: {"content": {MVT: {}}, "description": "a Mapbox vector tile (empty when nothing is there)"}}


def _tile_response(request: Request, body: bytes) -> Response:
    """The tile with its cache headers; 304 when the client already holds these exact bytes."""
    etag = '"' + hashlib.sha1(body).hexdigest() + '"'
    headers = {
        "Cache-Control": PUBLIC,
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MVT, headers=headers)


@router.get(
    "/tiles/{z}/{x}/{y}.pbf",
    summary="A vector tile of spots and areas",
    response_class=Response,
    responses=TILE,
)
def spots_and_areas_tile(
    request: Request,
    z: int = Path(..., ge=0, le=MAX_ZOOM),
    x: int = Path(..., ge=0),
    y: int = Path(..., ge=0),
    layers: str = Query(",".join(LAYERS), max_length=40, description="spots, areas or both"),
    stage: str | None = Query(None, max_length=20, description="spots of these stages, e.g. 3,4"),
    category: str | None = Query(None, max_length=400, description="spots of these categories"),
    conn: Conn = READ,
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    body = tile(
        conn,
        z,
        x,
        y,
        layers=tuple(name.strip() for name in layers.split(",") if name.strip()),
        stages=parse_stages(stage),
        categories=[c.strip() for c in category.split(",") if c.strip()] if category else None,
        scope=scope,
    )
    return _tile_response(request, body)


@router.get(
    "/ogc/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
    summary="One collection's vector tile (OGC API – Tiles path: tileMatrix/tileRow/tileCol)",
    response_class=Response,
    responses=TILE,
)
def ogc_collection_tile(
    request: Request,
    collection_id: str,
    z: int = Path(..., ge=0, le=MAX_ZOOM),
    y: int = Path(..., ge=0),
    x: int = Path(..., ge=0),
    conn: Conn = READ,
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    return _tile_response(request, collection_tile(conn, collection_id, z, x, y, scope=scope))
