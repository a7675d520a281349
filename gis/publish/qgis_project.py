"""A ready QGIS project (.qgz) for the GIS office: Safemap's OGC API – Features collections as layers (spots
by geometry type, reports and their heat, neighbourhoods and sub-districts) and the registered base maps as
XYZ layers, each drawn with the styles of `gis.publish.styles`.

QGIS is not needed to write it: a .qgz is a zip of the project's XML. The OGC layers name a QGIS
authentication config (`authcfg`, default `safemap`) that each user creates once in QGIS (a "Basic" config
with their user name and token); a project without one is the public's and leaves the staff-only layers out.
An area level with no area loaded is left out too (QGIS cannot tell an empty layer's geometry type).
"""

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from gis.db import Conn
from gis.errors import LANGUAGES, InvalidInput
from gis.publish.basemaps import list_basemaps
from gis.publish.styles import (
    HEATMAP,
    QGIS_VERSION,
    Style,
    Words,
    collection_aliases,
    collection_styles,
    load_words,
    qml_element,
)

AUTHCFG = "safemap"  # QGIS's own config ids are 7 letters and digits, like this one
PAGE_SIZE = 1000


@dataclass(frozen=True)
class ProjectLayer:
    """An OGC collection as a project layer: its name in Persian and English, and its style."""

    collection_id: str
    fa: str
    en: str
    geometry: str  # Point, LineString or Polygon (QGIS's layer geometry)
    style: Style | None = None  # default: the collection's first style
    staff: bool = False  # read only with a signed-in auth config (reports)


# Drawn bottom to top in this order's reverse: the first is on top of the legend.
LAYERS = (
    ProjectLayer("spot-points", "فضاهای بی‌دفاع: نقطه‌ها", "Unsafe spots: points", "Point"),
    ProjectLayer("spot-lines", "فضاهای بی‌دفاع: معبرها", "Unsafe spots: lines", "LineString"),
    ProjectLayer("spot-areas", "فضاهای بی‌دفاع: پهنه‌ها", "Unsafe spots: areas", "Polygon"),
    ProjectLayer("reports", "گزارش‌ها", "Reports", "Point", staff=True),
    ProjectLayer("reports", "گرمای گزارش‌ها", "Report heat", "Point", style=HEATMAP, staff=True),
    ProjectLayer("neighbourhoods", "محله‌ها", "Neighbourhoods", "Polygon"),
    ProjectLayer("sub-districts", "ناحیه‌ها", "Sub-districts", "Polygon"),
)
AREA_LEVELS = {"neighbourhoods": "neighbourhood", "sub-districts": "sub_district"}
BASEMAP_GROUP = ("نقشه‌های پایه", "Base maps")
WEB_MERCATOR = "EPSG:3857"


