"""The interactive map (/map), the viewport data it loads (/api/map/*) and each spot's page (/spots/{id})."""
import json
from datetime import datetime

import jdatetime
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import current_user, spot_scope
from api.deps import get_conn
from api.pages import language, render, sign_in_first
from api.routes.spots import spot_filter
from gis.publish.mapdata import MAX_SPOTS, heat_points, map_areas_geojson, map_reference, map_spots
from gis.mapview import EVENT_KINDS, build_map
from gis.intake.reports import AUDIT_CRITERIA
from gis.spots import SpotFilter, SpotScope, spot_feature
from gis.lang import persian_digits
from gis.users import User

router = APIRouter(tags=["map"])
ZOOM = Query(12, ge=0, le=22, description="the map's zoom level: sets the cluster and heat grid size")


@router.get("/map", response_class=HTMLResponse, summary="The interactive map (Persian; ?lang=en for English)")
def map_page(request: Request, conn=Depends(get_conn), user: User | None = Depends(current_user)) -> Response:
    settings = request.app.state.settings
    if user is None and not settings.public_map:
        return sign_in_first(request)
    html = build_map(areas_geojson=map_areas_geojson(conn), **map_reference(conn), lang=language(request),
                     basemap_url=settings.basemap_url, basemap_attribution=settings.basemap_attribution)
    return HTMLResponse(html)


@router.get("/api/map/spots", summary="Spots in a viewport for the map: light points, or grid clusters past a cap")
def map_spots_route(
    filters: SpotFilter = Depends(spot_filter), zoom: int = ZOOM,
    limit: int = Query(MAX_SPOTS, ge=1, le=MAX_SPOTS, description="past this many spots, clusters are sent"),
    conn=Depends(get_conn),
) -> Response:
    return Response(map_spots(conn, filters, zoom=zoom, max_spots=limit), media_type="application/geo+json")


@router.get("/api/map/heat", summary="Reports in a viewport as heatmap points [lat, lon, weight]")
def map_heat_route(filters: SpotFilter = Depends(spot_filter), zoom: int = ZOOM, conn=Depends(get_conn)) -> Response:
    return Response(heat_points(conn, filters, zoom=zoom), media_type="application/json")


def _when(iso: str, lang: str) -> str:
    moment = datetime.fromisoformat(iso)
    if lang == "en":
        return moment.strftime("%Y-%m-%d")
    return persian_digits(jdatetime.date.fromgregorian(date=moment.date()).strftime("%Y/%m/%d"))


@router.get("/spots/{spot_id}", response_class=HTMLResponse, summary="A spot's page with its history")
def spot_page(request: Request, spot_id: int = Path(..., ge=1, le=2_147_483_647),
              conn=Depends(get_conn), scope: SpotScope = Depends(spot_scope)) -> HTMLResponse:
    lang = language(request)
    spot = json.loads(spot_feature(conn, spot_id, scope=scope))
    reference = map_reference(conn)
    label = "label_en" if lang == "en" else "label_fa"
    index = 1 if lang == "en" else 0
    props = spot["properties"]
    sources = {row["code"]: row[label] for row in reference["sources"]}
    colour = next(s["colour"] for s in reference["stages"] if s["number"] == props["stage"])
    events = [{**event, "kind_label": EVENT_KINDS.get(event["kind"], (event["kind"],) * 2)[index],
               "when": _when(event["at"], lang)} for event in props["events"]]
    lon, lat = _first_position(spot["geometry"]["coordinates"])
    return render(request, "spot.html", {
        "spot": props, "colour": colour, "events": events, "lat": lat, "lon": lon,
        "geometry_type": spot["geometry"]["type"],
        "sources": [sources.get(code, code) for code in props["sources"]],
        "created": _when(props["created_at"], lang), "updated": _when(props["updated_at"], lang),
        "stages": {row["number"]: row[label] for row in reference["stages"]},
        "audit_criteria": [[key, fa, en] for key, (fa, en) in AUDIT_CRITERIA.items()],  # a list keeps the order
    })


def _first_position(coords: list) -> tuple[float, float]:
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords[0], coords[1]
