"""Download exports: GeoJSON and CSV streamed from a server-side cursor; XLSX, GeoPackage and zipped Shapefile
written to a temporary file, streamed, then removed."""

import shutil
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from api.auth import current_user, spot_scope
from api.deps import READ_STREAM
from api.media import GEOJSON
from gis.access import SpotScope
from gis.db import Conn
from gis.errors import Unauthorized
from gis.publish.exports import (
    LAYERS,
    SINGLE_LAYER_FORMATS,
    ExportOptions,
    check_export,
    csv_chunks,
    export_to_temporary,
    geojson_chunks,
    parse_layers,
)
from gis.users import User

router = APIRouter(prefix="/api", tags=["exports"])
MEDIA = {
    "geojson": GEOJSON,
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
}


def _readable_layers(text: str | None, fmt: str, user: User | None) -> list[str]:
    """Reports need a signed-in user; GeoJSON and CSV hold one layer (spots unless asked)."""
    public = tuple(name for name, layer in LAYERS.items() if not layer.private)
    layers = parse_layers(
        text or ("spots" if fmt in SINGLE_LAYER_FORMATS else None), allowed=tuple(LAYERS) if user else public
    )
    private = [name for name in layers if LAYERS[name].private]
    if private and user is None:
        raise Unauthorized("layer_needs_signed_user", private=", ".join(private), field="authorization")
    check_export(fmt, layers)
    return layers


@router.get(
    "/exports/{fmt}",
    summary="Download spots, reports, areas and events as a file",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA.values()}}},
)
def download(
    fmt: Literal["geojson", "csv", "xlsx", "gpkg", "shp"],
    layers: str | None = Query(
        None, max_length=100, description="comma-separated: spots, reports, areas, events (GeoJSON/CSV: one)"
    ),
    persian_headers: bool = Query(False, description="CSV/XLSX: Persian column headers"),
    conn: Conn = READ_STREAM,
    user: User | None = Depends(current_user),
    scope: SpotScope = Depends(spot_scope),
) -> Response:
    chosen = _readable_layers(layers, fmt, user)
    stem = chosen[0] if fmt in SINGLE_LAYER_FORMATS else "safemap"
    filename = f"{stem}.{'zip' if fmt == 'shp' else fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "geojson":
        return StreamingResponse(
            geojson_chunks(conn, chosen[0], scope=scope), media_type=MEDIA[fmt], headers=disposition
        )
    if fmt == "csv":
        return StreamingResponse(
            csv_chunks(conn, chosen[0], persian_headers=persian_headers, scope=scope),
            media_type=MEDIA[fmt],
            headers=disposition,
        )
    path, folder = export_to_temporary(
        conn, fmt, chosen, ExportOptions(persian_headers=persian_headers, scope=scope)
    )
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        headers=disposition,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
