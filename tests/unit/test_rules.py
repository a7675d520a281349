"""The rule modules without a database: the access table, the stage guards, the vocabulary resolvers, the
intake parsers and the Tehran/Jalali day. Fast, so `make mutation` runs them against every mutant."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pytest
import time_machine

from gis import access, clock
from gis.access import PUBLIC_SPOTS, Scope, SpotScope
from gis.errors import Conflict, InvalidInput, Unauthorized, text
from gis.intake import open311
from gis.intake.files.rows import RowParser, date_key, flag, number, short_year, to_degrees, typed_point
from gis.lang import (
    jalali,
    jalali_month,
    jalali_month_start,
    latin_digits,
    match_key,
    parse_day,
    persian_digits,
)
from gis.programme.workflow import SpotState, _past, _photos, _require, _text, _time_of_day
from gis.publish import ogc
from gis.users import User
from gis.vocabulary import _TIME_INDEX, _blank, _index, resolve_category, time_of_day

# 00:30 on 1 Farvardin 1406 in Tehran: still 20 March in UTC.
NOWRUZ_0030 = datetime(2027, 3, 20, 21, 0, tzinfo=timezone.utc)


def _refused(call, field: str, key: str | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    if key is not None:
        assert caught.value.key == key
    return caught.value


# ---------- the access table ----------


def test_may_reads_the_table_and_nobody_signed_in_is_the_public():
    assert access.may("gis_office", "spot.verify") and not access.may("deputy", "spot.verify")
    assert access.may(None, "spot.read") and not access.may(None, "spot.verify")
    assert not access.may("public", "report.read")
    with pytest.raises(KeyError):
        access.may("gis_office", "no.such.action")


def test_roles_and_actions_in_the_tables_order():
    assert access.roles_for("spot.close") == ("deputy",)
    assert access.roles_for("spot.verify", "spot.close") == ("gis_office", "deputy")
    assert access.roles_for("spot.read") == ("gis_office", "deputy", "facilitator", "agency", "viewer")
    assert access.actions_for("agency") == (
        "spot.read",
        "action.read",
        "spot.read_actors",
        "spot.note",
        "action.progress",
        "follow_up.complete",
    )
    assert access.actions_for("viewer") == ("programme.read", "dashboard.read", "spot.read", "action.read")


def test_every_action_stands_in_one_row_of_the_table():
    """A row per set of roles: an action named in two rows would silently take the later row's roles."""
    actions = [action for _, row in access._GRANTS for action in row]
    assert len(actions) == len(set(actions)) == len(access.PERMISSIONS)


def test_scopes_and_bindings():
    assert access.scope_of("facilitator", "report.submit") is Scope.AREAS
    assert access.scope_of(None, "spot.read") is Scope.PUBLIC
    assert access.scope_of("viewer", "spot.verify") is None
    assert [access.bound(r) for r in access.ROLE_CODES] == [
        Scope.ALL,
        Scope.ALL,
        Scope.AREAS,
        Scope.AGENCY,
        Scope.ALL,
    ]
    assert access.submit_sources("facilitator") == ("field", "focus_group")
    assert access.submit_sources("gis_office") is None


def test_spot_scope_params():
    assert SpotScope().params() == {
        "scope_stage": 1,
        "scope_exact": True,
        "scope_areas": None,
        "scope_agency": None,
    }
    assert SpotScope(area_ids=(3, 4), agency_id=None).params()["scope_areas"] == [3, 4]
    assert PUBLIC_SPOTS.params() == {
        "scope_stage": 3,
        "scope_exact": False,
        "scope_areas": None,
        "scope_agency": None,
    }
    assert (PUBLIC_SPOTS.names, PUBLIC_SPOTS.staff) == (False, False)


