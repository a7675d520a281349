"""The tablet page (/field) for facilitators, and its service worker, which keeps it working offline."""

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import current_user
from api.deps import DB
from api.pages.basemaps import basemap_config
from api.pages.nav import top_bar
from api.pages.render import language, render
from api.pages.strings import WORDS, words
from gis.access import may
from gis.db import Conn
from gis.errors import pick
from gis.intake.field import field_categories, field_neighbourhoods, field_spots
from gis.intake.photos import MAX_BYTES
from gis.places.landmarks import landmarks_geojson
from gis.users import User
from gis.vocabulary import AUDIT_CRITERIA, AUDIT_KEYS, TIMES_OF_DAY

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).parent.parent / "static"
TEMPLATES = Path(__file__).parent.parent / "templates"
# What the service worker stores on install, so the page opens with no connection at all.
PRECACHE = (
    "/static/field/field.js",
    "/static/field/field.css",
    "/static/nav/topbar.js",
    "/static/nav/topbar.css",
    "/static/vendor/leaflet/leaflet.js",
    "/static/vendor/leaflet/leaflet.css",
    "/static/vendor/geoman/leaflet-geoman.js",
    "/static/vendor/geoman/leaflet-geoman.css",
    "/static/map/shapes.js",
    "/static/vendor/vazirmatn/vazirmatn.css",
    "/static/vendor/vazirmatn/Vazirmatn-wght.woff2",
)


@lru_cache
def _version() -> str:
    """Changes whenever the page's own files change, so tablets drop their old cache."""
    digest = hashlib.sha256()
    for path in (
        STATIC / "field" / "field.js",
        STATIC / "field" / "field.css",
        STATIC / "field" / "sw.js",
        STATIC / "map" / "shapes.js",
        STATIC / "nav" / "topbar.js",
        STATIC / "nav" / "topbar.css",
        TEMPLATES / "field.html",
        TEMPLATES / "_topbar.html",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _my_spots(conn: Conn, user: User, lang: str) -> list[dict]:
    """The open spots in the facilitator's neighbourhoods (all for a role not bound to any), earliest stage
    first: what their next visit or focus group may look at, and what the map shows nearby (with the page,
    so offline too) for «همین مکان است»."""
    found = json.loads(field_spots(conn, user))
    en = lang == "en"
    spots = [
        {
            "id": f["properties"]["id"],
            "title": f["properties"]["title"] or f["properties"]["category_en" if en else "category_fa"],
            "stage": f["properties"]["stage"],
            "stage_label": f["properties"]["stage_en" if en else "stage_fa"],
            "area": (f["properties"]["area_en"] if en else None) or f["properties"]["area_fa"] or "",
            "lon": f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Point" else None,
            "lat": f["geometry"]["coordinates"][1] if f["geometry"]["type"] == "Point" else None,
            # A dark street segment or a vacant lot is drawn as its line or outline.
            "geometry": f["geometry"] if f["geometry"]["type"] != "Point" else None,
        }
        for f in found["features"]
    ]
    return sorted(spots, key=lambda spot: (spot["stage"], spot["area"], spot["id"]))


@router.get("/field", response_class=HTMLResponse)
def field_page(request: Request, user: User | None = Depends(current_user), conn: Conn = DB) -> Response:
    lang = language(request)
    if user is None:
        here = "/field?lang=en" if lang == "en" else "/field"
        return RedirectResponse(
            f"/login?{'lang=en&' if lang == 'en' else ''}next={quote(here, safe='')}", status_code=303
        )
    if not may(user.role, "report.submit"):
        return render(
            request,
            "field.html",
            {"user": user, "bar": top_bar(request, user), "forbidden": True},
            status_code=403,
        )
    config = {
        "lang": lang,
        "user": {"username": user.username, "full_name": user.full_name, "role": user.role},
        "neighbourhoods": json.loads(field_neighbourhoods(conn, user)),
        "audit": [[key, pick(AUDIT_CRITERIA[key], lang)] for key in AUDIT_KEYS],
        "max_photo_px": 1600,
        "max_photo_bytes": MAX_BYTES,
        # The tablet's map draws the first raster base map of these (Safemap's own, else SAFEMAP_BASEMAP_URL).
        "basemaps": basemap_config(conn, request, lang),
        # Named places (lake, metro stations, landmarks): the position is told by the nearest, offline too.
        "landmarks": json.loads(landmarks_geojson(conn)),
        # The page's words, and those it shares with other pages.
        "messages": {
            **words("field", lang),
            "description": pick(WORDS["workflow.description"], lang),
            "neighbourhood": pick(WORDS["map.neighbourhood"], lang),
            "facilitator": pick(WORDS["programme.facilitator"], lang),
        },
        "version": _version(),
    }
    my_spots = _my_spots(conn, user, lang)
    config["spots"] = [spot for spot in my_spots if spot["lat"] is not None or spot["geometry"]]
    context = {
        "user": user,
        "bar": top_bar(request, user),
        "forbidden": False,
        "config": config,
        "version": _version(),
        "categories": [
            {"code": c["code"], "icon": c["icon"], "label": c["label_en"] if lang == "en" else c["label_fa"]}
            for c in field_categories(conn)
        ],
        "audit": [(key, pick(AUDIT_CRITERIA[key], lang)) for key in AUDIT_KEYS],
        "times_of_day": [(key, pick(pair, lang)) for key, pair in TIMES_OF_DAY.items()],
        "my_spots": my_spots,
        # The words of each audit score, 0 (very bad) to 3 (good), then "not assessed" (stored as null).
        "scores": [(str(n), words("field", lang)[f"score_{n}"]) for n in range(4)]
        + [("", words("field", lang)["not_assessed"])],
    }
    response = render(request, "field.html", context)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@router.get("/field/sw.js")
def service_worker() -> Response:
    """The service worker, served from /field/ and allowed the scope /field (the page itself)."""
    source = (STATIC / "field" / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", _version()).replace("__PRECACHE__", json.dumps(list(PRECACHE)))
    return Response(
        source,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/field", "Cache-Control": "no-cache"},
    )
