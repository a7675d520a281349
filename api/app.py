"""The FastAPI application factory."""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api import errors
from api.auth import SESSION_COOKIE
from api.deps import Database
from api.middleware import BodyLimit, CachePolicy, PublicURL, SecurityHeaders
from api.pages import dashboard as dashboard_page
from api.pages import field, inbox_page, login, programme_page, report, routing_page, spot, survey_page, work
from api.pages import imports as imports_page
from api.pages import map as map_page
from api.pages.render import SignInFirst, sign_in_first
from api.routes import (
    agencies,
    analysis,
    areas,
    auth,
    basemaps,
    dashboard,
    exports,
    focus_groups,
    health,
    import_mapping,
    imports,
    inbox,
    map,
    ogc,
    open311,
    programme,
    reference,
    reporter_calls,
    reports,
    routing,
    spot_edits,
    spots,
    tiles,
    workflow,
)
from gis.db import database_url
from gis.intake.files.jobs import ImportWorker
from gis.settings import get_settings

# A map pin in the programme's red: browsers ask every page for it.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#d62728" d="M16 1a11 11 0 0 0-11'
    ' 11c0 8 11 19 11 19s11-11 11-19A11 11 0 0 0 16 1z"/><circle cx="16" cy="12" r="4.5" fill="#fff"/></svg>'
)


def create_app(url: str | None = None, read_url: str | None = None) -> FastAPI:
    """Build the app on `url`, or on the configured database (the embedded cluster when none is set); reads
    of tiles, features, map data and exports go to `read_url` (DATABASE_READ_URL) when there is one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Large imports run in this thread, one job at a time, on a connection of its own (see README).
        app.state.import_worker = ImportWorker(app.state.database.url)
        app.state.import_worker.start()
        yield
        app.state.import_worker.stop()
        app.state.database.close()
        if app.state.read_database is not None:
            app.state.read_database.close()

    app = FastAPI(
        title="Safemap",
        description="Map and fix unsafe urban spaces — District 22, Tehran. سامانهٔ فضاهای بی‌دفاع شهری",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = get_settings()
    app.state.database = Database(url or database_url(app.state.settings))
    read_url = read_url or app.state.settings.database_read_url
    app.state.read_database = Database(read_url, read_only=True) if read_url else None
    errors.install(app)
    for module in (
        health,
        reference,
        auth,
        areas,
        spots,
        map,
        ogc,
        tiles,
        basemaps,
        workflow,
        reports,
        focus_groups,
        open311,
        import_mapping,
        imports,
        exports,
        spot_edits,
        agencies,
        programme,
        routing,
        inbox,
        reporter_calls,
        dashboard,
        analysis,
        map_page,
        spot,
        dashboard_page,
        report,
        routing_page,
        inbox_page,
        programme_page,
        survey_page,
        field,
        login,
        work,
        imports_page,
    ):
        app.include_router(module.router)
    app.add_exception_handler(open311.Open311Error, open311.error_response)
    app.add_exception_handler(SignInFirst, sign_in_first)
    settings = app.state.settings
    # Innermost: the public's cached tiles still get every header the layers around it add.
    app.add_middleware(tiles.PublicTiles, session_cookie=SESSION_COOKIE)
    app.add_middleware(BodyLimit, upload_bytes=settings.upload_max_mb * 1024 * 1024)
    app.add_middleware(SecurityHeaders, basemap_url=settings.basemap_url)
    app.add_middleware(CachePolicy, session_cookie=SESSION_COOKIE)
    if settings.public_url:
        app.add_middleware(PublicURL, public_url=settings.public_url)
    # Leaflet, its plugins and the fonts, copied here by scripts/assets.sh: pages never reach a CDN.
    app.mount(
        "/static", StaticFiles(directory=Path(__file__).parent / "static", check_dir=False), name="static"
    )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(
            FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from the tool's own static files: the docs work on an intranet with no CDN."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/favicon.ico",
        )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/map")

    return app
