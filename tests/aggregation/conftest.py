"""Users with roles, shared with the intake tests, and a small world of two nearby spots."""

from gis.db import transaction
from gis.intake.reports import ReportCreate, submit_report
from tests.intake.conftest import inside, tokens  # noqa: F401

METRE = 1 / 90_400  # a metre of longitude at District 22's latitude


def place_two_spots(db_url: str) -> dict:
    """Spot A (two reports: mayor, hotline) and spot B (one focus-group report) 100 m apart, in Daryacheh."""
    lon, lat = inside(db_url, "2209")
    with transaction(db_url) as conn:
        a1 = submit_report(conn, ReportCreate(source="mayor", category="vacant_lot", lon=lon, lat=lat))
        a2 = submit_report(
            conn, ReportCreate(source="hotline_137", category="vacant_lot", lon=lon + 20 * METRE, lat=lat)
        )
        b1 = submit_report(
            conn, ReportCreate(source="focus_group", category="vacant_lot", lon=lon + 100 * METRE, lat=lat)
        )
    assert a1.spot_id == a2.spot_id != b1.spot_id
    return {"a": a1.spot_id, "b": b1.spot_id, "a1": a1.report_id, "a2": a2.report_id, "b1": b1.report_id}
