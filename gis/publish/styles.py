"""Map styles for GIS desktops, written from the one vocabulary: QGIS's QML and SLD 1.1 for each OGC
collection and each exported table, so QGIS shows the web map's stage colours, a symbol a category, Persian
labels in an RTL-safe font and Persian column headers.

The colours and words are read from the tables the web map reads (`stage`, `category`, through
`gis.vocabulary.reference_list`); nothing here holds a copy of them. A style holds no data.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from gis.db import Conn
from gis.errors import NotFound
from gis.vocabulary import reference_list

# Vazirmatn joins Persian letters right to left; the pages and the council report use it too.
FONT = "Vazirmatn"
QGIS_VERSION = "3.22.16-Białowieża"
# QGIS's filled marker shapes (an outline-only one would be drawn white), one a category in the category
# table's order (a category's symbol on the web map is a Font Awesome icon, which QGIS has not got).
SHAPES = (
    "circle",
    "square",
    "triangle",
    "diamond",
    "star",
    "pentagon",
    "hexagon",
    "octagon",
    "cross_fill",
    "filled_arrowhead",
    "arrow",
    "equilateral_triangle",
)
SLD_SHAPES = ("circle", "square", "triangle", "star", "cross", "x")
AREA_OUTLINE = "#1f3b57"  # the top bar's blue
HEAT_RAMP = ("255,255,178,0", "253,141,60,255", "189,0,38,255")  # transparent yellow → orange → dark red
SE = "http://www.opengis.net/se"
OGC = "http://www.opengis.net/ogc"
SLD = "http://www.opengis.net/sld"
ET.register_namespace("se", SE)
ET.register_namespace("ogc", OGC)
ET.register_namespace("", SLD)


@dataclass(frozen=True)
class Style:
    """One style of a layer: how it is drawn, which field holds the stage and which its label."""

    id: str
    title: str
    renderer: str  # stages, heatmap or outline
    label_field: str | None = None
    stage_field: str = "stage"
    category_field: str = "category"


STAGES = Style("stages", "Stage colours, a symbol a category (as on the web map)", "stages", "category_fa")
HEATMAP = Style("heatmap", "Heat of the reports (as the web map's heat layer)", "heatmap")
OUTLINE = Style("outline", "Outlines with their names", "outline", "name_fa")
# A collection's styles, the first its default; the mixed `spots` has none (QGIS draws one type a layer).
COLLECTION_STYLES: dict[str, tuple[Style, ...]] = {
    "spot-points": (STAGES,),
    "spot-lines": (STAGES,),
    "spot-areas": (STAGES,),
    "reports": (STAGES, HEATMAP),
    "neighbourhoods": (OUTLINE,),
    "sub-districts": (OUTLINE,),
}
GEOMETRIES = {"spot-points": "point", "spot-lines": "line", "spot-areas": "polygon", "reports": "point"}


@dataclass(frozen=True)
class Words:
    """The stages (number, label, colour) and categories (code, label) in one language."""

    lang: str
    stages: tuple[tuple[int, str, str], ...]
    categories: tuple[tuple[str, str], ...]


def load_words(conn: Conn, lang: str = "fa") -> Words:
    """Stage colours and labels and category labels as the web map shows them, in `lang` (fa or en)."""
    label = "label_en" if lang == "en" else "label_fa"
    return Words(
        lang,
        tuple((s["number"], s[label], s["colour"]) for s in reference_list(conn, "stages")),
        tuple((c["code"], c[label]) for c in reference_list(conn, "categories")),
    )


def collection_styles(collection_id: str) -> tuple[Style, ...]:
    """The styles of an OGC collection (none for the mixed `spots`)."""
    return COLLECTION_STYLES.get(collection_id, ())


def get_style(collection_id: str, style_id: str) -> Style:
    """One style of a collection; NotFound names the collection's styles."""
    for style in collection_styles(collection_id):
        if style.id == style_id:
            return style
    raise NotFound(
        "no_such_style",
        field="style",
        style=style_id,
        styles=", ".join(s.id for s in collection_styles(collection_id)) or "-",
    )


def in_language(style: Style, lang: str) -> Style:
    """The style with its labels in English where `lang` is en (category_en, name_en)."""
    if lang != "en" or style.label_field is None:
        return style
    english = {"category_fa": "category_en", "name_fa": "name_en", "cat_fa": "cat_en"}
    return Style(**{**style.__dict__, "label_field": english.get(style.label_field, style.label_field)})


def _hex_rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _options(parent: ET.Element, values: dict[str, object]) -> ET.Element:
    """QGIS's <Option type="Map"> of string values under `parent`."""
    mapping = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        if isinstance(value, dict):
            inner = _options(mapping, value)
            inner.set("name", name)
        else:
            ET.SubElement(mapping, "Option", name=name, type="QString", value=str(value))
    return mapping


def _shape_expression(words: Words, field: str) -> str:
    """QGIS's expression for a category's marker shape (its CASE takes conditions only)."""
    cases = " ".join(
        f"WHEN \"{field}\" = '{code}' THEN '{SHAPES[index % len(SHAPES)]}'"
        for index, (code, _) in enumerate(words.categories)
    )
    return f"CASE {cases} ELSE 'circle' END"


