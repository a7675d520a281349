"""A spot's page: its details and full history; staff see its workflow panel."""

import json
from datetime import datetime

import jdatetime
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.auth import current_user, spot_scope
from api.deps import DB, RecordId
from api.pages.basemaps import basemap_config
from api.pages.nav import top_bar
from api.pages.render import language, render
from gis import access
from gis.access import SpotScope
from gis.db import Conn
from gis.lang import persian_digits
from gis.programme.placing import spot_addresses
from gis.publish.mapdata import map_reference
from gis.spots import spot_feature
from gis.users import User
from gis.vocabulary import AUDIT_CRITERIA, EVENT_KINDS, LOCATION_PRECISIONS, TIMES_OF_DAY

router = APIRouter(tags=["pages"])


def _when(iso: str, lang: str) -> str:
    moment = datetime.fromisoformat(iso)
    if lang == "en":
        return moment.strftime("%Y-%m-%d")
    return persian_digits(jdatetime.date.fromgregorian(date=moment.date()).strftime("%Y/%m/%d"))


@router.get("/spots/{spot_id}", response_class=HTMLResponse, summary="A spot's page with its history")
def spot_page(
    request: Request,
    spot_id: RecordId,
    conn: Conn = DB,
    scope: SpotScope = Depends(spot_scope),
    user: User | None = Depends(current_user),
) -> HTMLResponse:
    lang = language(request)
    spot = json.loads(spot_feature(conn, spot_id, scope=scope))
    reference = map_reference(conn)
    label = "label_en" if lang == "en" else "label_fa"
    index = 1 if lang == "en" else 0
    props = spot["properties"]
    sources = {row["code"]: row[label] for row in reference["sources"]}
    colour = next(s["colour"] for s in reference["stages"] if s["number"] == props["stage"])
    events = [
        {
            **event,
            "kind_label": EVENT_KINDS.get(event["kind"], (event["kind"],) * 2)[index],
            "when": _when(event["at"], lang),
        }
        for event in props["events"]
    ]
    lon, lat = _first_position(spot["geometry"]["coordinates"])
    return render(
        request,
        "spot.html",
        {
            "spot": props,
            "bar": top_bar(request, user),
            "spot_staff": scope.staff,
            "colour": colour,
            "events": events,
            "lat": lat,
            "lon": lon,
            "geometry_type": spot["geometry"]["type"],
            "sources": [sources.get(code, code) for code in props["sources"]],
            "created": _when(props["created_at"], lang),
            "updated": _when(props["updated_at"], lang),
            "stages": {row["number"]: row[label] for row in reference["stages"]},
            "audit_criteria": [
                [key, fa, en] for key, (fa, en) in AUDIT_CRITERIA.items()
            ],  # a list keeps the order
            "times_of_day": [[key, fa, en] for key, (fa, en) in TIMES_OF_DAY.items()],
            "placing": _placing(request, conn, spot, scope=scope, user=user, index=index),
        },
    )


def _placing(
    request: Request, conn: Conn, spot: dict, *, scope: SpotScope, user: User | None, index: int
) -> dict | None:
    """The map of where the spot is, for staff (who see its true place and its addresses); the GIS office
    may move it there."""
    if not scope.exact:
        return None
    props = spot["properties"]
    return {
        "geometry": spot["geometry"],
        "precision": LOCATION_PRECISIONS[props["location_precision"]][index],
        "addresses": spot_addresses(conn, props["id"]),
        "editable": user is not None and access.may(user.role, "spot.edit"),
        "basemaps": basemap_config(conn, request, "en" if index else "fa"),
    }


def _first_position(coords: list) -> tuple[float, float]:
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords[0], coords[1]
