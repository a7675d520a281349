"""Liveness with a real database check."""

from fastapi import APIRouter

from api.deps import DB
from gis.db import Conn, versions

router = APIRouter(tags=["health"])


@router.get("/health", summary="Is the service and its database up?")
def health(conn: Conn = DB) -> dict:
    """200 with versions when PostGIS answers; 503 in the error shape when it does not."""
    postgis, revision = versions(conn)
    return {"status": "ok", "database": "ok", "postgis": postgis, "schema_revision": revision}
