"""The FastAPI application factory."""
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from api import errors
from api.deps import Database
from api.routes import areas, auth, health, ogc, reference, spots, tiles
from api.routes import imports, spot_edits
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
    for module in (health, reference, auth, areas, spots, ogc, tiles, imports, spot_edits):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
