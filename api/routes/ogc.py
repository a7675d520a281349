"""OGC API – Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0) at /ogc, so QGIS and GDAL read Safemap
live."""

import json
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.auth import current_user, spot_scope
from api.deps import READ, READ_STREAM
from api.media import GEOJSON, answers_geojson
from gis.access import EVERY_SPOT, PUBLIC_SPOTS, SpotScope
from gis.db import Conn
from gis.errors import InvalidInput, Unauthorized
from gis.publish.ogc import (
    COLLECTIONS,
    CRS84,
    CRS_SRIDS,
    DEFAULT_LIMIT,
    ITEM_PARAMETERS,
    MAX_LIMIT,
    Collection,
    count_items,
    extent,
    get_collection,
    get_item,
    iter_items,
    next_offset,
    parse_crs,
    parse_items_query,
    previous_offset,
    queryables,
    timestamp,
)
from gis.publish.qgis_project import AUTHCFG, project_qgz
from gis.publish.styles import collection_style, collection_styles
from gis.users import User

router = APIRouter(prefix="/ogc", tags=["ogc"])
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
STYLE_TYPES = {"qml": "application/vnd.qgis.qml+xml", "sld": "application/vnd.ogc.sld+xml;version=1.1"}
CONFORMANCE = [
    *(
        f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
        for name in ("core", "oas30", "html", "geojson")
    ),
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    *(
        f"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/{name}"
        for name in ("queryables", "queryables-query-parameters", "filter", "features-filter")
    ),
    *(
        f"http://www.opengis.net/spec/cql2/1.0/conf/{name}"
        for name in ("cql2-text", "basic-cql2", "advanced-comparison-operators", "basic-spatial-functions")
    ),
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/property-selection",
]
STREAM_CHUNK = 65536
_pages = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _html_wanted(request: Request) -> bool:
    """f=html|json decides; without it, a browser's Accept header (text/html before JSON) does."""
    f = request.query_params.get("f")
    if f is not None:
        if f not in ("html", "json", "geojson"):
            raise InvalidInput("f", "json_html")
        return f == "html"
    accept = request.headers.get("accept", "")
    html_at, json_at = accept.find(HTML), max(accept.find("json"), accept.find("*/*"))
    return html_at >= 0 and (json_at < 0 or html_at < json_at)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _link(href: str, rel: str, kind: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": kind, "title": title}


def _self_links(request: Request, html: bool, json_type: str = JSON) -> list[dict]:
    url = request.url.remove_query_params("f")
    as_json, as_html = str(url.include_query_params(f="json")), str(url.include_query_params(f="html"))
    return [
        _link(as_html if html else as_json, "self", HTML if html else json_type, "this document"),
        _link(
            as_json if html else as_html,
            "alternate",
            json_type if html else HTML,
            "this document as " + ("JSON" if html else "HTML"),
        ),
    ]


def _answer(
    request: Request,
    document: dict,
    html: bool,
    template: str,
    json_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    if html:
        page = _pages.get_template(f"ogc/{template}.html").render(doc=document, base=_base(request))
        return HTMLResponse(page, headers=headers)
    return Response(json.dumps(document, ensure_ascii=False), media_type=json_type, headers=headers)


def _check_parameters(request: Request, allowed: tuple[str, ...]) -> None:
    """An unknown query parameter is a 400 naming it (OGC API – Features /req/core/query-param-unknown)."""
    for name in request.query_params:
        if name not in allowed:
            raise InvalidInput(name, "unknown_parameter_known", allowed=", ".join(allowed))


def _visible(collection: Collection, user: User | None) -> bool:
    return not collection.private or user is not None


def _scope(request: Request, collection: Collection, user: User | None) -> SpotScope:
    return spot_scope(request, user) if collection.spot_alias else EVERY_SPOT


def _require(collection: Collection, user: User | None) -> None:
    if not _visible(collection, user):
        raise Unauthorized(
            "collection_needs_bearer_token", collection_id=collection.id, field="authorization"
        )


@router.get("", summary="OGC API – Features landing page", response_class=Response)
def landing(request: Request) -> Response:
    _check_parameters(request, ("f",))
    html = _html_wanted(request)
    base = _base(request)
    document = {
        "title": "Safemap – OGC API Features",
        "description": "Unsafe urban spaces of District 22, Tehran: spots, reports and areas"
        " (فضاهای بی‌دفاع شهری)",
        "links": _self_links(request, html)
        + [
            _link(f"{base}/api", "service-desc", OPENAPI, "the API definition (OpenAPI 3.0)"),
            _link(f"{str(request.base_url).rstrip('/')}/docs", "service-doc", HTML, "the API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
            _link(f"{base}/collections", "data", JSON, "feature collections"),
        ],
    }
    return _answer(request, document, html, "landing")


@router.get("/conformance", summary="Conformance classes", response_class=Response)
def conformance(request: Request) -> Response:
    _check_parameters(request, ("f",))
    html = _html_wanted(request)
    return _answer(
        request, {"conformsTo": CONFORMANCE, "links": _self_links(request, html)}, html, "conformance"
    )


@router.get("/api", summary="The OGC API definition (OpenAPI 3.0)", response_class=Response)
def api_definition(request: Request, user: User | None = Depends(current_user)) -> Response:
    _check_parameters(request, ("f",))
    collections = [c for c in COLLECTIONS.values() if _visible(c, user)]
    return Response(
        json.dumps(openapi_document(_base(request), collections), ensure_ascii=False), media_type=OPENAPI
    )


def _extent_scope(request: Request, collection: Collection, user: User | None) -> SpotScope:
    """The reader's scope; with the public map off the anonymous still get the public's extent, never more."""
    try:
        return _scope(request, collection, user)
    except Unauthorized:
        return PUBLIC_SPOTS


def _collection_document(request: Request, conn: Conn, collection: Collection, user: User | None) -> dict:
    base = f"{_base(request)}/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "geometryType": collection.geometry_type,
        "crs": list(CRS_SRIDS),
        "storageCrs": CRS84,
        "extent": extent(conn, collection, scope=_extent_scope(request, collection, user)),
        "links": [
            _link(base, "self", JSON, collection.title),
            _link(f"{base}?f=html", "alternate", HTML, "as HTML"),
            _link(f"{base}/items?f=json", "items", GEOJSON, "the features as GeoJSON"),
            _link(f"{base}/items?f=html", "items", HTML, "the features as HTML"),
            _link(
                f"{base}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA,
                "the properties one may filter, sort and select on",
            ),
        ],
    }


@router.get(
    "/collections/{collection_id}/queryables",
    summary="The properties a filter may name (JSON Schema)",
    response_class=Response,
)
def collection_queryables(
    collection_id: str, request: Request, user: User | None = Depends(current_user)
) -> Response:
    _check_parameters(request, ("f",))
    found = get_collection(collection_id)
    _require(found, user)
    document = queryables(found) | {"$id": f"{_base(request)}/collections/{found.id}/queryables"}
    return Response(json.dumps(document, ensure_ascii=False), media_type=SCHEMA)


@router.get(
    "/collections/{collection_id}/styles",
    summary="The collection's map styles (QML for QGIS, SLD 1.1), the first its default",
)
def styles(collection_id: str, request: Request) -> dict:
    _check_parameters(request, ("f", "lang"))
    found = get_collection(collection_id)
    base = f"{_base(request)}/collections/{found.id}/styles"
    listed = collection_styles(found.id)
    return {
        "default": listed[0].id if listed else None,
        "styles": [
            {
                "id": style.id,
                "title": style.title,
                "links": [
                    _link(f"{base}/{style.id}?f={fmt}", "stylesheet", kind, f"{style.title} ({fmt.upper()})")
                    for fmt, kind in STYLE_TYPES.items()
                ],
            }
            for style in listed
        ],
        "links": [_link(base, "self", JSON, "this document")],
    }


@router.get(
    "/collections/{collection_id}/styles/{style_id}",
    summary="One map style as QML (f=qml, QGIS) or SLD 1.1 (f=sld); labels in ?lang=fa|en",
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in STYLE_TYPES.values()}}},
)
def style(collection_id: str, style_id: str, request: Request, conn: Conn = READ) -> Response:
    _check_parameters(request, ("f", "lang"))
    fmt = request.query_params.get("f", "qml")
    if fmt not in STYLE_TYPES:
        raise InvalidInput("f", "one_of", choices=", ".join(STYLE_TYPES))
    found = get_collection(collection_id)
    lang = "en" if request.query_params.get("lang") == "en" else "fa"  # Persian unless asked: QGIS sends none
    document = collection_style(conn, found.id, style_id, fmt, lang)
    return Response(document, media_type=STYLE_TYPES[fmt])


