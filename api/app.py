"""The FastAPI application factory."""
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.deps import Database
from api.routes import (areas, auth, focus_groups, health, map, ogc, open311, reference, reports, spots, tiles,
                        workflow)
from api.routes import imports, spot_edits
from api.routes import analysis, exports
from api.routes import agencies, dashboard, programme
from api.routes import field
from gis.db import database_url
from gis.settings import get_settings


def create_app(url: str | None = None) -> FastAPI:
    """Build the app on `url`, or on the configured database (the embedded cluster when none is set)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.database.close()

    app = FastAPI(
        title="Safemap",
        description="Map and fix unsafe urban spaces — District 22, Tehran. سامانهٔ فضاهای بی‌دفاع شهری",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = get_settings()
    app.state.database = Database(url or database_url(app.state.settings))
    errors.install(app)
    for module in (health, reference, auth, areas, spots, map, ogc, tiles, workflow, reports, focus_groups,
                   open311, imports, exports, spot_edits, agencies, programme, dashboard, field, analysis):
        app.include_router(module.router)
    app.add_exception_handler(open311.Open311Error, open311.error_response)
    # Leaflet, its plugins and the fonts, copied here by scripts/assets.sh: pages never reach a CDN.
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static", check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/map")

    return app
