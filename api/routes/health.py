"""Liveness with a real database check."""

from fastapi import APIRouter

from api.deps import DB
from gis.db import Conn

router = APIRouter(tags=["health"])


@router.get("/health", summary="Is the service and its database up?")
def health(conn: Conn = DB) -> dict:
    """200 with versions when PostGIS answers; 503 in the error shape when it does not."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT postgis_lib_version(), (SELECT string_agg(version_num, ',') FROM alembic_version)"
        )
        postgis, revision = cur.fetchone()
    return {"status": "ok", "database": "ok", "postgis": postgis, "schema_revision": revision}
