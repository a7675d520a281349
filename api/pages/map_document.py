"""The interactive map page's document, built with folium: areas embedded, spots and heat loaded by viewport
from the API, and the analysis overlays (density choropleth, Gi* hotspots) loaded from /api/analysis when
switched on.

No asset comes from a CDN: folium's and its plugins' default JS/CSS links are replaced by the tool's own
copies under `asset_base` (installed by scripts/assets.sh), so the page works on an intranet or a tablet.
"""

import json
from html import escape
from pathlib import Path
from typing import Any

import folium
from branca.element import Element
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap
from jinja2 import Template
from shapely.geometry import shape

from api.pages.basemaps import SCRIPT as BASEMAPS_SCRIPT
from api.pages.basemaps import VECTOR_SCRIPT
from api.pages.strings import words
from gis import access
from gis.users import User
from gis.vocabulary import EVENT_KINDS, TIMES_OF_DAY

STATIC = Path(__file__).parent.parent / "static" / "map"
AREA_STYLES = {
    "district": {"color": "#333333", "weight": 3, "fill": False},
    "sub_district": {"color": "#6a3d9a", "weight": 2, "dashArray": "6 4", "fill": False},
    "neighbourhood": {"color": "#555555", "weight": 1, "fillColor": "#888888", "fillOpacity": 0.04},
}


class SpotLayer(JSCSSMixin):
    """The viewport loader: spots or server clusters, heat, filters, legend (api/static/map/mapview.js)."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{#
        #}<script>{{ this.js }}</script>{% endmacro %}
        {% macro script(this, kwargs) %}window.safemap = safemapMap({{ this.config|tojson }});{% endmacro %}
    """)

    def __init__(self, config: dict[str, Any], asset_base: str) -> None:
        super().__init__()
        self._name = "SpotLayer"
        self.config = config
        self.js = (STATIC / "mapview.js").read_text(encoding="utf-8")
        self.css = (STATIC / "mapview.css").read_text(encoding="utf-8")
        self.default_js = [("markercluster", f"{asset_base}/markercluster/leaflet.markercluster.js")]
        self.default_css = [
            ("markercluster_css", f"{asset_base}/markercluster/MarkerCluster.css"),
            ("markercluster_default_css", f"{asset_base}/markercluster/MarkerCluster.Default.css"),
            ("fontawesome_css", f"{asset_base}/fontawesome/css/fontawesome.min.css"),
            ("fontawesome_solid_css", f"{asset_base}/fontawesome/css/solid.min.css"),
            ("vazirmatn_css", f"{asset_base}/vazirmatn/vazirmatn.css"),
        ]


class BasemapLayer(JSCSSMixin):
    """Base maps, landmark and street layers in the layer control, and the search box
    (api/static/map/basemaps.js, shared with the spot page and the tablet)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            safemapBasemaps({{ this.map }}, {{ this.config|tojson }}, {{ this.control }});
        {% endmacro %}
    """)

    def __init__(self, config: dict[str, Any], *, map_name: str, control_name: str) -> None:
        super().__init__()
        self._name = "BasemapLayer"
        self.config = config
        self.map = map_name
        self.control = control_name
        vector = any(layer.get("vector") for layer in config["basemaps"])
        self.default_js = [("vectorgrid", VECTOR_SCRIPT)] if vector else []
        self.default_js.append(("safemap_basemaps", BASEMAPS_SCRIPT))
        self.default_css = [("safemap_basemaps_css", BASEMAPS_SCRIPT.removesuffix(".js") + ".css")]


