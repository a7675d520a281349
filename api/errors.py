"""One table from domain errors to HTTP status codes, and one JSON shape for every error."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gis import errors

log = logging.getLogger("safemap.api")

STATUS = {
    errors.InvalidInput: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.DatabaseUnavailable: 503,
    errors.ClusterError: 503,
}


def error_body(code: str, message: str, field: str | None = None, **extra: object) -> dict:
    """The stable error shape: {"error": {"code", "message", "field", ...}}."""
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _status(exc: errors.SafemapError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(exc, kind)), 400)


async def _domain(request: Request, exc: errors.SafemapError) -> JSONResponse:
    if exc.detail:
        log.warning("%s %s: %s (%s)", request.method, request.url.path, exc.message, exc.detail)
    extra = {"rows": exc.rows} if isinstance(exc, errors.InvalidInput) and exc.rows else {}
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.Unauthorized) else None
    return JSONResponse(
        error_body(exc.code, exc.message, exc.field, **extra), status_code=_status(exc), headers=headers
    )


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        {
            "field": ".".join(
                str(part) for part in e["loc"] if part not in ("body", "query", "path", "header")
            ),
            "reason": e["msg"],
        }
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"field": None, "reason": "invalid request"}
    return JSONResponse(
        error_body(
            "invalid_input", f"{first['field']}: {first['reason']}", first["field"], problems=problems
        ),
        status_code=422,
    )


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal_error", "unexpected error; it has been logged"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.SafemapError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
