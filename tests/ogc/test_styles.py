"""Map styles for QGIS and other GIS desktops at /ogc/collections/{id}/styles: QML and SLD 1.1 written
from the same stage colours and words the web map shows; public, and holding no data."""

import xml.etree.ElementTree as ET

import psycopg2
import pytest

SE = "{http://www.opengis.net/se}"


def _stages(db_url: str) -> list[tuple[int, str, str, str]]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT number, label_fa, label_en, colour FROM stage ORDER BY number")
        rows = cur.fetchall()
    conn.close()
    return rows


def _rgba(colour: str) -> str:
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"


def test_each_typed_collection_lists_its_styles_in_both_formats(client):
    listed = client.get("/ogc/collections/spot-lines/styles")
    assert listed.status_code == 200
    assert listed.json()["default"] == "stages"
    [stages] = listed.json()["styles"]
    types = {link["type"] for link in stages["links"]}
    assert types == {"application/vnd.qgis.qml+xml", "application/vnd.ogc.sld+xml;version=1.1"}
    assert [s["id"] for s in client.get("/ogc/collections/reports/styles").json()["styles"]] == [
        "stages",
        "heatmap",
    ]
    assert client.get("/ogc/collections/spots/styles").json()["styles"] == []


@pytest.mark.parametrize("collection_id", ["spot-points", "spot-lines", "spot-areas"])
def test_the_qml_draws_the_web_maps_stage_colours_with_persian_labels_and_headers(
    client, db_url, collection_id
):
    answer = client.get(f"/ogc/collections/{collection_id}/styles/stages", params={"f": "qml"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.qgis.qml")
    root = ET.fromstring(answer.text.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "stage"
    shown = {c.get("value"): c.get("label") for c in renderer.iter("category")}
    assert shown == {str(number): fa for number, fa, _, _ in _stages(db_url)}
    colours = {
        o.get("value")
        for o in renderer.iter("Option")
        if o.get("name") in ("color", "line_color", "outline_color")
    }
    assert {_rgba(colour) for *_, colour in _stages(db_url)} <= colours
    assert root.find("labeling/settings/text-style").get("fontFamily") == "Vazirmatn"
    assert root.find("labeling/settings/text-style").get("fieldName") == "category_fa"
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["title"] == "عنوان" and aliases["stage"] == "مرحله"
    english = client.get(f"/ogc/collections/{collection_id}/styles/stages", params={"f": "qml", "lang": "en"})
    assert 'label="Identification"' in english.text and 'fieldName="category_en"' in english.text


def test_the_sld_has_a_rule_a_stage_and_category_and_persian_labels(client, db_url):
    answer = client.get("/ogc/collections/spot-points/styles/stages", params={"f": "sld"})
    assert answer.status_code == 200
    root = ET.fromstring(answer.content)
    assert root.get("version") == "1.1.0"
    rules = list(root.iter(f"{SE}Rule"))
    fills = {p.text for p in root.iter(f"{SE}SvgParameter") if p.get("name") == "fill"}
    assert {colour for *_, colour in _stages(db_url)} <= fills
    titles = [t.text for t in root.iter(f"{SE}Title")]
    assert any(title.startswith("شناسایی – روشنایی نامناسب") for title in titles)
    assert len(rules) == 4 * 10 + 1  # a rule a stage and category, then the labels
    fonts = {p.text for p in root.iter(f"{SE}SvgParameter") if p.get("name") == "font-family"}
    assert fonts == {"Vazirmatn"}
    areas = client.get("/ogc/collections/neighbourhoods/styles/outline", params={"f": "sld"})
    assert areas.status_code == 200 and "PolygonSymbolizer" in areas.text and "name_fa" in areas.text


def test_a_wrong_style_or_format_is_a_clear_error(client):
    missing = client.get("/ogc/collections/spot-points/styles/pretty", params={"lang": "en"})
    assert missing.status_code == 404
    assert "stages" in missing.json()["error"]["message"]
    assert missing.json()["error"]["field"] == "style"
    persian = client.get("/ogc/collections/spot-points/styles/pretty", headers={"Accept-Language": "fa"})
    assert "سبک" in persian.json()["error"]["message"]
    wrong = client.get("/ogc/collections/spot-points/styles/stages", params={"f": "png"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "f"
    assert client.get("/ogc/collections/nowhere/styles").status_code == 404
