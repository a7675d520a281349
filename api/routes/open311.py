"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML (the format is the path's suffix).

The one exception to our error shape: GeoReport clients expect errors as [{"code": 400, "description": "..."}]
(or <errors><error>... in XML), so every error under /open311 is answered that way.

Reading requests is reading the map: anonymous callers see the public's requests (refused when the public map
is off), a signed-in caller (bearer token or session) what their role's scope holds.
"""

import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import current_user, spot_scope
from api.deps import DB
from api.errors import STATUS, error_headers
from gis.access import SpotScope
from gis.db import Conn
from gis.errors import InvalidInput, NotFound, SafemapError
from gis.intake import open311
from gis.users import User

FORMATS = {"json": "application/json", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    """An error already in GeoReport terms; raised past the connection dependency so it rolls back."""

    def __init__(
        self, status: int, description: str, fmt: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.fmt = fmt
        self.headers = headers


def _path_format(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


class Open311Route(APIRoute):
    """Turns every error of an Open311 route into an Open311Error (rendered by `error_response`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            fmt = _path_format(request)
            try:
                return await handler(request)
            except SafemapError as exc:
                status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
                raise Open311Error(status, exc.message, fmt, error_headers(exc)) from exc
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
                field = ".".join(str(p) for p in first["loc"] if p not in ("query", "path", "body"))
                raise Open311Error(400, f"{field}: {first['msg']}", fmt) from exc
            except StarletteHTTPException as exc:
                raise Open311Error(exc.status_code, str(exc.detail), fmt) from exc

        return route


router = APIRouter(tags=["open311"], route_class=Open311Route)


def _element(parent: ElementTree.Element, name: str, value: object) -> None:
    node = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, child in value.items():
            _element(node, key, child)
    elif isinstance(value, list):
        for child in value:
            _element(node, name[:-1] if name.endswith("s") else "item", child)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _xml(root: str, content: list[dict] | dict, item: str = "") -> bytes:
    """A list becomes <root><item>…</item>…</root>; a dict becomes <root> with its keys as children."""
    top = ElementTree.Element(root)
    for entry in content if isinstance(content, list) else [content]:
        node = ElementTree.SubElement(top, item) if item else top
        for key, value in entry.items():
            _element(node, key, value)
    return ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput("format", "use_json_xml", fmt=fmt)


def _render(
    fmt: str, content: list[dict] | dict, *, root: str, item: str = "", status: int = 200
) -> Response:
    _check_format(fmt)
    if fmt == "xml":
        return Response(_xml(root, content, item), status_code=status, media_type=FORMATS["xml"])
    return Response(json.dumps(content, ensure_ascii=False), status_code=status, media_type=FORMATS["json"])


async def error_response(request: Request, exc: Open311Error) -> Response:
    """GeoReport's error list, in the format the path asked for."""
    errors = [{"code": exc.status, "description": exc.description}]
    if exc.fmt == "xml":
        return Response(
            _xml("errors", errors, "error"),
            status_code=exc.status,
            media_type=FORMATS["xml"],
            headers=exc.headers,
        )
    return Response(
        json.dumps(errors, ensure_ascii=False),
        status_code=exc.status,
        media_type=FORMATS["json"],
        headers=exc.headers,
    )


async def _posted(request: Request) -> dict[str, str]:
    """A POST's parameters: the query string, then a form (as the spec sends it) or a JSON object."""
    params = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise InvalidInput("body", "valid_json") from exc
        except RecursionError as exc:  # nested past Python's recursion limit: refused, not a crash
            raise InvalidInput("body", "json_too_deep", depth=sys.getrecursionlimit()) from exc
        if not isinstance(body, dict):
            raise InvalidInput("body", "json_object_parameters")
        params.update({k: "" if v is None else str(v) for k, v in body.items()})
    else:
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


@router.get("/open311/discovery.{fmt}", summary="GeoReport service discovery")
@router.get("/open311/v2/discovery.{fmt}", summary="GeoReport service discovery")
def discovery(request: Request, fmt: str) -> Response:
    return _render(fmt, open311.discovery(str(request.base_url)), root="discovery")


@router.get("/open311/v2/services.{fmt}", summary="Our categories as GeoReport services")
def list_services(fmt: str, conn: Conn = DB) -> Response:
    return _render(fmt, open311.services(conn), root="services", item="service")


@router.get(
    "/open311/v2/services/{service_code}.{fmt}", summary="A service's definition (no extra attributes)"
)
def service_definition(service_code: str, fmt: str, conn: Conn = DB) -> Response:
    return _render(fmt, open311.service_definition(conn, service_code), root="service_definition")


@router.post(
    "/open311/v2/requests.{fmt}", summary="Post a service request (api_key required)", status_code=201
)
def post_request(
    request: Request, fmt: str, params: dict[str, str] = Depends(_posted), conn: Conn = DB
) -> Response:
    _check_format(fmt)
    settings = request.app.state.settings
    client = open311.check_api_key(settings.open311_api_keys, params.get("api_key"))
    created = open311.post_request(conn, params, client=client, radius_m=settings.aggregation_radius_m)
    return _render(fmt, [created], root="service_requests", item="request", status=201)


@router.get("/open311/v2/requests.{fmt}", summary="Service requests (newest first, at most 1000)")
def get_requests(
    fmt: str,
    service_request_id: str | None = Query(
        None, max_length=4000, description="comma-separated ids; overrides every other filter"
    ),
    service_code: str | None = Query(None, max_length=400),
    status: str | None = Query(None, max_length=20, description="open, closed or open,closed"),
    start_date: str | None = Query(
        None, max_length=40, description="ISO 8601, e.g. 2026-03-21T00:00:00+03:30"
    ),
    end_date: str | None = Query(None, max_length=40),
    conn: Conn = DB,
    user: User | None = Depends(current_user),
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    found = open311.get_requests(
        conn,
        scope=scope,
        role=user.role if user else None,
        request_ids=service_request_id,
        service_code=service_code,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )
    return _render(fmt, found, root="service_requests", item="request")


@router.get("/open311/v2/requests/{service_request_id}.{fmt}", summary="One service request")
def get_request(
    service_request_id: str,
    fmt: str,
    conn: Conn = DB,
    user: User | None = Depends(current_user),
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    found = open311.get_request(conn, service_request_id, scope=scope, role=user.role if user else None)
    return _render(fmt, [found], root="service_requests", item="request")


@router.get(
    "/open311/v2/tokens/{token}.{fmt}",
    summary="The service_request_id and status behind a token, at any stage",
)
def get_token(token: str, fmt: str, conn: Conn = DB) -> Response:
    return _render(fmt, [open311.request_for_token(conn, token)], root="service_requests", item="request")


@router.api_route(
    "/open311/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
def unknown(rest: str) -> Response:
    raise NotFound("open_resource_for_this_method", rest=rest)
