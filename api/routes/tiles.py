"""Vector tiles (MVT) of spots and areas for maps with many features; cached by the browser, validated by
ETag."""

import hashlib

import psycopg2
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import spot_scope
from api.deps import READ
from api.middleware import is_signed_in
from gis.access import SpotScope
from gis.db import Conn
from gis.errors import SafemapError
from gis.publish.tilecache import GENERATION_QUERY, PUBLIC_TILES
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


def _alias(scope: Scope) -> tuple[str, bytes]:
    """A tile request's name in the public tile cache: its path and query as sent."""
    return scope["path"], scope["query_string"]


class PublicTiles:
    """The anonymous public's repeated tiles answered before routing: a GET whose path and query drew a
    public tile is served from the cache (gis/publish/tilecache.py) while the tile generation, read in one
    query, is unchanged, so the next reader after any committed change still gets a fresh tile. It saves the
    route's dependencies and transaction (about half of a cached tile's time over HTTP). Signed-in readers,
    and anything not in the cache, go on to the routes."""

    def __init__(self, app: ASGIApp, *, session_cookie: str) -> None:
        self.app = app
        self.session_cookie = session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        alias = _alias(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if alias is None or not PUBLIC_TILES.has_alias(alias) or is_signed_in(scope, self.session_cookie):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        database = state.read_database or state.database
        try:
            body = PUBLIC_TILES.get_alias(
                alias, await run_in_threadpool(database.read_value, GENERATION_QUERY)
            )
        except (SafemapError, psycopg2.Error):
            body = None  # the route answers, with its own error if the database is down
        if body is None:
            await self.app(scope, receive, send)
            return
        await _tile_response(Request(scope), body)(scope, receive, send)


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
        alias=_alias(request.scope),
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
    body = collection_tile(conn, collection_id, z, x, y, scope=scope, alias=_alias(request.scope))
    return _tile_response(request, body)
