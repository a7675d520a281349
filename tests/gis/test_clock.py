"""Every decision about a day is Tehran's day, from the one clock: at 00:30 on 1 Farvardin in Tehran it is
still 20 March in UTC, and a mayor's row dated that day is today, not the future."""

import csv
import json
from datetime import date, datetime, timezone

import psycopg2
import pytest
import time_machine
from pydantic import ValidationError

from gis import clock
from gis.db import transaction
from gis.intake.files import ImportOptions, ImportRejected, import_reports
from gis.settings import get_settings
from gis.spots import SpotFilter, spots_geojson
from tests.conftest import bearer_headers

pytestmark = pytest.mark.dated

NOWRUZ_0030_TEHRAN = datetime(2027, 3, 20, 21, 0, tzinfo=timezone.utc)  # 1406/01/01 00:30 in Tehran
LATE_2359_TEHRAN = datetime(2027, 9, 22, 20, 29, tzinfo=timezone.utc)  # 1406/06/31 23:59 in Tehran


def _point_in_2209(db_url: str) -> tuple[float, float]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE code = '2209') q"
        )
        return cur.fetchone()


def _mayors_list(tmp_path, db_url: str, day: str):
    lat, lon = _point_in_2209(db_url)
    path = tmp_path / "list.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["lat", "lon", "category", "date"], [lat, lon, "vacant_lot", day]])
    return path


def _imported_at(tmp_path, db_url: str, conn, instant: datetime) -> tuple[int, int]:
    """(report id, spot id) of a mayor's row imported and then moved to `instant`."""
    import_reports(conn, _mayors_list(tmp_path, db_url, "1405/12/25"), ImportOptions(source="mayor"))
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE report SET reported_at = %s"
            " WHERE id = (SELECT max(id) FROM report) RETURNING id, spot_id",
            (instant,),
        )
        return cur.fetchone()


@pytest.mark.parametrize(
    ("instant", "today"), [(NOWRUZ_0030_TEHRAN, date(2027, 3, 21)), (LATE_2359_TEHRAN, date(2027, 9, 22))]
)
def test_today_is_tehrans_day(instant, today):
    with time_machine.travel(instant, tick=False):
        assert clock.today() == today
        assert clock.now() == instant


def test_a_row_dated_today_in_tehran_is_accepted_and_tomorrow_is_refused(tmp_path, db_url):
    with time_machine.travel(NOWRUZ_0030_TEHRAN, tick=False):
        with transaction(db_url) as conn:
            result = import_reports(
                conn, _mayors_list(tmp_path, db_url, "1406/01/01"), ImportOptions(source="mayor")
            )
        assert result.count("accepted") == 1
        with pytest.raises(ImportRejected) as caught, transaction(db_url) as conn:
            import_reports(conn, _mayors_list(tmp_path, db_url, "1406/01/02"), ImportOptions(source="mayor"))
    (row,) = caught.value.result.rows
    assert (row.status, row.field) == ("rejected", "date")


@pytest.fixture
def zone_setting(monkeypatch):
    """Run with SAFEMAP_TIMEZONE set, as another city would; the settings are read afresh and restored."""

    def use(name: str) -> None:
        monkeypatch.setenv("SAFEMAP_TIMEZONE", name)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("SAFEMAP_TIMEZONE", raising=False)
    get_settings.cache_clear()


def test_the_time_zone_is_a_setting(zone_setting):
    with time_machine.travel(NOWRUZ_0030_TEHRAN, tick=False):
        assert clock.today() == date(2027, 3, 21)
        zone_setting("Europe/London")
        assert clock.today() == date(2027, 3, 20)
        assert clock.noon(date(2027, 3, 20)).isoformat() == "2027-03-20T12:00:00+00:00"


def test_a_misspelt_time_zone_is_refused_at_load(zone_setting):
    zone_setting("Asia/Teheran")
    with pytest.raises(ValidationError, match="not an IANA time zone: Asia/Teheran"):
        get_settings()


def test_a_period_filter_counts_the_day_in_the_settings_zone(tmp_path, db_url, zone_setting):
    """A report at 00:30 on 1 Farvardin in Tehran (still 20 March in UTC) is in a period that starts that day,
    and in London's 20 March when the tool runs on London's days (no demo report falls on either day)."""
    with time_machine.travel(NOWRUZ_0030_TEHRAN, tick=False), transaction(db_url) as conn:
        _, spot_id = _imported_at(tmp_path, db_url, conn, NOWRUZ_0030_TEHRAN)

    def spot_ids(since: date) -> list[int]:
        with transaction(db_url) as conn:
            found = json.loads(spots_geojson(conn, SpotFilter(since=since, until=since)))
        return [f["id"] for f in found["features"]]

    assert spot_ids(date(2027, 3, 21)) == [spot_id]
    assert spot_ids(date(2027, 3, 20)) == []
    zone_setting("Europe/London")
    assert spot_ids(date(2027, 3, 20)) == [spot_id]
    assert spot_ids(date(2027, 3, 21)) == []


def test_an_ogc_day_is_tehrans_day(tmp_path, db_url, client):
    """`datetime=2027-03-21` on the OGC API is 1 Farvardin in Tehran, as on the map: a report at 00:30 that
    night (20 March in UTC) is in it, and not in the 20th."""
    with time_machine.travel(NOWRUZ_0030_TEHRAN, tick=False), transaction(db_url) as conn:
        report_id, _ = _imported_at(tmp_path, db_url, conn, NOWRUZ_0030_TEHRAN)
        headers = bearer_headers(conn, "ogc-office", "gis_office")

    def report_ids(day: str) -> list[int]:
        query = {"datetime": day, "limit": 1000}
        answer = client.get("/ogc/collections/reports/items", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        return [f["id"] for f in answer.json()["features"]]

    assert report_id in report_ids("2027-03-21")
    assert report_id not in report_ids("2027-03-20")