class DrawingLayer(JSCSSMixin):
    """For staff: the spots waiting to be placed, listed beside the map, and (for those who may submit
    reports) Leaflet-Geoman's tools to draw a line or an area and save it as a spot
    (api/static/map/drawing.js)."""

    _template = Template("""
        {% macro header(this, kwargs) %}<script>{{ this.js }}</script>{% endmacro %}
        {% macro script(this, kwargs) %}
            safemapDrawing(window.safemap, {{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, config: dict[str, Any], asset_base: str) -> None:
        super().__init__()
        self._name = "DrawingLayer"
        self.config = config
        self.js = "\n".join(
            (STATIC / name).read_text(encoding="utf-8") for name in ("shapes.js", "drawing.js")
        )
        geoman = f"{asset_base}/geoman/leaflet-geoman"
        self.default_js = [("geoman", f"{geoman}.js")] if config["draw"] else []
        self.default_css = [("geoman_css", f"{geoman}.css")] if config["draw"] else []


def placing_config(user: User | None) -> dict | None:
    """What a signed-in reader gets of the placing tools: the list of spots to place (within their scope),
    drawing when they may submit reports (as the source their role may submit), dragging spots when they
    may edit them."""
    if user is None:
        return None
    sources = access.submit_sources(user.role)
    draw = (sources[0] if sources else "other") if access.may(user.role, "report.submit") else None
    return {"draw": draw, "move": access.may(user.role, "spot.edit")}


def _label_points(areas: dict, en: bool) -> list[dict]:
    """Where each neighbourhood's name is written on the map: a point inside it."""
    points = []
    for feature in areas["features"]:
        if feature["properties"]["level"] != "neighbourhood":
            continue
        point = shape(feature["geometry"]).representative_point()
        points.append({"label": _area_name(feature["properties"], en), "lon": point.x, "lat": point.y})
    return points


def _area_name(properties: dict, en: bool) -> str:
    """An area's name in the page's language (its Persian name where it has no English one)."""
    return (properties["name_en"] if en else None) or properties["name_fa"]


def _legend(rows: list[dict], key: str, label: str, mark: str, groups: dict) -> list[dict]:
    """The legend's entries for stages or categories: each with its colour or icon (`mark`) and the layer
    group that shows and hides its markers."""
    return [{key: r[key], "label": r[label], mark: r[mark], "group": groups[r[key]].get_name()} for r in rows]


def build_map(
    *,
    areas_geojson: str,
    stages: list[dict],
    categories: list[dict],
    sources: list[dict],
    lang: str = "fa",
    basemaps: dict | None = None,
    asset_base: str = "/static/vendor",
    api_base: str = "/api/map",
    analysis_base: str = "/api/analysis",
    spot_page: str = "/spots",
    placing: dict | None = None,
) -> str:
    """The whole map page as HTML; reference rows are dicts as the `stage`, `category` and `source` tables
    hold, `basemaps` the layers and search box of `api.pages.basemaps.basemap_config`."""
    lang = "en" if lang == "en" else "fa"
    en = lang == "en"
    text = words("map", lang)
    label = "label_en" if en else "label_fa"
    areas = json.loads(areas_geojson)
    fmap = folium.Map(
        location=[35.73, 51.12],
        zoom_start=12,
        tiles=None,
        control_scale=True,
        maxZoom=19,
        minZoom=9,
        zoomSnap=0.25,
        prefer_canvas=False,
        zoom_control=True,
    )
    fmap.default_js = [("leaflet", f"{asset_base}/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{asset_base}/leaflet/leaflet.css")]
    for level, name in words("area_level", lang).items():
        # folium's tooltip writes its field as HTML: it gets the area's name escaped, never the name itself.
        features = [
            {**f, "properties": {**f["properties"], "tooltip": escape(_area_name(f["properties"], en))}}
            for f in areas["features"]
            if f["properties"]["level"] == level
        ]
        if not features:
            continue
        style = AREA_STYLES[level]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=name,
            style_function=lambda _feature, style=style: style,
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
            interactive=level == "neighbourhood",
        ).add_to(fmap)

    heat = HeatMap([], name=text["heat"], show=False, radius=20, blur=15, min_opacity=0.3)
    heat.default_js = [("leaflet-heat.js", f"{asset_base}/heat/leaflet-heat.js")]
    heat.add_to(fmap)
    density = folium.FeatureGroup(name=text["density"], show=False).add_to(fmap)
    hotspots = folium.FeatureGroup(name=text["hotspots"], show=False).add_to(fmap)

    # Leaflet's layer control shows a layer's name as HTML: the labels from the database go in escaped.
    stage_groups = {}
    for stage in stages:
        swatch = f'<span class="sm-swatch" style="background:{escape(stage["colour"])}"></span>'
        name = swatch + escape(stage[label])
        stage_groups[stage["number"]] = folium.FeatureGroup(name=name, show=True).add_to(fmap)
    category_groups = {}
    for category in categories:
        name = f'<i class="fa-solid fa-{escape(category["icon"])} sm-cat-icon"></i>{escape(category[label])}'
        category_groups[category["code"]] = folium.FeatureGroup(name=name, show=True).add_to(fmap)
    control = folium.LayerControl(position="topleft", collapsed=False).add_to(fmap)

    neighbourhoods = [
        {
            "code": f["properties"]["code"],
            "level": f["properties"]["level"],
            "label": _area_name(f["properties"], en),
        }
        for f in areas["features"]
        if f["properties"]["level"] != "district"
    ]
    config = {
        "lang": lang,
        "api": api_base,
        "spotPage": spot_page,
        "movable": bool(placing and placing["move"]),
        "text": text,
        "map": fmap.get_name(),
        "heat": heat.get_name(),
        "areas": areas,
        "analysisApi": analysis_base,
        "density": density.get_name(),
        "hotspots": hotspots.get_name(),
        "stages": _legend(stages, "number", label, "colour", stage_groups),
        "categories": _legend(categories, "code", label, "icon", category_groups),
        "sources": [{"code": s["code"], "label": s[label]} for s in sources],
        "timesOfDay": [
            {"code": code, "label": names[1 if en else 0]} for code, names in TIMES_OF_DAY.items()
        ],
        "eventKinds": {kind: names[1 if en else 0] for kind, names in EVENT_KINDS.items()},
        "neighbourhoods": neighbourhoods,
    }
    SpotLayer(config, asset_base).add_to(fmap)
    if basemaps is not None:
        layers = {**basemaps, "labels": _label_points(areas, en)}
        BasemapLayer(layers, map_name=fmap.get_name(), control_name=control.get_name()).add_to(fmap)
    if placing is not None:
        drawing = {
            **placing,
            "text": words("place", lang),
            "categories": [{"code": c["code"], "label": c[label]} for c in categories],
            "spotPage": spot_page,
        }
        DrawingLayer(drawing, asset_base).add_to(fmap)
    root = fmap.get_root()
    root.header.add_child(Element(f"<title>{escape(text['title'])}</title>"), name="title")
    html = root.render()
    return html.replace("<html>", f'<html lang="{lang}" dir="{"ltr" if en else "rtl"}">', 1)
