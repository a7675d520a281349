"""Each resolver turns what people write into the stored code, or names the field it cannot read."""

from datetime import time

import pytest

from gis import vocabulary
from gis.errors import InvalidInput
from gis.lang import match_key
from gis.places.neighbourhoods import neighbourhood, neighbourhood_in_text


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("گوشهٔ بی‌مراقبت پارک", "گوشه بي مراقبت پارك"),  # hamza above, ZWNJ, Arabic ي/ك
        ("نیمه‌ساز", "نیمه ساز"),
        ("۲۲۰۳", "2203"),
        ("Vacant_Lot", "vacant lot"),
        ("  زمین   خالی ", "زمین خالی"),
    ],
)
def test_spellings_of_one_word_share_a_match_key(one, other):
    assert match_key(one) == match_key(other)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("صبح", "day"),
        ("روز", "day"),
        ("Evening", "evening"),
        ("غروب", "evening"),
        ("شب", "night"),
        ("نیمه‌شب", "night"),
        ("۲۲:۳۰", "night"),
        ("18.30", "evening"),
        (time(9, 15), "day"),
        ("", None),
        (None, None),
    ],
)
def test_times_of_day(text, code):
    assert vocabulary.time_of_day(text) == code


@pytest.mark.parametrize("text", ["dawn", "25:00", "سحر"])
def test_an_unknown_time_of_day_names_the_field(text):
    with pytest.raises(InvalidInput) as caught:
        vocabulary.time_of_day(text, field="زمان")
    assert caught.value.field == "زمان"


def test_categories_by_code_label_and_alias(conn):
    for text in ("vacant_lot", "زمین بایر", "زمين خالي", "Vacant lot", "EMPTY LOT"):
        assert vocabulary.category(conn, text) == "vacant_lot"
    with pytest.raises(InvalidInput) as caught:
        vocabulary.category(conn, "graffiti", field="service_code")
    assert caught.value.field == "service_code" and "graffiti" in caught.value.message


def test_sources_by_code_and_label(conn):
    assert vocabulary.source(conn, "گروه کانونی") == "focus_group"
    assert vocabulary.source(conn, "137 hotline") == "hotline_137"
    assert vocabulary.source(conn, "field") == "field"
    with pytest.raises(InvalidInput) as caught:
        vocabulary.source(conn, "rumour")
    assert caught.value.field == "source" and "mayor" in caught.value.message


def test_neighbourhoods_by_code_name_and_alias(conn):
    codes = {text: neighbourhood(conn, text)[1] for text in ("2203", "۲۲۰۳", "2203.0", "آبشار", "ABSHAR")}
    assert set(codes.values()) == {"2203"}
    with pytest.raises(InvalidInput) as caught:
        neighbourhood(conn, "Narmak", field="neighbourhood")
    assert caught.value.field == "neighbourhood"


def test_an_address_names_a_neighbourhood_but_not_by_its_code(conn):
    assert neighbourhood_in_text(conn, "خیابان اصلی، محلهٔ آبشار") == "2203"
    assert neighbourhood_in_text(conn, "پلاک 2203") is None
