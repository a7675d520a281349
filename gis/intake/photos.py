"""Photos of reported places: stored in the database beside their report, sent again safely by client UUID.

The bytes live in `report_photo` (bytea) rather than in a folder: they are committed with the report, kept by
the same backups, and need no file permissions on the server. The tablet resizes photos to at most 1600 px
before sending, so rows stay small (MAX_BYTES).
"""

import hashlib
import uuid as uuidlib
from dataclasses import dataclass

from gis.db import Conn
from gis.errors import Conflict, InvalidInput, NotFound
from gis.users import User

MAX_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True)
class PhotoResult:
    """The stored photo; `created` is False when its UUID had already been received."""

    id: int
    uuid: str
    report_id: int
    created: bool


def sniff_type(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG or WebP), whatever the upload claimed."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _uuid(field: str, value: str) -> str:
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError as exc:
        raise InvalidInput(field, "not_a_uuid") from exc


def _report(conn: Conn, report_uuid: str, user: User) -> int:
    """The report's id, if this user may touch it (facilitators only in their neighbourhoods)."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, area_id FROM report WHERE uuid = %s", (_uuid("report", report_uuid),))
        row = cur.fetchone()
    if row is None:
        raise NotFound("report_with_uuid", report_uuid=report_uuid, field="report")
    user.require_area(row[1])
    return row[0]


def add_photo(conn: Conn, *, report_uuid: str, photo_uuid: str, data: bytes, user: User) -> PhotoResult:
    """Attach one image to a report; the same photo UUID again returns the first upload unchanged."""
    photo_uuid = _uuid("uuid", photo_uuid)
    # Who may touch the report is checked before the file, so a refusal tells nothing about the upload.
    report_id = _report(conn, report_uuid, user)
    if not data:
        raise InvalidInput("file", "file_empty")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            "file",
            "kb_over_mb_limit_resize",
            kb=len(data) // 1024,
            mb=MAX_BYTES // 1024 // 1024,
        )
    content_type = sniff_type(data)
    if content_type is None:
        raise InvalidInput("file", "jpeg_png_webp_image")
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report_photo (uuid, report_id, content_type, bytes, sha256, created_by)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (uuid) DO NOTHING RETURNING id",
            (photo_uuid, report_id, content_type, data, hashlib.sha256(data).hexdigest(), user.id),
        )
        row = cur.fetchone()
        if row is not None:
            return PhotoResult(row[0], photo_uuid, report_id, created=True)
        cur.execute("SELECT id, report_id FROM report_photo WHERE uuid = %s", (photo_uuid,))
        photo_id, owner = cur.fetchone()
    if owner != report_id:
        raise Conflict("photo_belongs_another_report", photo_uuid=photo_uuid, field="uuid")
    return PhotoResult(photo_id, photo_uuid, report_id, created=False)


def get_photo(conn: Conn, *, report_uuid: str, photo_uuid: str, user: User) -> tuple[str, bytes, str]:
    """(content type, bytes, sha256) of one photo of a report the user may see."""
    report_id = _report(conn, report_uuid, user)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT content_type, bytes, sha256 FROM report_photo WHERE uuid = %s AND report_id = %s",
            (_uuid("photo", photo_uuid), report_id),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound("report_has_photo", report_uuid=report_uuid, photo_uuid=photo_uuid, field="photo")
    return row[0], bytes(row[1]), row[2]


def report_photos(conn: Conn, report_id: int) -> list[dict]:
    """The photos of a report (no bytes): UUID, type, size, when."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT uuid::text, content_type, octet_length(bytes), created_at FROM report_photo"
            " WHERE report_id = %s ORDER BY id",
            (report_id,),
        )
        return [
            {"uuid": r[0], "content_type": r[1], "bytes": r[2], "created_at": r[3]} for r in cur.fetchall()
        ]
