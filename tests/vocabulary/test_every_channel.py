"""The same words mean the same thing whichever way a report comes in: a mayor's CSV, a focus group, the 137
hotline's Open311 and the tablet's API resolve categories, times of day and neighbourhoods alike."""

import csv
import uuid as uuidlib
from pathlib import Path

import psycopg2
import pytest

from gis.db import transaction
from gis.intake.files import ImportOptions, import_reports
from gis.intake.focus_groups import FocusGroupCreate, add_points, create_session
from gis.intake.open311 import post_request
from gis.places.neighbourhoods import neighbourhood_id
from tests.api.channels import make_people, point_in
from tests.conftest import query_one

# (category, time of day, neighbourhood) as people write them → (category, time of day, neighbourhood code)
SPELLINGS = [
    (("زمین خالی", "صبح", "آبشار"), ("vacant_lot", "day", "2203")),
    (("empty lot", "Night", "Abshar"), ("vacant_lot", "night", "2203")),
    (("كوچه بن بست", "شب", "زيبادشت"), ("dead_end_alley", "night", "2205")),  # Arabic ي/ك
    (("گوشه بی مراقبت پارک", "عصر", "دریاچه"), ("park_corner", "evening", "2209")),  # a space for the ZWNJ
    (("ساختمان متروکه یا نیمه‌ساز", "۲۲:۳۰", "Daryacheh"), ("abandoned_building", "night", "2209")),
]


def _stored(db_url: str, report_id: int) -> tuple[str, str | None, str]:
    return query_one(
        db_url,
        "SELECT r.category, r.time_of_day, a.code FROM report r JOIN area a ON a.id = r.area_id"
        " WHERE r.id = %s",
        (report_id,),
    )


def _mayors_csv(db_url: str, tmp_path: Path, category: str, when: str, area: str) -> tuple:
    path = tmp_path / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["نوع", "زمان", "محله"], [category, when, area]])
    with transaction(db_url) as conn:
        result = import_reports(
            conn, path, ImportOptions(source="mayor", source_ref="letter 7", partial=True)
        )
    [row] = result.rows
    assert row.status == "accepted", (row.field, row.reason)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM report WHERE import_batch_id = %s", (result.batch_id,))
        return _stored(db_url, cur.fetchone()[0])


def _focus_group(db_url: str, category: str, when: str, area: str, code: str) -> tuple:
    lon, lat = point_in(db_url, code)
    with transaction(db_url) as conn:
        area_id = neighbourhood_id(conn, area)
        session_id, _ = create_session(
            conn,
            FocusGroupCreate(
                area_id=area_id, held_on="1399/09/20", facilitator="مریم", participants=8, women=5
            ),
        )
        [result] = add_points(
            conn,
            session_id,
            [
                {
                    "type": "Feature",
                    "properties": {"دسته": category, "زمان": when},
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }
            ],
            radius_m=50,
        )
    return _stored(db_url, result.report_id)


def _open311(db_url: str, category: str, area: str) -> tuple:
    with transaction(db_url) as conn:
        posted = post_request(
            conn, {"service_code": category, "address_string": f"محله {area}"}, client="test", radius_m=50
        )
    return _stored(db_url, int(posted["service_request_id"]))


def _field_api(client, headers: dict, category: str, when: str, area: str) -> tuple:
    body = {"uuid": str(uuidlib.uuid4()), "category": category, "time_of_day": when, "area": area}
    response = client.post("/api/reports", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(("given", "meant"), SPELLINGS, ids=[s[1][0] for s in SPELLINGS])
def test_every_channel_reads_the_same_words_alike(db_url, client, tmp_path, given, meant):
    category, when, area = given
    assert _mayors_csv(db_url, tmp_path, category, when, area) == meant
    assert _focus_group(db_url, category, when, area, meant[2]) == meant
    assert _open311(db_url, category, area) == (meant[0], None, meant[2])
    headers = make_people(db_url)["gis"]
    assert _stored(db_url, _field_api(client, headers, category, when, area)) == meant


@pytest.mark.parametrize("code", ["2203", "۲۲۰۳", "محله ۲۲۰۳"])
def test_a_neighbourhood_code_in_persian_digits_is_the_same_code(db_url, client, tmp_path, code):
    assert _mayors_csv(db_url, tmp_path, "vacant_lot", "day", code)[2] == "2203"
    with transaction(db_url) as conn:
        assert neighbourhood_id(conn, code) == neighbourhood_id(conn, "2203")
    headers = make_people(db_url)["gis"]
    assert _stored(db_url, _field_api(client, headers, "vacant_lot", "day", code))[2] == "2203"