def test_scope_for_each_reader():
    with pytest.raises(Unauthorized) as caught:
        access.scope_for(None, public_map=False)
    assert caught.value.field == "authorization"
    assert access.scope_for(None, public_map=True) is PUBLIC_SPOTS
    facilitator = User(1, "f", "facilitator", area_ids=(7,))
    assert access.scope_for(facilitator, public_map=False) == SpotScope(area_ids=(7,))
    agency = User(2, "a", "agency", agency_id=5)
    assert access.scope_for(agency, public_map=False) == SpotScope(agency_id=5)
    assert access.scope_for(User(3, "g", "gis_office"), public_map=False) is access.EVERY_SPOT
    assert access.scope_for(User(4, "v", "viewer"), public_map=False) == SpotScope(names=False)


# ---------- the stage guards ----------


def _spot(stage: int, status: str = "open") -> SpotState:
    return SpotState(id=9, stage=stage, status=status, version=1, area_id=None, category="vacant_lot")


def test_a_step_needs_its_stage_and_an_open_spot():
    _require(_spot(2), 2)
    _require(_spot(3), 2, 3)
    _require(_spot(4, "resolved"), 4, statuses=("resolved",))
    with pytest.raises(Conflict) as caught:
        _require(_spot(1), 2, 3)
    assert (caught.value.key, caught.value.field, caught.value.params["wanted"]) == (
        "spot_at_stage_this_step",
        "stage",
        "2 or 3",
    )
    with pytest.raises(Conflict) as caught:
        _require(_spot(2, "rejected"), 2)
    assert (caught.value.key, caught.value.field, caught.value.params["status"]) == (
        "spot_in_status",
        "status",
        "rejected",
    )


def test_texts_photos_and_times_of_a_step():
    assert _text("note", "  a note ", required=True) == "a note"
    assert _text("note", None, required=False) == ""
    _refused(lambda: _text("note", "   ", required=True), "note", "required")
    assert _text("note", "x" * 10, required=True, max_length=10) == "x" * 10
    _refused(lambda: _text("note", "x" * 11, required=True, max_length=10), "note", "at_most_n_characters")
    _refused(lambda: _text("note", "x" * 4001, required=False), "note")
    assert _photos([" a.jpg ", "", "  ", None, "b.jpg"]) == ["a.jpg", "b.jpg"]
    assert _photos(None) == []
    assert len(_photos(["p"] * 20)) == 20
    _refused(lambda: _photos(["p"] * 21), "photos")
    assert _photos(["x" * 300]) == ["x" * 300]
    _refused(lambda: _photos(["x" * 301]), "photos")
    assert _time_of_day(None) is None and _time_of_day("") is None and _time_of_day("night") == "night"
    _refused(lambda: _time_of_day("noon"), "time_of_day", "day_evening_night")


def test_a_visit_may_be_today_in_tehran_but_not_tomorrow():
    with time_machine.travel(NOWRUZ_0030, tick=False):
        assert _past("visited_on", date(2027, 3, 21)) == date(2027, 3, 21)
        _refused(lambda: _past("visited_on", date(2027, 3, 22)), "visited_on", "cannot_future")
    _refused(lambda: _past("visited_on", None), "visited_on", "date_required")


# ---------- the one clock ----------


def test_the_day_is_tehrans():
    with time_machine.travel(NOWRUZ_0030, tick=False):
        assert clock.now() == NOWRUZ_0030 and clock.now().tzinfo is not None
        assert clock.today() == date(2027, 3, 21)
        assert clock.zone_name() == "Asia/Tehran" and str(clock.zone()) == "Asia/Tehran"
    assert clock.day_of(datetime(2027, 3, 20, 20, 29, tzinfo=timezone.utc)) == date(2027, 3, 20)
    assert clock.day_of(datetime(2027, 3, 20, 20, 30, tzinfo=timezone.utc)) == date(2027, 3, 21)
    noon = clock.noon(date(2027, 3, 21))
    assert noon.astimezone(timezone.utc) == datetime(2027, 3, 21, 8, 30, tzinfo=timezone.utc)


