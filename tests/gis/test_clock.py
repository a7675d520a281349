"""Every decision about a day is Tehran's day, from the one clock: at 00:30 on 1 Farvardin in Tehran it is
still 20 March in UTC, and a mayor's row dated that day is today, not the future."""

import csv
from datetime import date, datetime, timezone

import psycopg2
import pytest
import time_machine

from gis import clock
from gis.db import transaction
from gis.intake.files import ImportRejected, import_reports

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
            result = import_reports(conn, _mayors_list(tmp_path, db_url, "1406/01/01"), source="mayor")
        assert result.count("accepted") == 1
        with pytest.raises(ImportRejected) as caught, transaction(db_url) as conn:
            import_reports(conn, _mayors_list(tmp_path, db_url, "1406/01/02"), source="mayor")
    (row,) = caught.value.result.rows
    assert (row.status, row.field) == ("rejected", "date")
