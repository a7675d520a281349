"""The base maps, layers and search box every map page offers, as one config its script reads
(api/static/map/basemaps.js: `safemapBasemaps(map, config, control)`): the map page, the spot page and the
tablet call the same function with the same config."""

from fastapi import Request

from api.pages.strings import WORDS, words
from gis.db import Conn
from gis.errors import pick
from gis.places.landmarks import ATTRIBUTION as LANDMARKS_ATTRIBUTION
from gis.places.streets import has_streets
from gis.publish.basemaps import list_basemaps

SCRIPT = "/static/map/basemaps.js"
VECTOR_SCRIPT = "/static/vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js"


def basemap_config(conn: Conn, request: Request, lang: str) -> dict:
    """Each base map as the layer control offers it (the local ones, then SAFEMAP_BASEMAP_URL), whether a
    street layer is loaded, and the search box's words. A page offering a vector base map loads `vectorScript`
    before SCRIPT."""
    settings = request.app.state.settings
    layers = [
        {
            "name": row["name"],
            "label": row["name"],
            # The id changes when a base map is added again under the same name: browsers fetch its new tiles.
            "url": f"/basemaps/{row['name']}/{{z}}/{{x}}/{{y}}.{row['tile_format']}?v={row['id']}",
            "attribution": row["attribution"],
            "minZoom": row["min_zoom"],
            "maxZoom": row["max_zoom"],
            "vector": row["tile_format"] == "pbf",  # drawn by Leaflet.VectorGrid (VECTOR_SCRIPT)
        }
        for row in list_basemaps(conn)
    ]
    text = words("basemap", lang) | {"kind_neighbourhood": pick(WORDS["map.neighbourhood"], lang)}
    if settings.basemap_url:
        layers.append(
            {
                "name": "online",
                "label": text["online"],
                "url": settings.basemap_url,
                "attribution": settings.basemap_attribution,
                "minZoom": 0,
                "maxZoom": 19,
                "vector": False,
            }
        )
    return {
        "lang": lang,
        "basemaps": layers,
        "vectorScript": VECTOR_SCRIPT if any(layer["vector"] for layer in layers) else None,
        "streets": has_streets(conn),
        "streetsApi": "/api/streets",
        "landmarksApi": "/api/landmarks",
        "landmarksAttribution": LANDMARKS_ATTRIBUTION,
        "searchApi": "/api/search",
        "text": text,
    }
