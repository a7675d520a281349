"""Batches as the letters they came with: the letter's number, date, sending office and its scan, and what
became of each row. The scan is staff-only and, like photos, lives in the database beside its batch (kept
by the same backups); an image is kept as its pixels only (gis.intake.photos.clean_image), a PDF as sent.
"""

from dataclasses import dataclass
from datetime import date

from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput, NotFound
from gis.intake.photos import clean_image

SCAN_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def clean_scan(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes) of a letter's scan: a PDF as sent, an image re-encoded from its pixels."""
    refused = InvalidInput("scan", "scan_pdf_or_image", mb=SCAN_MAX_BYTES // 1024 // 1024)
    if not data or len(data) > SCAN_MAX_BYTES:
        raise refused
    if data.startswith(PDF_MAGIC):
        return "application/pdf", data
    try:
        return clean_image(data)
    except InvalidInput as exc:
        raise refused from exc


@dataclass(frozen=True)
class Letter:
    """The covering letter a file came with, as the GIS office files it, with its scan if one was sent."""

    number: str
    letter_date: date | None
    office: str
    scan: bytes | None = None
    scan_name: str = ""


def save_letter(conn: Conn, batch_id: int, letter: Letter, *, user_id: int | None = None) -> dict:
    """Keep the letter with its batch (sending it again replaces it; a scan sent before stays if none is)."""
    kind, data = clean_scan(letter.scan) if letter.scan else (None, None)
    number, office = letter.number.strip(), letter.office.strip()
    with dict_cursor(conn) as cur:
        cur.execute("SELECT 1 FROM import_batch WHERE id = %s", (batch_id,))
        if cur.fetchone() is None:
            raise NotFound("no_such_import_batch", field="batch", batch_id=batch_id)
        cur.execute(
            """
            INSERT INTO import_letter (batch_id, number, letter_date, office, scan, scan_type, scan_name,
                                       created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (batch_id) DO UPDATE SET number = EXCLUDED.number, letter_date = EXCLUDED.letter_date,
                office = EXCLUDED.office,
                scan = coalesce(EXCLUDED.scan, import_letter.scan),
                scan_type = coalesce(EXCLUDED.scan_type, import_letter.scan_type),
                scan_name = CASE WHEN EXCLUDED.scan IS NULL THEN import_letter.scan_name
                                 ELSE EXCLUDED.scan_name END
            RETURNING batch_id, number, letter_date, office, scan_type, scan_name
            """,
            (batch_id, number, letter.letter_date, office, data, kind, letter.scan_name, user_id),
        )
        return cur.fetchone()


def letter_scan(conn: Conn, batch_id: int) -> tuple[str, bytes, str]:
    """(content type, bytes, file name) of a batch's scan; NotFound when it has none."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT scan_type, scan, scan_name FROM import_letter WHERE batch_id = %s AND scan IS NOT NULL",
            (batch_id,),
        )
        for kind, data, name in cur:
            return kind, bytes(data), name
    raise NotFound("no_letter_scan", field="batch", batch_id=batch_id)


BATCHES_SQL = """
SELECT b.id, b.file_name, b.file_format, b.source, b.source_ref, b.rows_read, b.accepted, b.duplicates,
       b.rejected, b.partial, b.imported_at, b.withdrawn_at, u.username AS imported_by,
       u.full_name AS imported_by_name,
       l.number AS letter_number, l.letter_date, l.office, l.scan_type IS NOT NULL AS has_scan, l.scan_name,
       (SELECT count(DISTINCT r.spot_id) FROM report r WHERE r.import_batch_id = b.id) AS spots,
       (SELECT count(DISTINCT r.spot_id) FROM report r JOIN spot s ON s.id = r.spot_id
        WHERE r.import_batch_id = b.id AND s.status = 'open'
          AND s.location_precision IN ('address', 'neighbourhood')) AS to_place
FROM import_batch b
LEFT JOIN app_user u ON u.id = b.imported_by
LEFT JOIN import_letter l ON l.batch_id = b.id
WHERE %(batch)s::int IS NULL OR b.id = %(batch)s
ORDER BY b.id DESC
LIMIT %(limit)s
"""


def batches(conn: Conn, *, batch_id: int | None = None, limit: int = 500) -> list[dict]:
    """Every batch with its letter (number, date, office, whether a scan is kept), counts, who and when."""
    with dict_cursor(conn) as cur:
        cur.execute(BATCHES_SQL, {"batch": batch_id, "limit": limit})
        return cur.fetchall()


def batch(conn: Conn, batch_id: int) -> dict:
    """One batch as `batches` gives it; NotFound when there is none."""
    found = batches(conn, batch_id=batch_id, limit=1)
    if not found:
        raise NotFound("no_such_import_batch", field="batch", batch_id=batch_id)
    return found[0]


def batch_rows(conn: Conn, batch_id: int) -> list[dict]:
    """The reports a batch brought, by the file's row: where each went (its spot, the spot's stage)."""
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            SELECT r.id AS report_id, (r.provenance ->> 'row')::int AS row, r.category, c.label_fa,
                   c.label_en,
                   r.spot_id, s.stage, a.name_fa AS area_fa, coalesce(a.name_en, a.name_latin) AS area_en,
                   r.address
            FROM report r
            JOIN category c ON c.code = r.category
            LEFT JOIN spot s ON s.id = r.spot_id
            LEFT JOIN area a ON a.id = r.area_id
            WHERE r.import_batch_id = %s
            ORDER BY (r.provenance ->> 'row')::int NULLS LAST, r.id
            """,
            (batch_id,),
        )
        return cur.fetchall()