def test_a_time_written_without_an_offset_is_tehrans_in_open311_and_ogc():
    eight = datetime(2027, 3, 21, 4, 30, tzinfo=timezone.utc)  # 08:00 in Tehran
    assert open311.parse_instant("start_date", "2027-03-21T08:00:00") == eight
    assert ogc.parse_datetime("2027-03-21T08:00:00") == (eight, eight)
    eight_utc = datetime(2027, 3, 21, 8, tzinfo=timezone.utc)  # an offset written is kept
    assert open311.parse_instant("start_date", "2027-03-21T08:00:00Z") == eight_utc
    assert ogc.parse_datetime("2027-03-21T08:00:00Z") == (eight_utc, eight_utc)


# ---------- Jalali days and digits ----------


def test_jalali_helpers():
    assert jalali(None) == "" and jalali(date(2027, 3, 21)) == "1406/01/01"
    assert jalali(datetime(2020, 12, 5, 23, 0)) == "1399/09/15"
    assert (
        jalali_month(date(2020, 12, 5)) == "آذر 1399" and jalali_month(date(2020, 12, 5), "en") == "Azar 1399"
    )
    assert jalali_month(date(2027, 3, 21), "en") == "Farvardin 1406"
    assert jalali_month(date(2027, 3, 20), "en") == "Esfand 1405"
    assert jalali_month_start(date(2020, 12, 5)) == date(2020, 11, 21)
    assert persian_digits(1403.5) == "۱۴۰۳٫۵"
    assert latin_digits("۱۲٬۳۴۵٫۶، ٧") == "12345.6, 7"


def test_parse_day():
    assert parse_day("date", None) is None and parse_day("date", "  ") is None
    assert parse_day("date", "۱۴۰۶/۰۱/۰۱") == date(2027, 3, 21)
    assert parse_day("date", "1699-01-01") == date(2320, 3, 21)
    assert parse_day("date", "1700-01-02") == date(1700, 1, 2)
    assert parse_day("date", " 2026-03-21 ") == date(2026, 3, 21)
    error = _refused(lambda: parse_day("visited_on", "1406/13/01"), "visited_on", "not_a_date")
    assert error.params["text"] == "1406/13/01"
    _refused(lambda: parse_day("date", "1406/01"), "date")


def test_match_key():
    assert match_key("گوشهٔ بی‌مراقبت_پارک") == match_key("گوشه بي  مراقبت-پارك") == "گوشه بی مراقبت پارک"
    assert match_key(" Vacant_Lot ") == "vacant lot" and match_key("۲۲۰۳") == "2203"


# ---------- vocabulary resolvers ----------


def test_time_of_day_by_word_and_by_clock():
    assert time_of_day(None) is None and time_of_day("  ") is None
    assert time_of_day("شب") == "night" and time_of_day("Evening") == "evening"
    assert [time_of_day(f"{h:02d}:00") for h in (5, 6, 16, 17, 19, 20, 23)] == [
        "night",
        "day",
        "day",
        "evening",
        "evening",
        "night",
        "night",
    ]
    assert time_of_day("۲۲:۳۰") == "night" and time_of_day(" 7.15") == "day"
    assert time_of_day(time(18, 0)) == "evening" and time_of_day(datetime(2020, 1, 1, 12)) == "day"
    _refused(lambda: time_of_day("24:00", field="when"), "when", "day_evening_night_nor_time")
    _refused(lambda: time_of_day("midnightish"), "time_of_day", "day_evening_night_nor_time")
    assert time_of_day("gloaming", names={**_TIME_INDEX, "gloaming": "evening"}) == "evening"
    assert _TIME_INDEX["night"] == "night" and _TIME_INDEX[match_key("شب")] == "night"


def test_blank_and_categories():
    assert _blank(None) and _blank(" ") and not _blank(0) and not _blank("x")
    names = {"vacant lot": "vacant_lot"}
    assert resolve_category(names, "Vacant_Lot") == "vacant_lot"
    error = _refused(lambda: resolve_category(names, "moon", field="نوع"), "نوع", "unknown_category")
    assert error.params["category"] == "moon"


# ---------- intake parsers ----------


