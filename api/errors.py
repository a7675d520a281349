"""One table from domain errors to HTTP status codes, one JSON shape for every error, and an error page in the
reader's language for every page request.

Language: pages answer in Persian unless ?lang=en; API clients (/api, /ogc, /open311, /tiles, or any request
that does not accept text/html) get the JSON shape with `message` in English unless they ask for Persian with
?lang=fa or an Accept-Language that prefers fa. `field` and `code` never change with the language."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.pages.render import templates
from api.pages.strings import ERROR_PAGE, PAGE
from gis import errors

log = logging.getLogger("safemap.api")

STATUS = {
    errors.InvalidInput: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooManyAttempts: 429,
    errors.DatabaseUnavailable: 503,
    errors.ClusterError: 503,
}


def error_body(code: str, message: str, field: str | None = None, **extra: object) -> dict:
    """The stable error shape: {"error": {"code", "message", "field", ...}}."""
    return {"error": {"code": code, "message": message, "field": field, **extra}}


API_PREFIXES = ("/api/", "/ogc", "/open311", "/tiles")


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not an API client) gets its errors as an HTML page."""
    path = request.url.path
    if path == "/api" or path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _preferred(accept_language: str) -> str | None:
    """fa or en, whichever the Accept-Language header weighs higher; None if it names neither."""
    best, weight = None, 0.0
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        lang = tag.strip().lower().split("-")[0]
        try:
            value = float(q) if q else 1.0
        except ValueError:
            continue
        if lang in errors.LANGUAGES and value > weight:
            best, weight = lang, value
    return best


def request_language(request: Request) -> str:
    """An error message's language: ?lang=, then Accept-Language; pages default to fa, the API to en."""
    asked = request.query_params.get("lang")
    if asked in errors.LANGUAGES:
        return asked
    page = wants_page(request)
    if page:
        return "fa"
    return _preferred(request.headers.get("accept-language", "")) or "en"


def error_page(request: Request, status: int, message: str = "", headers: dict | None = None) -> HTMLResponse:
    """The small HTML page an error becomes for a browser, in the page's language."""
    lang = request_language(request)
    heading, advice = ERROR_PAGE.get(status, ERROR_PAGE[400 if status < 500 else 500])[lang]
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "lang": lang,
            "dir": "ltr" if lang == "en" else "rtl",
            "heading": heading,
            "advice": advice,
            "message": message,
            "words": PAGE[lang],
        },
        status_code=status,
        headers=headers,
    )


def _status(exc: errors.SafemapError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(exc, kind)), 400)


# Rejected rows listed in an error answer; `rows_total` says how many there were.
MAX_ERROR_ROWS = 100
# Routes QGIS and GDAL read, where a 401 also offers HTTP Basic (pages never get a browser's Basic dialog).
BASIC_PREFIXES = ("/ogc", "/tiles", "/api/exports")
# How long a client should wait before asking again while the database is down or restarting.
DATABASE_RETRY_S = 5


def error_headers(exc: errors.SafemapError) -> dict[str, str] | None:
    """Unauthorized says how to authenticate; 429 and 503 say when to try again."""
    if isinstance(exc, errors.Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, errors.TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, errors.DatabaseUnavailable):
        return {"Retry-After": str(DATABASE_RETRY_S)}
    return None


async def _domain(request: Request, exc: errors.SafemapError) -> Response:
    if exc.detail:
        log.warning("%s %s: %s (%s)", request.method, request.url.path, exc.message, exc.detail)
    extra = {}
    if isinstance(exc, errors.InvalidInput) and exc.rows:
        # A file of 300,000 rejected rows must not become a 137 MB answer: the first ones and the count.
        extra = {"rows": exc.rows[:MAX_ERROR_ROWS], "rows_total": len(exc.rows)}
        if rows_url := getattr(exc, "rejected_url", None):  # the whole list, as a file
            extra["rejected_url"] = rows_url
    headers = error_headers(exc)
    if isinstance(exc, errors.Unauthorized) and request.url.path.startswith(BASIC_PREFIXES):  # for GDAL
        headers["WWW-Authenticate"] += ', Basic realm="Safemap"'
    message = exc.text(request_language(request))
    if wants_page(request):
        return error_page(request, _status(exc), message, headers)
    return JSONResponse(
        error_body(exc.code, message, exc.field, **extra), status_code=_status(exc), headers=headers
    )


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    lang = request_language(request)
    problems = [
        {
            "field": ".".join(
                str(part) for part in e["loc"] if part not in ("body", "query", "path", "header")
            ),
            "reason": errors.schema_reason(e["type"], e.get("ctx") or {}, lang),
        }
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"field": "", "reason": errors.text("schema_invalid", lang)}
    message = f"{errors.field_label(first['field'], lang)}: {first['reason']}"
    if wants_page(request):
        return error_page(request, 400, message)
    return JSONResponse(
        error_body("invalid_input", message, first["field"] or None, problems=problems), status_code=422
    )


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    if wants_page(request):
        return error_page(request, exc.status_code, headers=getattr(exc, "headers", None))
    heading = ERROR_PAGE.get(exc.status_code, {}).get(request_language(request))
    message = heading[0] if heading else str(exc.detail)
    return JSONResponse(
        error_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if wants_page(request):
        return error_page(request, 500)
    return JSONResponse(error_body("internal_error", "unexpected error; it has been logged"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.SafemapError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
