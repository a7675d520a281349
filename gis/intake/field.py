"""What the tablet page carries with it so it works without a connection (its neighbourhoods and
categories), and the one definition of a safety audit that every channel checks against.

An audit is an object of the nine criteria (`gis.vocabulary.AUDIT_KEYS`), each an integer 0–3 (bad, poor,
fair, good) or null for "not assessed"; a missing key is not assessed too. 0 is a real score and always kept.
At least one criterion is assessed. Its time (day, evening, night) is the report's or visit's `time_of_day`.
The tablet, the visit form, the re-audit, the API and the imports all go through `check_audit`, and the
database checks the same with `safety_audit_is_valid`.
"""

from gis import access
from gis.access import scope_for
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput
from gis.lang import latin_digits
from gis.spots import SpotFilter, spots_geojson
from gis.users import User
from gis.vocabulary import AUDIT_KEYS

NEIGHBOURHOODS_SQL = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
        json_build_object('type', 'Feature', 'id', a.code, 'geometry', ST_AsGeoJSON(a.geom, 6)::json,
                          'properties', json_build_object('code', a.code, 'name_fa', a.name_fa,
                                                          'name_en',
                                                          coalesce(a.name_en, a.name_latin, a.name_fa)))
        ORDER BY a.code), '[]'::json))::text
    FROM area a
    WHERE a.level = 'neighbourhood' AND (%(all)s OR a.id = ANY(%(ids)s))
"""


def field_neighbourhoods(conn: Conn, user: User) -> str:
    """The neighbourhoods this user reports in (a facilitator's own, everyone's for staff), as GeoJSON
    text."""
    with conn.cursor() as cur:
        every = access.scope_of(user.role, "report.submit") is not access.Scope.AREAS
        cur.execute(NEIGHBOURHOODS_SQL, {"all": every, "ids": list(user.area_ids)})
        return cur.fetchone()[0]


def field_extent(conn: Conn, user: User) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around the neighbourhoods this user reports in: what the tablet keeps
    offline."""
    with conn.cursor() as cur:
        every = access.scope_of(user.role, "report.submit") is not access.Scope.AREAS
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)"
            " FROM (SELECT ST_Extent(geom) AS e FROM area"
            "       WHERE level = 'neighbourhood' AND (%(all)s OR id = ANY(%(ids)s))) q",
            {"all": every, "ids": list(user.area_ids)},
        )
        row = cur.fetchone()
    return None if row[0] is None else tuple(row)


def field_spots(conn: Conn, user: User) -> str:
    """The open spots this user may read (a facilitator: their neighbourhoods'), as GeoJSON text: what the
    tablet shows nearby and keeps offline, never more than its reader's scope."""
    return spots_geojson(conn, SpotFilter(status="open", scope=scope_for(user, public_map=False), limit=500))


def field_categories(conn: Conn) -> list[dict]:
    """The categories in the programme's order, with their labels and icons."""
    with dict_cursor(conn) as cur:
        cur.execute("SELECT code, label_fa, label_en, icon FROM category ORDER BY sort")
        return [dict(row) for row in cur.fetchall()]


def _score(key: str, value: object) -> int | None:
    """One criterion's value: an integer 0–3 (also as text, Persian digits too), or None if not assessed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput(f"audit.{key}", "not_a_score", value=value)
    text = latin_digits(value).strip() if isinstance(value, str) else str(value)
    if text not in ("0", "1", "2", "3"):
        raise InvalidInput(f"audit.{key}", "not_a_score", value=value)
    return int(text)


def check_audit(audit: object, *, required: bool) -> dict | None:
    """The audit as stored: all nine criteria, each 0–3 or None (not assessed), at least one assessed.

    Without an audit (None, or nothing assessed) the answer is None where an audit is optional, and a refusal
    naming the field where it is required (a re-audit is the evidence a fix worked)."""
    if audit is None or audit == {}:
        if required:
            raise InvalidInput("audit", "safety_audit_required_each", audit_criteria=", ".join(AUDIT_KEYS))
        return None
    if not isinstance(audit, dict):
        raise InvalidInput("audit", "object_criterion_score")
    for key in audit:
        if key not in AUDIT_KEYS:
            raise InvalidInput(f"audit.{key}", "unknown_criterion_use", audit_keys=", ".join(AUDIT_KEYS))
    clean = {key: _score(key, audit.get(key)) for key in AUDIT_KEYS}
    if all(value is None for value in clean.values()):
        if required:
            raise InvalidInput("audit", "safety_audit_required_each", audit_criteria=", ".join(AUDIT_KEYS))
        return None
    return clean
