"""Properties of the intake parsers, over many generated inputs (Hypothesis): every spelling of a date or a
number that a mayor's list, a tablet or a focus-group sheet may carry reads back as the same value, and any
other text is refused naming the field, never with another error."""

from datetime import date

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.errors import InvalidInput
from gis.intake.files.columns import Lookups
from gis.intake.files.rows import RowParser, number
from gis.lang import latin_digits, match_key, parse_day

PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
ARABIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
DIGITS = st.sampled_from([str.maketrans("", ""), PERSIAN, ARABIC])

jalali_days = st.builds(
    lambda offset: jdatetime.date(1300, 1, 1) + jdatetime.timedelta(days=offset),
    st.integers(min_value=0, max_value=200 * 365),
)


@settings(max_examples=300, deadline=None)
@given(day=jalali_days, digits=DIGITS, separator=st.sampled_from("/-"), padded=st.booleans())
def test_a_jalali_day_reads_back_however_it_is_written(day, digits, separator, padded):
    parts = [
        str(day.year),
        f"{day.month:02d}" if padded else str(day.month),
        f"{day.day:02d}" if padded else str(day.day),
    ]
    written = separator.join(parts).translate(digits)
    assert parse_day("date", written) == day.togregorian()


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), digits=DIGITS)
def test_an_iso_day_reads_back_in_any_digits(day, digits):
    assert parse_day("held_on", day.isoformat().translate(digits)) == day


@pytest.mark.parametrize(("read", "field"), [(parse_day, "date"), (number, "lon")])
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=20))
def test_any_text_is_read_or_refused_naming_the_field(read, field, text):
    try:
        read(field, text)
    except InvalidInput as refused:
        assert refused.field == field


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 6)), digits=DIGITS
)
def test_a_number_reads_back_in_any_digits(value, digits):
    assert number("lat", repr(value).translate(digits)) == pytest.approx(value)


@settings(max_examples=300, deadline=None)
@given(
    degrees=st.integers(min_value=0, max_value=179),
    minutes=st.integers(min_value=0, max_value=59),
    seconds=st.integers(min_value=0, max_value=59),
    hemisphere=st.sampled_from(["N", "S", "E", "W", ""]),
    digits=DIGITS,
)
def test_degrees_minutes_seconds_read_as_decimal_degrees(degrees, minutes, seconds, hemisphere, digits):
    written = f"{degrees}°{minutes}'{seconds}\"{hemisphere}".translate(digits)
    expected = degrees + minutes / 60 + seconds / 3600
    assert number("lon", written) == pytest.approx(-expected if hemisphere in ("S", "W") else expected)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="يكیکابپ ‌-_۲2ـ", max_size=15))
def test_every_spelling_of_a_word_shares_one_match_key(text):
    key = match_key(text)
    assert match_key(key) == key
    assert match_key(text.replace("ي", "ی").replace("ك", "ک")) == key
    assert latin_digits(key) == key


def test_each_distinct_cell_is_resolved_once_and_every_row_reads_as_alone():
    """A large file names a few categories, days and times of day in many rows: each resolver runs once per
    distinct cell, and each row still gets its own result, its own flags and its own refusal."""
    asked: list[tuple[str, object]] = []

    class Counted(Lookups):
        def category(self, text: object) -> str:
            asked.append(("category", text))
            return super().category(text)

        def time_of_day(self, text: object) -> str | None:
            asked.append(("time_of_day", text))
            return super().time_of_day(text)

    lookups = Counted({match_key("poor_lighting"): "poor_lighting"}, {}, times=None)
    mapping = {f: f for f in ("lon", "lat", "category", "date", "time_of_day")}
    parser = RowParser(mapping, lookups, "mayor", "")
    row = {"lon": "51.2", "lat": "35.7", "category": "poor_lighting", "date": "03/1/15", "time_of_day": "شب"}
    first, second = parser.parse(row, None), parser.parse(dict(row), None)
    assert (first.category, first.time_of_day, first.reported_at) == (
        second.category,
        second.time_of_day,
        second.reported_at,
    )
    assert [f["kind"] for f in first.provenance["flags"]] == ["two_digit_year"]
    assert first.provenance["flags"] == second.provenance["flags"]
    assert first.provenance["flags"][0] is not second.provenance["flags"][0]
    assert asked == [("category", "poor_lighting"), ("time_of_day", "شب")]
    for _ in range(2):  # a refused cell is refused on every row that carries it
        with pytest.raises(InvalidInput) as refused:
            parser.parse(row | {"category": "nothing known", "time_of_day": "22"}, None)
        assert [p.field for p in refused.value.problems] == ["category", "time_of_day"]
