"""The interactive map page (/map). Its document is built with folium (api/pages/map_document.py), which
brings pandas: `safemap serve` imports it while the database starts, before it listens; the app itself
imports it when the map is first asked for, so a process that never draws the map never pays it."""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import current_user
from api.deps import DB
from api.pages.basemaps import basemap_config
from api.pages.nav import top_bar_html
from api.pages.render import language, sign_in_first
from gis.db import Conn
from gis.publish.mapdata import map_areas_geojson, map_reference
from gis.users import User

router = APIRouter(tags=["pages"])


@router.get(
    "/map", response_class=HTMLResponse, summary="The interactive map (Persian; ?lang=en for English)"
)
def map_page(request: Request, conn: Conn = DB, user: User | None = Depends(current_user)) -> Response:
    settings = request.app.state.settings
    if user is None and not settings.public_map:
        return sign_in_first(request)
    lang = language(request)
    from api.pages.map_document import build_map, placing_config

    html = build_map(
        areas_geojson=map_areas_geojson(conn),
        **map_reference(conn),
        lang=lang,
        basemaps=basemap_config(conn, request, lang),
        placing=placing_config(user),
    )
    # The bar goes first in the body; topbar.css gives the map the height below it.
    return HTMLResponse(html.replace("<body>", "<body>" + top_bar_html(request, user), 1))