def _symbol(parent: ET.Element, name: str, geometry: str, colour: str, shape_expression: str | None) -> None:
    kind = {"point": "marker", "line": "line", "polygon": "fill"}[geometry]
    symbol = ET.SubElement(
        parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    if geometry == "point":
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleMarker"}, enabled="1", locked="0", **{"pass": "0"}
        )
        values = {"color": _hex_rgba(colour), "name": "circle", "size": "3.6", "size_unit": "MM",
                  "outline_color": "255,255,255,255", "outline_style": "solid", "outline_width": "0.4",
                  "outline_width_unit": "MM", "angle": "0", "joinstyle": "bevel"}  # fmt: skip
    elif geometry == "line":
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleLine"}, enabled="1", locked="0", **{"pass": "0"}
        )
        values = {"line_color": _hex_rgba(colour), "line_width": "1.2", "line_width_unit": "MM",
                  "line_style": "solid", "capstyle": "round", "joinstyle": "round"}  # fmt: skip
    else:
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleFill"}, enabled="1", locked="0", **{"pass": "0"}
        )
        values = {"color": _hex_rgba(colour, 51), "style": "solid", "outline_color": _hex_rgba(colour),
                  "outline_style": "solid", "outline_width": "0.8", "outline_width_unit": "MM"}  # fmt: skip
    _options(layer, values)
    if shape_expression and geometry == "point":
        defined = ET.SubElement(layer, "data_defined_properties")
        _options(
            defined,
            {
                "name": "",
                "properties": {"name": {"active": "true", "expression": shape_expression, "type": "3"}},
                "type": "collection",
            },
        )


def _renderer(root: ET.Element, style: Style, words: Words, geometry: str) -> None:
    if style.renderer == "heatmap":
        renderer = ET.SubElement(
            root, "renderer-v2", type="heatmapRenderer", radius="12", radius_unit="0", max_value="0",
            quality="3", weight_expression="", enableorderby="0", forceraster="0",
        )  # fmt: skip
        ramp = ET.SubElement(renderer, "colorramp", type="gradient", name="[source]")
        _options(ramp, {"color1": HEAT_RAMP[0], "color2": HEAT_RAMP[2], "discrete": "0",
                        "rampType": "gradient", "stops": f"0.5;{HEAT_RAMP[1]}"})  # fmt: skip
        return
    if style.renderer == "outline":
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", enableorderby="0", forceraster="0")
        symbols = ET.SubElement(renderer, "symbols")
        symbol = ET.SubElement(symbols, "symbol", type="fill", name="0", alpha="1", clip_to_extent="1")
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleFill"}, enabled="1", locked="0", **{"pass": "0"}
        )
        _options(layer, {"color": "0,0,0,0", "style": "no", "outline_color": _hex_rgba(AREA_OUTLINE),
                         "outline_style": "dash", "outline_width": "0.5",
                         "outline_width_unit": "MM"})  # fmt: skip
        return
    renderer = ET.SubElement(
        root, "renderer-v2", type="categorizedSymbol", attr=style.stage_field, symbollevels="0",
        enableorderby="0", forceraster="0",
    )  # fmt: skip
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    shapes = _shape_expression(words, style.category_field)
    for index, (number, label, colour) in enumerate(words.stages):
        ET.SubElement(
            categories, "category", symbol=str(index), value=str(number), label=label, render="true"
        )
        _symbol(symbols, str(index), geometry, colour, shapes)


def _labeling(root: ET.Element, field: str) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(
        settings, "text-style", fontFamily=FONT, fontSize="9", fontSizeUnit="Point", fieldName=field,
        isExpression="0", textColor="34,34,34,255", textOpacity="1", fontWeight="50", fontItalic="0",
        multilineAlign="3", namedStyle="Regular",
    )  # fmt: skip
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="0", multilineAlign="3")
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="1")  # fmt: skip
    ET.SubElement(settings, "placement", placement="0", dist="1.5", distUnits="MM", placementFlags="10")
    ET.SubElement(settings, "rendering", scaleVisibility="1", scaleMin="0", scaleMax="60000",
                  obstacle="1", displayAll="0")  # fmt: skip


def qml_element(style: Style, words: Words, geometry: str, aliases: list[tuple[str, str]]) -> ET.Element:
    """The <qgis> element of a QML style: renderer, labels and field aliases (`aliases`: field, alias)."""
    style = in_language(style, words.lang)
    labelled = style.label_field is not None and style.renderer != "heatmap"
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="AllStyleCategories",
        labelsEnabled="1" if labelled else "0",
    )
    _renderer(root, style, words, geometry)
    if labelled:
        _labeling(root, style.label_field)
    names = ET.SubElement(root, "aliases")
    for index, (field, alias) in enumerate(aliases):
        ET.SubElement(names, "alias", field=field, index=str(index), name=alias)
    ET.SubElement(root, "layerGeometryType").text = {"point": "0", "line": "1", "polygon": "2"}[geometry]
    return root


