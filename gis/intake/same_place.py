"""The spot a facilitator says a new observation is the same place as («همین مکان است» on the tablet), so
it joins that spot instead of making a new one."""

from gis.db import Conn
from gis.errors import InvalidInput

# How far from a spot a facilitator may stand and still say it is the same place: GPS noise, a large lot.
SAME_PLACE_M = 300.0

SAME_PLACE_SQL = """
    SELECT s.status, ST_Distance(s.geom::geography, r.geom::geography)
    FROM spot s, report r
    WHERE s.id = %(spot)s AND r.id = %(report)s AND s.area_id = r.area_id
"""


def same_place_spot(conn: Conn, spot_id: int, report_id: int) -> int:
    """The spot chosen for this report: open, in the report's neighbourhood (another neighbourhood's answers
    like a spot that does not exist) and within SAME_PLACE_M of it; else a refusal naming spot_id."""
    with conn.cursor() as cur:
        cur.execute(SAME_PLACE_SQL, {"spot": spot_id, "report": report_id})
        row = cur.fetchone()
    if row is None:
        raise InvalidInput("spot_id", "spot_does_exist", spot_id=spot_id)
    status, metres = row
    if status != "open":
        raise InvalidInput("spot_id", "spot_reports_cannot_join", spot_id=spot_id, status=status)
    if metres > SAME_PLACE_M:
        raise InvalidInput("spot_id", "spot_too_far_same_place", spot_id=spot_id, metres=round(metres))
    return spot_id
