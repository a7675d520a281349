"""A word the GIS office confirms once (an alias) resolves in every resolver from then on, and the import
page's suggestions find the term a free-text cell means."""

import uuid

import pytest

from gis import vocabulary
from gis.db import transaction
from gis.errors import InvalidInput
from gis.intake.files import ImportOptions, import_reports
from gis.intake.files.mapping import suggest
from gis.places.neighbourhoods import neighbourhood
from tests.api.channels import point_in
from tests.conftest import bearer_headers


def test_a_confirmed_word_resolves_in_every_resolver(conn) -> None:
    with pytest.raises(InvalidInput):
        vocabulary.category(conn, "نور کم معبر")
    with pytest.raises(InvalidInput):
        vocabulary.time_of_day("سر شب", names=vocabulary.time_names(conn))
    for kind, written, code in [
        ("category", "نور كم معبر", "poor_lighting"),  # Arabic ک: stored by its match key
        ("time_of_day", "سر شب", "evening"),
        ("neighbourhood", "شهرک گلستان غربی", "2201"),
        ("source", "نامه شهردار ناحیه", "mayor"),
    ]:
        vocabulary.save_alias(conn, kind=kind, written=written, code=code, user_id=None)
    assert vocabulary.category(conn, "نور کم  معبر") == "poor_lighting"
    assert vocabulary.time_of_day("سر‌شب", names=vocabulary.time_names(conn)) == "evening"
    assert neighbourhood(conn, "شهرك گلستان غربي")[1] == "2201"
    assert vocabulary.source(conn, "نامهٔ شهردار ناحیه") == "mayor"


def test_an_alias_must_name_a_term(conn) -> None:
    with pytest.raises(InvalidInput) as caught:
        vocabulary.save_alias(conn, kind="category", written="نور کم", code="darkness", user_id=None)
    assert caught.value.field == "code"
    assert "darkness" in caught.value.text("fa")
    with pytest.raises(InvalidInput):
        vocabulary.save_alias(conn, kind="colour", written="قرمز", code="red", user_id=None)


@pytest.mark.parametrize(
    ("written", "code", "by"),
    [
        ("نور کم", "poor_lighting", "alias"),  # the built-in 'کم نور', its words in another order
        ("کوچه‌ای با چراغ‌های خاموش", "poor_lighting", "keyword"),
        ("زمين باير", "vacant_lot", "alias"),
        ("زیر گذرر", "underpass_bridge", "similar"),
    ],
)
def test_suggestions(conn, written: str, code: str, by: str) -> None:
    found = suggest("category", written, vocabulary.category_names(conn))
    assert (code, by) in found, found


def test_a_confirmed_time_of_day_resolves_in_files_and_the_api(db_url, client, tmp_path) -> None:
    with transaction(db_url) as conn:
        vocabulary.save_alias(conn, kind="time_of_day", written="سر شب", code="evening", user_id=None)
        office = bearer_headers(conn, "gis-times", "gis_office")
    lon, lat = point_in(db_url, "2201")
    path = tmp_path / "list.csv"
    path.write_text(f"نوع,زمان,lat,lon\nزمین خالی,سر شب,{lat},{lon}\n", encoding="utf-8")
    with transaction(db_url) as conn:
        [row] = import_reports(conn, path, ImportOptions(source="mayor", source_ref="letter 9")).rows
    assert row.status == "accepted", row.reason
    lon, lat = point_in(db_url, "2209")
    body = {"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lon": lon, "lat": lat, "source": "mayor"}
    sent = client.post("/api/reports", headers=office, json=body | {"time_of_day": "سرِ شب"})
    assert sent.status_code == 201, sent.text
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT time_of_day FROM report WHERE id IN (%s, %s)", (row.report_id, sent.json()["id"]))
        assert [r[0] for r in cur.fetchall()] == ["evening", "evening"]