def _srs(parent: ET.Element, authid: str) -> None:
    ET.SubElement(ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt"), "authid").text = authid


def ogc_source(url: str, collection_id: str, authcfg: str) -> str:
    """The OAPIF provider's data source: the whole collection (not only the view), a page of 1000."""
    parts = {
        "pageSize": str(PAGE_SIZE),
        "pagingEnabled": "true",
        "restrictToRequestBBOX": "0",
        "srsname": "EPSG:4326",
        "typename": collection_id,
        "url": f"{url.rstrip('/')}/ogc",
        "version": "OGC_API_FEATURES",
    }
    if authcfg:
        parts["authcfg"] = authcfg
    return " ".join(f"{key}='{value}'" for key, value in sorted(parts.items()))


def _district_extent(conn: Conn) -> tuple[float, float, float, float]:
    """District 22's box in web Mercator, a little wider; where no district is loaded, Tehran's west."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Expand(ST_Extent("
            "ST_Transform(geom, 3857)), 1000) e FROM area WHERE level = 'district') x"
        )
        row = cur.fetchone()
    return tuple(row) if row and row[0] is not None else (5_680_000.0, 4_255_000.0, 5_705_000.0, 4_275_000.0)


def _maplayer(
    parent: ET.Element, layer_id: str, kind: str, name: str, source: str, provider: str, crs: str
) -> ET.Element:
    element = ET.SubElement(parent, "maplayer", type=kind)
    ET.SubElement(element, "id").text = layer_id
    ET.SubElement(element, "datasource").text = source
    ET.SubElement(element, "layername").text = name
    _srs(ET.SubElement(element, "srs"), crs)
    ET.SubElement(element, "provider", encoding="UTF-8").text = provider
    return element


def _tree_layer(group: ET.Element, layer_id: str, name: str, source: str, provider: str, on: bool) -> None:
    ET.SubElement(
        group,
        "layer-tree-layer",
        id=layer_id,
        name=name,
        source=source,
        providerKey=provider,
        checked="Qt::Checked" if on else "Qt::Unchecked",
        expanded="1",
    )


def _empty_area_levels(conn: Conn) -> set[str]:
    """The area collections with no area loaded: QGIS cannot tell an empty layer's geometry type."""
    with conn.cursor() as cur:
        cur.execute("SELECT level FROM area GROUP BY level")
        loaded = {level for (level,) in cur.fetchall()}
    return {c for c, level in AREA_LEVELS.items() if level not in loaded}


def _ogc_layers(
    tree: ET.Element, layers: ET.Element, words: Words, url: str, authcfg: str, lang: str, empty: set[str]
) -> None:
    group = ET.SubElement(tree, "layer-tree-group", name="Safemap", checked="Qt::Checked", expanded="1")
    for layer in LAYERS:
        if (layer.staff and not authcfg) or layer.collection_id in empty:
            continue
        style = layer.style or collection_styles(layer.collection_id)[0]
        layer_id = f"safemap_{layer.collection_id.replace('-', '_')}_{style.id}"
        name = layer.en if lang == "en" else layer.fa
        source = ogc_source(url, layer.collection_id, authcfg)
        _tree_layer(group, layer_id, name, source, "OAPIF", on=style.id != HEATMAP.id)
        element = _maplayer(layers, layer_id, "vector", name, source, "OAPIF", "EPSG:4326")
        element.set(
            "geometry", {"Point": "Point", "LineString": "Line", "Polygon": "Polygon"}[layer.geometry]
        )
        element.set("wkbType", layer.geometry)
        geometry = {"Point": "point", "LineString": "line", "Polygon": "polygon"}[layer.geometry]
        style_root = qml_element(style, words, geometry, collection_aliases(layer.collection_id, lang))
        element.set("labelsEnabled", style_root.get("labelsEnabled", "0"))
        element.extend(list(style_root))


def basemap_source(url: str, basemap: dict) -> str:
    """An XYZ source of a base map Safemap serves at /basemaps/{name}/{z}/{x}/{y}.{ext}."""
    name, fmt, version = basemap["name"], basemap["tile_format"], basemap["id"]
    tiles = quote(f"{url.rstrip('/')}/basemaps/{name}/{{z}}/{{x}}/{{y}}.{fmt}?v={version}", safe=":/")
    return f"type=xyz&url={tiles}&zmin={basemap['min_zoom'] or 0}&zmax={basemap['max_zoom'] or 19}"


def _basemap_layers(conn: Conn, tree: ET.Element, layers: ET.Element, url: str, lang: str) -> None:
    basemaps = list_basemaps(conn)
    if not basemaps:
        return
    name = BASEMAP_GROUP[1] if lang == "en" else BASEMAP_GROUP[0]
    group = ET.SubElement(tree, "layer-tree-group", name=name, checked="Qt::Checked", expanded="1")
    for index, basemap in enumerate(basemaps):
        layer_id = f"safemap_basemap_{basemap['id']}"
        source = basemap_source(url, basemap)
        vector = basemap["tile_format"] == "pbf"
        provider = "vectortile" if vector else "wms"
        _tree_layer(group, layer_id, basemap["name"], source, provider, on=index == 0)
        _maplayer(
            layers,
            layer_id,
            "vector-tile" if vector else "raster",
            basemap["name"],
            source,
            provider,
            WEB_MERCATOR,
        )


def project_xml(conn: Conn, url: str, *, lang: str = "fa", authcfg: str = AUTHCFG) -> str:
    """The .qgs document: the Safemap group of OGC layers over the base maps, in web Mercator."""
    if lang not in LANGUAGES:
        raise InvalidInput("lang", "one_of", choices=", ".join(LANGUAGES))
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("url", "http_s_url")
    words = load_words(conn, lang)
    root = ET.Element("qgis", projectname="Safemap", version=QGIS_VERSION)
    ET.SubElement(root, "title").text = "Safemap – District 22" if lang == "en" else "سیف‌مپ – منطقهٔ ۲۲"
    _srs(ET.SubElement(root, "projectCrs"), WEB_MERCATOR)
    tree = ET.SubElement(root, "layer-tree-group")
    layers = ET.Element("projectlayers")
    _ogc_layers(tree, layers, words, url, authcfg, lang, _empty_area_levels(conn))
    _basemap_layers(conn, tree, layers, url, lang)
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    extent = ET.SubElement(canvas, "extent")
    for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), _district_extent(conn)):
        ET.SubElement(extent, tag).text = repr(float(value))
    _srs(ET.SubElement(canvas, "destinationsrs"), WEB_MERCATOR)
    root.append(layers)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def project_qgz(conn: Conn, url: str, *, lang: str = "fa", authcfg: str = AUTHCFG) -> bytes:
    """The project as a .qgz (a zip holding safemap.qgs)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("safemap.qgs", project_xml(conn, url, lang=lang, authcfg=authcfg))
    return buffer.getvalue()
