"""Hostile input gets a 400 naming what was wrong, never a 500: JSON nested thousands deep, an XLSX whose XML
declares entities (a 'billion laughs' bomb), and an all-or-nothing import whose rejected rows would fill
megabytes lists the first rows and the total."""

import io
import uuid
import zipfile

import pytest

from gis.db import transaction
from tests.conftest import bearer_headers

DEEP = b"[" * 50_000 + b"]" * 50_000


@pytest.fixture
def gis_headers(db_url: str) -> dict[str, str]:
    with transaction(db_url) as conn:
        return bearer_headers(conn, "gis-hostile", "gis_office")


@pytest.mark.parametrize("path", ["/open311/v2/requests.json", "/api/auth/token", "/api/reports"])
def test_json_nested_too_deep_is_a_400(client, gis_headers, path):
    answer = client.post(path, content=DEEP, headers={"content-type": "application/json", **gis_headers})
    assert answer.status_code in (400, 422), answer.text[:300]


def _bomb_xlsx() -> bytes:
    """A workbook whose shared strings expand an entity a billion times."""
    laughs = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{"&a" + str(i - 1) + ";" * 1}' + f'{("&a" + str(i - 1) + ";") * 9}">'
        for i in range(1, 10)
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><!DOCTYPE lolz [{laughs}]><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>lon</t></is></c></row>'
        # Rows enough that the header is read before the parser reaches the bomb.
        + "".join(f'<row r="{n}"><c r="A{n}"><v>51.2</v></c></row>' for n in range(2, 3000))
        + '<row r="3000"><c r="A3000" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_an_xlsx_entity_bomb_is_a_400(client, gis_headers):
    answer = client.post(
        "/api/imports/reports",
        files={"file": ("bomb.xlsx", _bomb_xlsx(), "application/octet-stream")},
        headers=gis_headers,
    )
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["error"]["field"] == "file", answer.text[:300]


def test_a_rejected_import_lists_the_first_rows_and_the_total(client, gis_headers):
    lines = ["lon,lat,category,description"] + [f"not-a-number,35.7,dark_passage,row {n}" for n in range(900)]
    answer = client.post(
        "/api/imports/reports",
        files={"file": ("bad.csv", "\n".join(lines).encode(), "text/csv")},
        headers=gis_headers,
    )
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["rows_total"] == 900
    assert len(error["rows"]) == 100
    assert len(answer.content) < 100_000


def test_stored_text_loses_the_characters_that_reorder_what_readers_see(client, gis_headers, db_url):
    """U+202E and its kin flip the order a reader sees (a name shown reversed, a link disguised): gone from
    stored text, whatever the channel."""
    import psycopg2

    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM area"
            " WHERE level = 'neighbourhood' ORDER BY code LIMIT 1) p"
        )
        lon, lat = cur.fetchone()
    text = "کوچه\u202e lanigiro \u202c تاریک\u2066x\u2069\u202a\u202b\u202d\u2067\u2068"
    body = {
        "uuid": str(uuid.uuid4()),
        "category": "vacant_lot",
        "lat": lat,
        "lon": lon,
        "description": text,
        "address": text,
    }
    answer = client.post("/api/reports", json=body, headers=gis_headers)
    assert answer.status_code == 201, answer.text
    stored = client.get(f"/api/reports/{answer.json()['id']}", headers=gis_headers).json()
    assert stored["description"] == "کوچه lanigiro  تاریکx"
    assert stored["address"] == stored["description"]


def test_a_focus_group_file_nested_too_deep_names_the_file(tmp_path):
    from gis.errors import InvalidInput
    from gis.intake.focus_groups import read_features

    path = tmp_path / "points.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": ' + DEEP + b"}")
    with pytest.raises(InvalidInput) as refused:
        read_features(path)
    assert refused.value.field == "file"
