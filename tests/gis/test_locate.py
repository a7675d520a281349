"""A reported point is placed in its neighbourhood, or refused with the reason."""

import pytest

from gis.errors import InvalidInput
from gis.places.locate import locate


def _code(conn, area_id: int) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT code FROM area WHERE id = %s", (area_id,))
        return cur.fetchone()[0]


def test_a_point_in_daryacheh_is_placed_there(conn):
    assert _code(conn, locate(conn, lon=51.2148, lat=35.7452)) in {"2207", "2209"}
    assert _code(conn, locate(conn, lon=51.138435, lat=35.750328)) == "2201"


def test_swapped_latitude_and_longitude_are_named(conn):
    with pytest.raises(InvalidInput, match="swapped") as caught:
        locate(conn, lon=35.750328, lat=51.138435)
    assert caught.value.field == "location"


def test_a_point_outside_the_district_is_refused(conn):
    with pytest.raises(InvalidInput, match="outside the district"):
        locate(conn, lon=51.4, lat=35.7)  # central Tehran


def test_degrees_out_of_range_are_refused(conn):
    with pytest.raises(InvalidInput, match="longitude/latitude"):
        locate(conn, lon=551000.0, lat=3957000.0)  # UTM metres given as degrees