def test_numbers_in_every_writing():
    assert number("x", 12) == 12.0 and number("x", 12.5) == 12.5
    assert number("x", "۳۵٫۷۵") == 35.75 and number("x", "35,75") == 35.75
    assert number("x", "512,345.6") == 512345.6 and number("x", "1\u00a0234 567") == 1234567.0
    assert number("x", "1,2,3".replace(",", "")) == 123.0
    assert number("lat", "35°45'36\"N") == pytest.approx(35.76)
    assert number("lon", "51:30") == 51.5
    assert number("lon", "-51°30'") == -51.5 and number("lon", "51°30'W") == -51.5
    assert number("lat", "35°30'S") == -35.5 and number("lat", "35°30's") == -35.5
    assert number("lat", "35°30'18\"") == pytest.approx(35.505)
    error = _refused(lambda: number("lat", "north"), "lat", "not_a_number")
    assert error.params["value"] == "north"
    _refused(lambda: number("lat", True), "lat")
    _refused(lambda: number("lat", "1,2,3"), "lat")


def test_coordinates_in_degrees_and_utm():
    assert to_degrees(51.2, 35.7) == (51.2, 35.7)
    assert to_degrees(180, 90) == (180, 90) and to_degrees(-180, -90) == (-180, -90)
    lon, lat = to_degrees(500_000, 3_950_000)
    assert lon == pytest.approx(51.0, abs=1e-6) and 35.6 < lat < 35.75
    assert to_degrees(100_000, 0)[1] == pytest.approx(0, abs=1e-6)
    assert to_degrees(900_000, 10_000_000)[0] > 51
    assert to_degrees(200.5, 95.0, crs="EPSG:4326") == (200.5, 95.0)
    assert to_degrees(51.0, 35.0, crs="4326") == (51.0, 35.0)
    cache: dict = {}
    assert to_degrees(500_000, 3_950_000, crs="EPSG:32639", transformers=cache) == (lon, lat)
    assert list(cache) == ["EPSG:32639"]
    for x, y in ((181, 35), (99_999, 3_950_000), (900_001, 3_950_000), (500_000, -1), (500_000, 10_000_001)):
        error = _refused(lambda: to_degrees(x, y), "coordinates", "are_neither_degrees_nor_utm")
        assert (error.params["x"], error.params["y"]) == (x, y)
    error = _refused(lambda: to_degrees(1e30, 1e30, crs="EPSG:32639"), "coordinates", "cannot_converted_from")
    assert error.params["crs"] == "EPSG:32639"
    assert typed_point("۵۱٫۲", "35.7") == (51.2, 35.7)


def test_date_cells_and_two_digit_years():
    assert date_key(" ۱۴۰۲/۱۰/۲۵ ۱۲:۳۰ ") == "1402/10/25" and date_key("") == ""
    short = re.compile(r"^(\d{2})[/-](\d{1,2})[/-](\d{1,2})$")
    with time_machine.travel(NOWRUZ_0030, tick=False):  # 1406/01/01 in Tehran
        assert short_year(short.match("99/9/18")) == "1399/09/18"
        assert short_year(short.match("06/1/1")) == "1406/01/01"
        assert short_year(short.match("07/1/1")) == "1307/01/01"


@dataclass
class _Lookups:
    date_rules: set


def _parser(dates: dict | None = None, rules: set | None = None) -> RowParser:
    return RowParser({}, _Lookups(rules or set()), "mayor", "", dates=dates or {})


def test_a_rows_day():
    flags: list = []
    with time_machine.travel(NOWRUZ_0030, tick=False):
        parser = _parser()
        assert parser._date(None, flags) is None
        assert parser._date(date(2027, 3, 21), flags) == date(2027, 3, 21)
        assert parser._date(datetime(2020, 1, 2, 3), flags) == date(2020, 1, 2)
        assert parser._date("۱۴۰۶/۰۱/۰۱", flags) == date(2027, 3, 21) and flags == []
        error = _refused(lambda: parser._date("1406/01/02", flags), "date", "value_in_future")
        assert error.params["value"] == "1406/01/02"
        assert parser._date("1398/01/01", flags) == date(2019, 3, 21)
        error = _refused(lambda: parser._date("1397/12/29", flags), "date", "date_before_programme")
        assert error.params["start"] == "1398/01/01"
        assert parser._date("99/9/18", flags) == date(2020, 12, 8)
        assert [(f["kind"], f["field"]) for f in flags] == [("two_digit_year", "date")]
        assert (
            _parser(rules={"two_digit_year"})._date("99/9/18", flags) == date(2020, 12, 8) and len(flags) == 1
        )
        assert _parser(dates={"99/9/18": "1399/09/19"})._date("99/9/18", flags) == date(2020, 12, 9)
        assert len(flags) == 1