@router.get(
    "/qgis-project.qgz",
    summary="A QGIS project of these collections and the base maps, styled as the web map (see the README)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def qgis_project(request: Request, conn: Conn = READ, user: User | None = Depends(current_user)) -> Response:
    """A signed-in caller's project reads through the QGIS auth config `safemap`; the public's has none."""
    _check_parameters(request, ("lang",))
    lang = "en" if request.query_params.get("lang") == "en" else "fa"
    body = project_qgz(conn, str(request.base_url).rstrip("/"), lang=lang, authcfg=AUTHCFG if user else "")
    disposition = 'attachment; filename="safemap.qgz"'
    return Response(body, media_type="application/zip", headers={"Content-Disposition": disposition})


@router.get("/collections", summary="Feature collections", response_class=Response)
def collections(request: Request, conn: Conn = READ, user: User | None = Depends(current_user)) -> Response:
    _check_parameters(request, ("f",))
    html = _html_wanted(request)
    document = {
        "links": _self_links(request, html),
        "collections": [
            _collection_document(request, conn, c, user) for c in COLLECTIONS.values() if _visible(c, user)
        ],
    }
    return _answer(request, document, html, "collections")


@router.get(
    "/collections/{collection_id}", summary="One collection's metadata and extent", response_class=Response
)
def collection(
    collection_id: str, request: Request, conn: Conn = READ, user: User | None = Depends(current_user)
) -> Response:
    _check_parameters(request, ("f",))
    found = get_collection(collection_id)
    _require(found, user)
    html = _html_wanted(request)
    document = _collection_document(request, conn, found, user)
    return _answer(request, document, html, "collection")


def _page_link(request: Request, offset: int, limit: int, rel: str, html: bool) -> dict:
    url = request.url.remove_query_params(["f", "offset", "limit"])
    href = str(url.include_query_params(offset=offset, limit=limit, f="html" if html else "json"))
    return _link(href, rel, HTML if html else GEOJSON, f"{rel} page")


def _stream(conn: Conn, found: Collection, query, matched: int, links: list[dict]) -> Iterator[str]:
    """The FeatureCollection piece by piece: features straight from the server-side cursor."""
    chunk = ['{"type":"FeatureCollection","features":[']
    size = returned = 0
    for feature in iter_items(conn, found, query):
        chunk.append(("," if returned else "") + feature)
        returned += 1
        size += len(feature)
        # Each piece a sync generator yields costs a thread hop: send ~64 kB at a time, not one per feature.
        if size >= STREAM_CHUNK:
            yield "".join(chunk)
            chunk, size = [], 0
    tail = {"numberMatched": matched, "numberReturned": returned, "timeStamp": timestamp(), "links": links}
    chunk.append("]," + json.dumps(tail, ensure_ascii=False)[1:])
    yield "".join(chunk)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features, filtered and paged",
    **answers_geojson(HTML),
)
def items(
    collection_id: str, request: Request, conn: Conn = READ_STREAM, user: User | None = Depends(current_user)
) -> Response:
    found = get_collection(collection_id)
    _require(found, user)
    _check_parameters(request, ("f", *ITEM_PARAMETERS, *(f.name for f in found.filters)))
    html = _html_wanted(request)
    query = parse_items_query(conn, found, request.query_params, scope=_scope(request, found, user))
    content_crs = {"Content-Crs": f"<{query.crs}>"}
    matched = count_items(conn, found, query)
    links = _self_links(request, html, GEOJSON)
    links.append(_link(f"{_base(request)}/collections/{found.id}", "collection", JSON, found.title))
    following, preceding = next_offset(query, matched), previous_offset(query)
    if following is not None:
        links.append(_page_link(request, following, query.limit, "next", html))
    if preceding is not None:
        links.append(_page_link(request, preceding, query.limit, "prev", html))
    if html:
        features = [json.loads(f) for f in iter_items(conn, found, query)]
        document = {
            "title": found.title,
            "numberMatched": matched,
            "numberReturned": len(features),
            "features": features,
            "links": links,
        }
        return _answer(request, document, True, "items", headers=content_crs)
    return StreamingResponse(
        _stream(conn, found, query, matched, links), media_type=GEOJSON, headers=content_crs
    )


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    **answers_geojson(HTML),
)
def item(
    collection_id: str,
    feature_id: str,
    request: Request,
    conn: Conn = READ,
    user: User | None = Depends(current_user),
) -> Response:
    found = get_collection(collection_id)
    _require(found, user)
    _check_parameters(request, ("f", "crs"))
    html = _html_wanted(request)
    crs = parse_crs("crs", request.query_params.get("crs"))
    document = json.loads(get_item(conn, found, feature_id, scope=_scope(request, found, user), crs=crs))
    document["links"] = _self_links(request, html, GEOJSON) + [
        _link(f"{_base(request)}/collections/{found.id}", "collection", JSON, found.title)
    ]
    return _answer(request, document, html, "item", GEOJSON, headers={"Content-Crs": f"<{crs}>"})


