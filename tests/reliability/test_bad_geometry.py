"""A malformed GeoJSON geometry in a report is the sender's error (naming `geometry`), never a server
error."""

import pytest

from gis.errors import InvalidInput
from gis.intake.reports import ReportCreate, submit_report


@pytest.mark.parametrize(
    "geometry",
    [
        {},
        {"type": "Circle", "coordinates": [51.1, 35.7]},
        {"type": "Point"},
        {"type": "Point", "coordinates": "51.1,35.7"},
    ],
)
def test_malformed_geojson_is_invalid_input(conn, geometry):
    with pytest.raises(InvalidInput) as raised:
        submit_report(conn, ReportCreate(source="field", category="other", geometry=geometry))
    assert raised.value.field == "geometry"
