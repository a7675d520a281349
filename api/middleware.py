"""Small ASGI layers around every request: security headers on every answer, request bodies bounded per route,
and links built from the configured public URL rather than from whatever Host header a client sends."""

import json
from urllib.parse import urlsplit

from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis import errors

# Routes that take files (an import, a photo, a focus group's drawings): their limit is the upload setting.
UPLOAD_PREFIXES = ("/api/imports", "/api/focus-groups")
UPLOAD_SUFFIXES = ("/photos",)
# Every other body is a small form or JSON document (a report with its polygon is a few kilobytes).
JSON_LIMIT = 2 * 1024 * 1024


def content_security_policy(basemap_url: str | None) -> str:
    """Only the tool's own assets; inline scripts and styles stay allowed because folium's map pages and the
    Jinja pages are built with them. A configured base map adds its tile host to images."""
    images = "'self' data: blob:"
    if basemap_url:
        parts = urlsplit(basemap_url.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in basemap_url else parts.netloc
        images += f" {parts.scheme}://{host}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """CSP, no framing, no MIME sniffing and a same-origin referrer on every answer, errors included."""

    def __init__(self, app: ASGIApp, *, basemap_url: str | None = None) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(basemap_url).encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """A request body past its route's limit, raised while the route reads it (FastAPI lets it through)."""

    def __init__(self) -> None:
        super().__init__(413)


def _language(scope: Scope) -> str:
    """fa when the client asks for it (?lang=fa, or Accept-Language preferring fa), else en: an API answer."""
    query = scope.get("query_string", b"").decode("latin-1")
    if "lang=fa" in query:
        return "fa"
    if "lang=en" in query:
        return "en"
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            return "fa" if value.decode("latin-1").strip().lower().startswith("fa") else "en"
    return "en"


class BodyLimit:
    """413 in the JSON error shape for a body past its route's limit: a declared Content-Length is refused
    before anything is read, and a streamed body is counted as it arrives, so no route parses one too big."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, json_bytes: int = JSON_LIMIT) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.json_bytes = json_bytes

    def limit(self, path: str) -> int:
        """The route's limit: generous for file uploads, small for everything else."""
        upload = path.startswith(UPLOAD_PREFIXES) or path.endswith(UPLOAD_SUFFIXES)
        return self.upload_bytes if upload else self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(get_route_path(scope))  # without the public URL's path prefix
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        seen = 0
        exceeded = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            # Whatever the route answered once its body was cut off is replaced by the one 413 below.
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            pass
        if exceeded:
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        lang = _language(scope)
        mb = max(1, limit // 1024 // 1024)
        body = json.dumps(
            {
                "error": {
                    "code": "payload_too_large",
                    "message": errors.text("request_body_too_large", lang, mb=mb),
                    "field": "body",
                    "limit_bytes": limit,
                }
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class PublicURL:
    """With a public URL set, requests look as if they came through it: base_url, request.url and every link
    built from them (OGC, Open311 discovery) use the configured host, scheme and path, not Host."""

    def __init__(self, app: ASGIApp, *, public_url: str) -> None:
        self.app = app
        parts = urlsplit(public_url.rstrip("/"))
        self.scheme = parts.scheme
        self.host = parts.netloc.encode()
        self.prefix = parts.path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            scope["scheme"] = self.scheme if scope["type"] == "http" else scope["scheme"]
            scope["headers"] = [(n, v) for n, v in scope["headers"] if n != b"host"] + [(b"host", self.host)]
            scope["server"] = None
            if self.prefix:
                scope["root_path"] = self.prefix
                if not scope["path"].startswith(self.prefix + "/") and scope["path"] != self.prefix:
                    scope["path"] = self.prefix + scope["path"]
        await self.app(scope, receive, send)


def is_signed_in(scope: Scope, session_cookie: str) -> bool:
    """Whether a request carries credentials (a bearer token, HTTP Basic or a session cookie)."""
    session = f"{session_cookie}=".encode()
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and session in value):
            return True
    return False


class CachePolicy:
    """What caches may keep, decided here for every route: an answer made for a signed-in caller (a bearer
    token, HTTP Basic or a session cookie) is `private, no-store`, so neither QGIS's disk cache nor a proxy
    hands it to the next person at that computer; an anonymous answer varies by those headers, so a shared
    cache never serves one in place of the other. The tool's own files and base-map tiles, the same for
    everyone, keep their caching."""

    SHARED = ("/static/", "/basemaps/", "/favicon.ico")

    def __init__(self, app: ASGIApp, *, session_cookie: str) -> None:
        self.app = app
        self.session_cookie = session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or get_route_path(scope).startswith(self.SHARED):
            await self.app(scope, receive, send)
            return
        signed_in = is_signed_in(scope, self.session_cookie)

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                vary = [v.strip() for n, v in headers if n.lower() == b"vary" for v in v.split(b",")]
                vary += [b"Authorization", b"Cookie"]
                headers = [(n, v) for n, v in headers if n.lower() != b"vary"]
                headers.append((b"vary", b", ".join(dict.fromkeys(v for v in vary if v))))
                if signed_in:
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"private, no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_policy)
