"""Photos an agency attaches to its own action as proof of the work: cleaned like report photos, stored with
the action, listed with it for everyone who may read the action."""

from gis import access
from gis.access import Scope
from gis.db import Conn, keyed, one_value
from gis.errors import NotFound
from gis.intake.photos import checked_uuid, store_photo
from gis.users import User


def _agency_of(conn: Conn, action_id: int) -> int:
    missing = NotFound("action_does_exist", action_id=action_id, field="action")
    return one_value(conn, "SELECT agency_id FROM spot_action WHERE id = %s", (action_id,), missing)


def add_action_photo(conn: Conn, *, user: User, action_id: int, photo_uuid: str, data: bytes) -> dict:
    """Attach one image to the user's agency's action; the same photo UUID again answers the first upload."""
    user.require("action.progress")
    photo_uuid = checked_uuid("uuid", photo_uuid)
    agency_id = _agency_of(conn, action_id)
    if access.scope_of(user.role, "action.progress") is Scope.AGENCY and user.agency_id != agency_id:
        # Another agency's action answers as one that does not exist: its id tells nothing.
        raise NotFound("action_does_exist", action_id=action_id, field="action")
    _, created = store_photo(conn, "action_photo", ("action_id", action_id), photo_uuid, data, user)
    return {"uuid": photo_uuid, "action_id": action_id, "created": created}


def action_photo(conn: Conn, *, user: User, action_id: int, photo_uuid: str) -> tuple[str, bytes]:
    """(content type, bytes) of one photo of an action the user may read (an agency: only its own)."""
    user.require("action.read")
    agency_id = _agency_of(conn, action_id)
    if access.scope_of(user.role, "action.read") is Scope.AGENCY and user.agency_id != agency_id:
        raise NotFound("action_does_exist", action_id=action_id, field="action")
    photo_uuid = checked_uuid("photo", photo_uuid)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT content_type, bytes FROM action_photo WHERE uuid = %s AND action_id = %s",
            (photo_uuid, action_id),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound("action_does_exist", action_id=action_id, field="photo")
    return row[0], bytes(row[1])


def photos_of(conn: Conn, action_ids: list[int]) -> dict[int, list[str]]:
    """The photo UUIDs of each action, oldest first (callers have already scoped the actions)."""
    return keyed(
        conn,
        "SELECT action_id, array_agg(uuid::text ORDER BY id) FROM action_photo WHERE action_id = ANY(%s)"
        " GROUP BY 1",
        (action_ids,),
    )