def openapi_document(base: str, collections: list[Collection]) -> dict:
    """A small OpenAPI 3.0 definition of the OGC endpoints: GDAL and QGIS read limits and filters from it."""

    def parameter(name: str, description: str, schema: dict, explode: bool = True) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
            "style": "form",
            "explode": explode,
        }

    common = [
        parameter("f", "json or html", {"type": "string", "enum": ["json", "html"]}),
    ]
    paging = [
        parameter(
            "bbox",
            "minlon,minlat,maxlon,maxlat (CRS84)",
            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            explode=False,
        ),
        parameter(
            "datetime", "an RFC 3339 instant or interval (start/end, '..' for open)", {"type": "string"}
        ),
        parameter(
            "limit",
            "features per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        parameter("offset", "features to skip", {"type": "integer", "minimum": 0, "default": 0}),
        parameter("filter", "a CQL2 text filter over the collection's queryables", {"type": "string"}),
        parameter("filter-lang", "cql2-text", {"type": "string", "enum": ["cql2-text"]}),
        parameter("sortby", "queryables, comma-separated, '-' for descending", {"type": "string"}),
        parameter("properties", "the properties to return, comma-separated", {"type": "string"}),
        parameter("crs", "the CRS of the answer", {"type": "string", "enum": list(CRS_SRIDS)}),
        parameter("bbox-crs", "the CRS of bbox", {"type": "string", "enum": list(CRS_SRIDS)}),
    ]
    ok = {
        "200": {"description": "OK"},
        "400": {"description": "bad parameter"},
        "404": {"description": "not found"},
    }
    paths: dict = {
        "/": {
            "get": {
                "summary": "landing page",
                "operationId": "getLandingPage",
                "parameters": common,
                "responses": ok,
            }
        },
        "/conformance": {
            "get": {
                "summary": "conformance classes",
                "operationId": "getConformance",
                "parameters": common,
                "responses": ok,
            }
        },
        "/collections": {
            "get": {
                "summary": "feature collections",
                "operationId": "getCollections",
                "parameters": common,
                "responses": ok,
            }
        },
    }
    for c in collections:
        filters = [
            parameter(f.name, f.description, {"type": "string", "example": f.example}) for f in c.filters
        ]
        paths[f"/collections/{c.id}"] = {
            "get": {
                "summary": c.title,
                "operationId": f"describe_{c.id}",
                "parameters": common,
                "responses": ok,
            }
        }
        paths[f"/collections/{c.id}/items"] = {
            "get": {
                "summary": f"{c.title}: features",
                "operationId": f"get_{c.id}_features",
                "parameters": common + paging + filters,
                "responses": ok,
            }
        }
        paths[f"/collections/{c.id}/items/{{featureId}}"] = {
            "get": {
                "summary": f"{c.title}: one feature",
                "operationId": f"get_{c.id}_feature",
                "parameters": common
                + [{"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": ok,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Safemap – OGC API Features",
            "version": "1.0.0",
            "description": "Unsafe urban spaces of District 22, Tehran",
        },
        "servers": [{"url": base}],
        "paths": paths,
    }
