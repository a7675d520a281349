"""Photos of reported places: stored in the database beside their report, sent again safely by client UUID.

The bytes live in `report_photo` (bytea) rather than in a folder: they are committed with the report, kept by
the same backups, and need no file permissions on the server. The tablet resizes photos to at most 1600 px
before sending, so rows stay small (MAX_BYTES).

An upload is never stored as sent: it is decoded and its pixels written into a new file of the same kind.
A file that only starts like an image (an HTML page behind a JPEG header) is refused, and nothing but pixels
is kept: no EXIF (a phone's photo carries the GPS position of the woman who took it), no comments, no ICC
profile. The camera's rotation is applied to the pixels first, so the photo still stands the right way up.
"""

import hashlib
import io
import uuid as uuidlib
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from psycopg2 import sql

from gis.db import Conn
from gis.errors import Conflict, InvalidInput, NotFound
from gis.users import User

MAX_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
# A 2 MB file can unpack to gigabytes of pixels (a "decompression bomb"); a 48-megapixel phone photo fits.
MAX_PIXELS = 50_000_000
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class PhotoResult:
    """The stored photo; `created` is False when its UUID had already been received."""

    id: int
    uuid: str
    report_id: int
    created: bool


def clean_image(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes) of the image re-encoded from its decoded pixels alone, upright and without
    metadata; InvalidInput when the bytes are not a whole JPEG, PNG or WebP image or hold too many pixels."""
    too_big = InvalidInput("file", "photo_too_many_pixels", max_megapixels=MAX_PIXELS // 1_000_000)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise too_big
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidInput("file", "jpeg_png_webp_image") from exc
    kind = image.format
    see_through = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if see_through and kind != "JPEG" else "RGB"
    pixels = upright.convert(mode)
    # A new image made from the pixel bytes carries none of the upload's info (EXIF, XMP, ICC, comments).
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
    bare.save(out, format=kind, **options)
    return _FORMATS[kind], out.getvalue()


def checked_upload(data: bytes) -> tuple[str, bytes]:
    """An uploaded photo refused when empty or over MAX_BYTES, else cleaned (`clean_image`)."""
    if not data:
        raise InvalidInput("file", "file_empty")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            "file", "kb_over_mb_limit_resize", kb=len(data) // 1024, mb=MAX_BYTES // 1024 // 1024
        )
    return clean_image(data)


THUMB_PX = 320


def thumbnail(data: bytes) -> tuple[str, bytes]:
    """A small JPEG of a stored (already cleaned) photo for galleries: at most THUMB_PX on its long side."""
    image = Image.open(io.BytesIO(data))
    image.thumbnail((THUMB_PX, THUMB_PX))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=80)
    return "image/jpeg", out.getvalue()


def checked_uuid(field: str, value: str) -> str:
    """The UUID in its canonical text; InvalidInput naming the field when it is not one."""
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError as exc:
        raise InvalidInput(field, "not_a_uuid") from exc


def store_photo(
    conn: Conn,
    table: str,
    owner: tuple[str, int],
    photo_uuid: str,
    data: bytes,
    user: User,
    *,
    elsewhere: Conflict | None = None,
    extra: dict[str, object] | None = None,
) -> tuple[int, bool]:
    """Clean and store a photo under its owner (`owner`: column, id) in a photo table; the same UUID again
    stores nothing and answers the first upload, so a tablet may resend. (photo id, created); `elsewhere`
    (by default "used elsewhere") when the UUID already belongs to another owner."""
    content_type, data = checked_upload(data)
    row = {
        "uuid": photo_uuid,
        owner[0]: owner[1],
        "content_type": content_type,
        "bytes": data,
        "sha256": hashlib.sha256(data).hexdigest(),
        **(extra or {}),
        "created_by": user.id,
    }
    insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (uuid) DO NOTHING RETURNING id").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
    )
    stored = sql.SQL("SELECT id, {} FROM {} WHERE uuid = %s").format(
        sql.Identifier(owner[0]), sql.Identifier(table)
    )
    with conn.cursor() as cur:
        cur.execute(insert, list(row.values()))
        created = cur.fetchone() is not None
        cur.execute(stored, (photo_uuid,))
        photo_id, owner_id = cur.fetchone()
    if owner_id != owner[1]:
        raise elsewhere or Conflict("uuid_used_elsewhere", field="uuid")
    return photo_id, created


def _report(conn: Conn, report_uuid: str, user: User) -> int:
    """The report's id, if this user may touch it (facilitators only in their neighbourhoods); a report
    elsewhere is not found, exactly like one that does not exist, so its UUID tells nothing."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, area_id FROM report WHERE uuid = %s", (checked_uuid("report", report_uuid),))
        row = cur.fetchone()
    if row is None or not user.covers_area(row[1]):
        raise NotFound("report_with_uuid", report_uuid=report_uuid, field="report")
    return row[0]


def add_photo(conn: Conn, *, report_uuid: str, photo_uuid: str, data: bytes, user: User) -> PhotoResult:
    """Attach one image to a report; the same photo UUID again returns the first upload unchanged."""
    photo_uuid = checked_uuid("uuid", photo_uuid)
    # Who may touch the report is checked before the file, so a refusal tells nothing about the upload.
    report_id = _report(conn, report_uuid, user)
    elsewhere = Conflict("photo_belongs_another_report", photo_uuid=photo_uuid, field="uuid")
    photo_id, created = store_photo(
        conn, "report_photo", ("report_id", report_id), photo_uuid, data, user, elsewhere=elsewhere
    )
    return PhotoResult(photo_id, photo_uuid, report_id, created=created)


def get_photo(conn: Conn, *, report_uuid: str, photo_uuid: str, user: User) -> tuple[str, bytes, str]:
    """(content type, bytes, sha256) of one photo of a report the user may see."""
    report_id = _report(conn, report_uuid, user)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT content_type, bytes, sha256 FROM report_photo WHERE uuid = %s AND report_id = %s",
            (checked_uuid("photo", photo_uuid), report_id),
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