def qml(style: Style, words: Words, geometry: str, aliases: list[tuple[str, str]]) -> str:
    """A QML document (what QGIS's Layer Properties ▸ Style ▸ Load Style reads)."""
    body = ET.tostring(qml_element(style, words, geometry, aliases), encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _se(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{SE}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _parameter(parent: ET.Element, tag: str, values: dict[str, str]) -> None:
    element = _se(parent, tag)
    for name, value in values.items():
        _se(element, "SvgParameter", value, name=name)


def _sld_symbolizer(rule: ET.Element, geometry: str, colour: str, shape: str = "circle") -> None:
    if geometry == "point":
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", shape)
        _parameter(mark, "Fill", {"fill": colour})
        _parameter(mark, "Stroke", {"stroke": "#ffffff", "stroke-width": "1"})
        _se(graphic, "Size", "12")
    elif geometry == "line":
        _parameter(_se(rule, "LineSymbolizer"), "Stroke", {"stroke": colour, "stroke-width": "4"})
    else:
        polygon = _se(rule, "PolygonSymbolizer")
        _parameter(polygon, "Fill", {"fill": colour, "fill-opacity": "0.2"})
        _parameter(polygon, "Stroke", {"stroke": colour, "stroke-width": "2"})


def _sld_label(parent: ET.Element, field: str) -> None:
    rule = _se(parent, "Rule")
    _se(rule, "Name", "labels")
    _se(rule, "MaxScaleDenominator", "60000")
    text = _se(rule, "TextSymbolizer")
    ET.SubElement(_se(text, "Label"), f"{{{OGC}}}PropertyName").text = field
    _parameter(text, "Font", {"font-family": FONT, "font-size": "12"})
    halo = _se(text, "Halo")
    _se(halo, "Radius", "2")
    _parameter(halo, "Fill", {"fill": "#ffffff"})
    _parameter(text, "Fill", {"fill": "#222222"})


def sld(style: Style, words: Words, geometry: str, layer_name: str) -> str:
    """An SLD 1.1 (Symbology Encoding) document of the style: a rule a stage (a mark a category for
    points), or the outline; then the labels. A heat map has no SLD form: its reports drawn by stage."""
    style = in_language(style, words.lang)
    root = ET.Element(
        f"{{{SLD}}}StyledLayerDescriptor",
        {"version": "1.1.0", "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation":
         f"{SLD} http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"},
    )  # fmt: skip
    layer = ET.SubElement(root, f"{{{SLD}}}NamedLayer")
    _se(layer, "Name", layer_name)
    user_style = ET.SubElement(layer, f"{{{SLD}}}UserStyle")
    _se(user_style, "Name", style.id)
    feature_style = _se(user_style, "FeatureTypeStyle")
    if style.renderer == "outline":
        rule = _se(feature_style, "Rule")
        _se(rule, "Name", style.id)
        polygon = _se(rule, "PolygonSymbolizer")
        _parameter(
            polygon, "Stroke", {"stroke": AREA_OUTLINE, "stroke-width": "1.5", "stroke-dasharray": "6 3"}
        )
    else:
        for number, label, colour in words.stages:
            kinds = enumerate(words.categories) if geometry == "point" else [(0, (None, ""))]
            for index, (code, category) in kinds:
                rule = _se(feature_style, "Rule")
                _se(rule, "Name", f"{number}" + (f" {code}" if code else ""))
                _se(_se(rule, "Description"), "Title", f"{label}" + (f" – {category}" if code else ""))
                condition = ET.SubElement(rule, f"{{{OGC}}}Filter")
                both = ET.SubElement(condition, f"{{{OGC}}}And") if code else condition
                for field, value in ((style.stage_field, str(number)), (style.category_field, code)):
                    if value:
                        equal = ET.SubElement(both, f"{{{OGC}}}PropertyIsEqualTo")
                        ET.SubElement(equal, f"{{{OGC}}}PropertyName").text = field
                        ET.SubElement(equal, f"{{{OGC}}}Literal").text = value
                _sld_symbolizer(rule, geometry, colour, SLD_SHAPES[index % len(SLD_SHAPES)])
    label_field = style.label_field if style.renderer != "heatmap" else None
    if label_field:
        _sld_label(feature_style, label_field)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def collection_aliases(collection_id: str, lang: str) -> list[tuple[str, str]]:
    """(field, header) of an OGC collection's properties: Persian headers, or the field names in English."""
    from gis.publish.ogc import get_collection

    return [(f.name, f.name if lang == "en" else f.fa) for f in get_collection(collection_id).fields]


def collection_style(conn: Conn, collection_id: str, style_id: str, fmt: str, lang: str = "fa") -> str:
    """One style of an OGC collection as QML (fmt qml) or SLD 1.1 (fmt sld)."""
    style = get_style(collection_id, style_id)
    words = load_words(conn, lang)
    geometry = GEOMETRIES.get(collection_id, "polygon")
    if fmt == "sld":
        return sld(style, words, geometry, collection_id)
    return qml(style, words, geometry, collection_aliases(collection_id, lang))