# ---------- what each refusal names (the parameters its message shows) ----------


def test_refusals_carry_their_key_and_values():
    with pytest.raises(Unauthorized) as caught:
        access.scope_for(None, public_map=False)
    assert caught.value.key == "sign_see_spots_public_map"
    with pytest.raises(Conflict) as caught:
        _require(_spot(1), 2)
    assert (caught.value.params["spot_id"], caught.value.params["stage"]) == (9, 1)
    with pytest.raises(Conflict) as caught:
        _require(_spot(2, "merged"), 2)
    assert caught.value.params["spot_id"] == 9
    assert _refused(lambda: _text("note", "x" * 11, required=True, max_length=10), "note").params == {
        "limit": 10
    }
    error = _refused(lambda: _photos(["p"] * 21), "photos", "at_most_photo_references_up")
    assert error.params == {"max_photos": 20}
    assert _refused(lambda: time_of_day("25:00"), "time_of_day").params["when"] == "25:00"
    assert _refused(lambda: time_of_day("moonrise"), "time_of_day").params["when"] == "moonrise"
    assert _refused(lambda: resolve_category({}, "moon"), "category", "unknown_category")
    error = _refused(lambda: to_degrees(1e30, 2e30, crs="EPSG:32639"), "coordinates")
    assert (error.params["x"], error.params["y"]) == (1e30, 2e30)
    _refused(lambda: typed_point("north", "35"), "x", "not_a_number")
    _refused(lambda: typed_point("51", "north"), "y", "not_a_number")


def test_degrees_end_at_the_poles_and_the_antimeridian():
    for x, y in ((-180.5, 35), (51, -90.5), (51, 90.5)):
        _refused(lambda: to_degrees(x, y), "coordinates", "are_neither_degrees_nor_utm")
    assert number("lat", "0°0'36\"") == 0.01


def test_index_and_flags():
    assert _index({"vacant_lot": ("زمین بایر", "Vacant")}) == {
        "vacant lot": "vacant_lot",
        "زمین بایر": "vacant_lot",
        "vacant": "vacant_lot",
    }
    made = flag("two_digit_year", "date", value="99/9/18", read_as="1399/09/18")
    assert (made["kind"], made["field"]) == ("two_digit_year", "date")
    assert "1399/09/18" in made["message"] and "99/9/18" in made["message"]
    assert made["message"] == text("flag_two_digit_year", value="99/9/18", read_as="1399/09/18")
    assert made["message_fa"] == text("flag_two_digit_year", "fa", value="99/9/18", read_as="1399/09/18")
    assert made["message_fa"] != made["message"]


def test_a_rows_day_names_what_it_refuses_and_flags():
    flags: list = []
    with time_machine.travel(NOWRUZ_0030, tick=False):
        parser = _parser()
        _refused(lambda: parser._date("1406/13/01", flags), "date", "not_a_date")
        error = _refused(lambda: parser._date("1397/12/29", flags), "date", "date_before_programme")
        assert error.params["value"] == "1397/12/29"
        parser._date("99/9/18", flags)
        assert "1399/09/18" in flags[0]["message"] and "99/9/18" in flags[0]["message"]
        utm = RowParser({}, _Lookups(set()), "mayor", "", crs="EPSG:32639")
        assert utm._to_degrees(500_000, 3_950_000) == to_degrees(500_000, 3_950_000)
        assert list(utm._transformers) == ["EPSG:32639"]  # made once for the whole file, not once a row
