"""Photos as evidence: taken at site visits (before a fix) and re-audits (after), and a spot's gallery of
every photo it has (reports', visits', agencies' actions'), sorted into before and after its fix.

Uploads are cleaned like report photos (gis.intake.photos: decoded, re-encoded, no EXIF). Photos are for
the staff (who may read names on a spot, `spot.read_actors`); anyone else who may read the spot sees only
visit photos the staff marked public.
"""

from gis import access
from gis.db import Conn, dict_cursor
from gis.errors import NotFound
from gis.intake.photos import checked_uuid, store_photo
from gis.users import User


def add_visit_photo(
    conn: Conn, *, user: User, spot_id: int, visit_id: int, photo_uuid: str, data: bytes, public: bool = False
) -> dict:
    """Attach one photo to a visit or re-audit of the spot; the same UUID again answers the first upload.
    Only the staff may mark a photo public."""
    user.require("spot.visit")
    photo_uuid = checked_uuid("uuid", photo_uuid)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.area_id FROM site_visit v JOIN spot s ON s.id = v.spot_id"
            " WHERE v.id = %s AND s.id = %s",
            (visit_id, spot_id),
        )
        row = cur.fetchone()
    if row is None or not user.covers_area(row[0]):
        raise NotFound("spot_does_exist", spot_id=spot_id, field="visit")
    public = bool(public) and access.may(user.role, "spot.remediate")
    extra = {"public": public}
    _, created = store_photo(conn, "visit_photo", ("visit_id", visit_id), photo_uuid, data, user, extra=extra)
    return {"uuid": photo_uuid, "visit_id": visit_id, "public": public, "created": created}


# Every photo of a spot with where it came from and when: before the fix (reports, visits) or after it
# (re-audits; actions' photos are the work itself, shown after).
GALLERY_SQL = """
    SELECT * FROM (
        SELECT 'report' AS source, p.uuid::text AS uuid, r.uuid::text AS owner, p.created_at AS at,
               false AS public
        FROM report_photo p JOIN report r ON r.id = p.report_id WHERE r.spot_id = %(id)s
        UNION ALL
        SELECT v.purpose, p.uuid::text, v.id::text, p.created_at, p.public
        FROM visit_photo p JOIN site_visit v ON v.id = p.visit_id WHERE v.spot_id = %(id)s
        UNION ALL
        SELECT 'action', p.uuid::text, x.id::text, p.created_at, false
        FROM action_photo p JOIN spot_action x ON x.id = p.action_id WHERE x.spot_id = %(id)s
    ) g
    WHERE %(staff)s OR g.public
    ORDER BY g.at, g.uuid
"""
PHASE = {"report": "before", "visit": "before", "re_audit": "after", "action": "after"}


def gallery(conn: Conn, *, user: User, spot_id: int) -> list[dict]:
    """The spot's photos, oldest first, each with its source, phase (before/after the fix) and address;
    callers have checked the user may read the spot."""
    staff = access.may(user.role, "spot.read_actors")
    with dict_cursor(conn) as cur:
        cur.execute(GALLERY_SQL, {"id": spot_id, "staff": staff})
        rows = cur.fetchall()
    return [
        {
            "source": r["source"],
            "phase": PHASE[r["source"]],
            "at": r["at"],
            "public": r["public"],
            "href": f"/api/spots/{spot_id}/photos/{r['uuid']}",
        }
        for r in rows
    ]


PHOTO_SQL = """
    SELECT content_type, bytes FROM (
        SELECT p.uuid, p.content_type, p.bytes, false AS public
        FROM report_photo p JOIN report r ON r.id = p.report_id WHERE r.spot_id = %(id)s
        UNION ALL
        SELECT p.uuid, p.content_type, p.bytes, p.public
        FROM visit_photo p JOIN site_visit v ON v.id = p.visit_id WHERE v.spot_id = %(id)s
        UNION ALL
        SELECT p.uuid, p.content_type, p.bytes, false
        FROM action_photo p JOIN spot_action x ON x.id = p.action_id WHERE x.spot_id = %(id)s
    ) g
    WHERE g.uuid = %(uuid)s AND (%(staff)s OR g.public)
"""


def spot_photo(conn: Conn, *, user: User, spot_id: int, photo_uuid: str) -> tuple[str, bytes]:
    """(content type, bytes) of one photo of the spot the user may see; any other answers not found."""
    staff = access.may(user.role, "spot.read_actors")
    with conn.cursor() as cur:
        cur.execute(PHOTO_SQL, {"id": spot_id, "uuid": checked_uuid("photo", photo_uuid), "staff": staff})
        row = cur.fetchone()
    if row is None:
        raise NotFound("spot_does_exist", spot_id=spot_id, field="photo")
    return row[0], bytes(row[1])
