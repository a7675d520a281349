"""Importing a file of reports as one batch: every row accepted, rejected (field and reason) or a duplicate.

All-or-nothing by default: one rejected row and the import raises `ImportRejected` carrying the per-row
report, so the caller's transaction rolls everything back. With `partial`, the valid rows are kept and the
rejected ones are returned (and can be written to a file to fix and send again). Each row's report UUID is
derived from the source, the reference and the row's normalised content, so importing a file again, in any
format or row order, adds nothing; and the very same file (by its SHA-256) sent again under another letter
reference adds nothing either: each of its rows is a duplicate of the first batch's, named with its letter.
"""

import csv
import hashlib
import json
import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import psycopg2.extras
from pyproj import CRS
from pyproj.exceptions import CRSError

from gis.db import Conn
from gis.errors import InvalidInput, NotFound, text
from gis.intake.files.adjust import Adjustments
from gis.intake.files.columns import load_lookups, match_key
from gis.intake.files.mapping import match_columns
from gis.intake.files.options import ImportOptions
from gis.intake.files.read import Row, Table, open_table
from gis.intake.files.rows import RowParser
from gis.intake.reports import ReportCreate, SubmitResult, stored_reports, submit_reports
from gis.publish.exports import spreadsheet_cell

ROW_NAMESPACE = uuidlib.UUID("5a4e3a22-0137-4d22-9c22-1a2b3c4d5e6f")
# Valid rows are submitted this many at a time (a few statements per batch instead of several per row).
BATCH_ROWS = 5000
# Files longer than this lock the whole map for aggregation rather than cell by cell: a cell lock is held to
# commit, and tens of thousands of them overflow PostgreSQL's lock table ("out of shared memory").
LOCK_MAP_ROWS = 1000
# Rejected rows an answer lists: the whole list is the file at its `rejected_url` (300,000 rejected rows made
# a 137 MB answer).
LISTED_ROWS = 100


@dataclass
class RowOutcome:
    """What happened to one row: accepted, rejected (with field and reason) or duplicate."""

    row: int
    status: str
    field: str | None = None
    reason: str = ""
    reason_fa: str = ""  # the same reason from the catalogue in Persian, for the mayor's office
    report_id: int | None = None
    spot_id: int | None = None
    new_spot: bool = False
    values: dict[str, str] | None = None
    problems: list[dict] | None = None  # every field's reason: [{field, reason, reason_fa}]
    flags: list[dict] | None = None  # what a person should check: [{kind, field, message, message_fa, …}]

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "values"} | (
            {"values": self.values} if self.values else {}
        )

    def all_problems(self) -> list[dict]:
        """Every field's reason; a row refused for one reason has that one."""
        return self.problems or [{"field": self.field, "reason": self.reason, "reason_fa": self.reason_fa}]


@dataclass
class ImportResult:
    """The validation report of a file; `written` says whether the accepted rows were kept."""

    file_name: str
    file_format: str
    columns: list[str]
    mapping: dict[str, str]
    rows: list[RowOutcome] = field(default_factory=list)
    blank: int = 0
    batch_id: int | None = None
    previous_batch: int | None = None  # the first batch of the very same file, under any letter reference
    previous_ref: str = ""
    written: bool = False
    checked_only: bool = False  # a dry run: every row checked, nothing kept
    rejected_url: str | None = None
    header_row: int = 0
    skipped: list[int] = field(default_factory=list)  # rows above the headers (a title, blank rows)
    totals: list[int] = field(default_factory=list)  # a «جمع» row closing the list

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new_spots(self) -> int:
        return sum(1 for r in self.rows if r.new_spot)

    def summary(self) -> str:
        """One line: what the file held and what became of it."""
        text = (
            f"{self.file_name}: {self.count('accepted')} accepted ({self.new_spots} new spots), "
            f"{self.count('duplicate')} duplicate, {self.count('rejected')} rejected"
        )
        if self.blank:
            text += f", {self.blank} blank rows skipped"
        if self.skipped:
            text += f"; headers on row {self.header_row}, rows {_rows(self.skipped)} above them skipped"
        if self.totals:
            text += f"; totals row {_rows(self.totals)} skipped"
        if self.checked_only:
            text += " — a check only: nothing imported"
        elif not self.written:
            text += " — nothing imported (all or nothing: fix the rows, or import with --partial)"
        return text

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "format": self.file_format,
            "batch_id": self.batch_id,
            "previous_batch": self.previous_batch,
            "previous_ref": self.previous_ref if self.previous_batch else None,
            "written": self.written,
            "mapping": self.mapping,
            "accepted": self.count("accepted"),
            "duplicates": self.count("duplicate"),
            "rejected": self.count("rejected"),
            "new_spots": self.new_spots,
            "blank": self.blank,
            "header_row": self.header_row,
            "skipped_above_header": self.skipped,
            "totals_rows": self.totals,
            "rejected_url": self.rejected_url,
            "rows": [r.as_dict() for r in listed(self.rows)],
        }


def _rows(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def listed(rows: Iterable[RowOutcome]) -> list[RowOutcome]:
    """The rows an answer shows: all but the rejected ones past the first LISTED_ROWS."""
    shown, rejected = [], 0
    for row in rows:
        rejected += row.status == "rejected"
        if row.status != "rejected" or rejected <= LISTED_ROWS:
            shown.append(row)
    return shown


class ImportRejected(InvalidInput):
    """Some rows were rejected and the import was all-or-nothing: nothing may be kept."""

    def __init__(self, result: ImportResult) -> None:
        rejected = [r for r in result.rows if r.status == "rejected"]
        super().__init__(
            "file",
            f"{len(rejected)} of {len(result.rows)} rows rejected; nothing was imported "
            "(fix them, or import with --partial)",
            rows=[r.as_dict() for r in rejected],
        )
        self.result = result
        self.rejected_url: str | None = None  # set once the rows are kept where the link serves them


def check_crs(crs: str) -> str:
    """'auto', or a CRS pyproj knows ('32639', 'EPSG:32639'), as 'EPSG:nnnn' when it has a code."""
    if crs == "auto":
        return crs
    try:
        found = CRS.from_user_input(int(crs) if crs.isdigit() else crs)
    except CRSError as exc:
        raise InvalidInput("crs", "coordinate_reference_system_auto", crs=crs) from exc
    code = found.to_epsg()
    return f"EPSG:{code}" if code else found.to_string()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_uuid(report: ReportCreate) -> str:
    """The same place, category, text and date from the same source and letter → the same UUID."""
    content = [
        report.source,
        match_key(report.source_ref),
        report.category,
        None if report.lon is None else round(report.lon, 6),
        None if report.lat is None else round(report.lat, 6),
        report.geometry,
        report.area_code,
        match_key(report.description),
        match_key(report.address),
        report.reported_at.date().isoformat() if report.reported_at else None,
        report.time_of_day,
    ]
    return str(uuidlib.uuid5(ROW_NAMESPACE, json.dumps(content, ensure_ascii=False, sort_keys=True)))


def is_blank(values: dict[str, object], geometry: dict | None) -> bool:
    """A row with no geometry and no cell filled: skipped, not rejected."""
    return geometry is None and all(v is None or str(v).strip() == "" for v in values.values())


def cell_texts(values: dict[str, object]) -> dict[str, str]:
    """The row's cells as text, as a rejected row keeps them for its file."""
    return {k: "" if v is None else str(v) for k, v in values.items()}


def open_batch(conn: Conn, result: ImportResult, path: Path, options: ImportOptions) -> int:
    """Record the import (noting the first batch of the same file) so every report can point at it."""
    digest = file_sha256(path)
    earlier_batch(conn, result, digest)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO import_batch (source, source_ref, file_name, file_sha256, file_format,"
            " partial, imported_by) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                options.source,
                options.source_ref,
                result.file_name,
                digest,
                result.file_format,
                options.partial,
                options.actor_id,
            ),
        )
        return cur.fetchone()[0]


def earlier_batch(conn: Conn, result: ImportResult, digest: str, *, before: int | None = None) -> None:
    """Note in `result` the first batch that imported the very same file (before batch `before`)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, source_ref FROM import_batch WHERE file_sha256 = %s AND withdrawn_at IS NULL"
            " AND (%s::int IS NULL OR id < %s) ORDER BY id LIMIT 1",
            (digest, before, before),
        )
        found = cur.fetchone()
    result.previous_batch, result.previous_ref = found if found else (None, "")


def _close_batch(conn: Conn, batch_id: int, result: ImportResult) -> None:
    """Store what became of the rows; the accepted rows' reports carry batch_id since they were inserted."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_batch SET rows_read = %s, accepted = %s, duplicates = %s, rejected = %s"
            " WHERE id = %s",
            (
                len(result.rows),
                result.count("accepted"),
                result.count("duplicate"),
                result.count("rejected"),
                batch_id,
            ),
        )


def _submitted_outcome(number: int, outcome: SubmitResult) -> RowOutcome:
    """A submitted row: accepted, or a duplicate of a report an earlier import already holds."""
    if outcome.created:
        return RowOutcome(
            number,
            "accepted",
            report_id=outcome.report_id,
            spot_id=outcome.spot_id,
            new_spot=outcome.new_spot,
        )
    return RowOutcome(
        number,
        "duplicate",
        reason=text("already_imported"),
        reason_fa=text("already_imported", "fa"),
        report_id=outcome.report_id,
        spot_id=outcome.spot_id,
    )


class PendingRows:
    """Valid rows waiting to be submitted together, settled in row order as submitting one by one would."""

    def __init__(
        self,
        conn: Conn,
        result: ImportResult,
        *,
        batch_id: int,
        radius_m: float,
        actor_name: str,
        lock_map: bool,
    ) -> None:
        self.conn, self.result, self.batch_id = conn, result, batch_id
        self.radius_m, self.actor_name, self.lock_map = radius_m, actor_name, lock_map
        # Row UUID → the first row with that content that was accepted or found already imported.
        self.seen: dict[str, int] = {}
        # (index in result.rows, row, report, key, values); report is None when the row repeats a waiting one.
        self.pending: list[tuple[int, int, ReportCreate | None, str, dict]] = []
        self.waiting: set[str] = set()
        # Rows of a file imported before under another letter: (index, row, report, key, values, the UUID
        # the row got in that first batch).
        self.copies: list[tuple[int, int, ReportCreate, str, dict, str]] = []
        # (row, report) of the rows that repeat a report stored before, kept with the batch at each flush.
        self.repeats: list[tuple[int, int]] = []

    def add(self, number: int, report: ReportCreate, key: str, values: dict[str, str]) -> None:
        """Hold a valid row for the next batch, submitting the batch once it is full."""
        self.result.rows.append(RowOutcome(number, "pending"))
        index = len(self.result.rows) - 1
        first_ref = self.result.previous_ref
        if self.result.previous_batch is not None and match_key(first_ref) != match_key(report.source_ref):
            first = row_uuid(replace(report, source_ref=first_ref))
            self.copies.append((index, number, report, key, values, first))
            if len(self.copies) >= BATCH_ROWS:
                self.flush()
            return
        self._hold(index, number, report, key, values)

    def _hold(self, index: int, number: int, report: ReportCreate, key: str, values: dict[str, str]) -> None:
        if key in self.waiting:
            self.pending.append((index, number, None, key, values))
            return
        self.pending.append((index, number, report, key, values))
        self.waiting.add(key)
        if len(self.waiting) >= BATCH_ROWS:
            self.flush()

    def _settle_copies(self) -> None:
        """A row the first batch of the same file holds is a duplicate of it; any other row is imported."""
        copies, self.copies = self.copies, []
        found = stored_reports(self.conn, [c[5] for c in copies])
        batch, ref = self.result.previous_batch, self.result.previous_ref
        for index, number, report, key, values, first in copies:
            if first not in found:
                self._hold(index, number, report, key, values)
                continue
            report_id, spot_id = found[first]
            self.repeats.append((number, report_id))
            self.result.rows[index] = RowOutcome(
                number,
                "duplicate",
                reason=text("flag_same_file", ref=ref, batch=batch),
                reason_fa=text("flag_same_file", "fa", ref=ref, batch=batch),
                report_id=report_id,
                spot_id=spot_id,
            )

    def flush(self) -> None:
        """Submit the waiting rows and settle each pending row's outcome."""
        if self.copies:
            self._settle_copies()
        submitted = iter(
            submit_reports(
                self.conn,
                [p[2] for p in self.pending if p[2] is not None],
                radius_m=self.radius_m,
                actor_name=self.actor_name,
                import_batch_id=self.batch_id,
                lock_map=self.lock_map,
            )
        )
        rejected: dict[str, InvalidInput] = {}
        for index, number, report, key, values in self.pending:
            outcome: SubmitResult | InvalidInput | None = next(submitted) if report is not None else None
            if report is None:  # the same content as an earlier row of this batch
                if key in self.seen:
                    self.result.rows[index] = _repeat(number, self.seen[key])
                    continue
                outcome = rejected[key]
            if isinstance(outcome, InvalidInput):
                rejected.setdefault(key, outcome)
                self.result.rows[index] = rejected_outcome(number, outcome, values)
                continue
            self.seen[key] = number
            self.result.rows[index] = _submitted_outcome(number, outcome)
            self.result.rows[index].flags = report.provenance.get("flags") if report is not None else None
            if not outcome.created:
                self.repeats.append((number, outcome.report_id))
        self.pending.clear()
        self.waiting.clear()
        keep_repeats(self.conn, self.batch_id, self.repeats)
        self.repeats.clear()


def keep_repeats(conn: Conn, batch_id: int, repeats: list[tuple[int, int]]) -> None:
    """Note which stored report each of the batch's duplicate rows repeats (the summary links to them)."""
    if repeats:
        with conn.cursor() as cur:
            psycopg2.extras.execute_values(
                cur,
                "INSERT INTO import_duplicate_row (batch_id, row_number, report_id) VALUES %s"
                " ON CONFLICT DO NOTHING",
                [(batch_id, number, report_id) for number, report_id in repeats],
            )


def parse_row(
    parser: RowParser, row: Row, result: ImportResult, seen: dict[str, int]
) -> tuple[ReportCreate, str] | None:
    """The row's report and UUID; None, its outcome recorded, when it is rejected or a repeat."""
    try:
        report = parser.parse(row.values, row.geometry)
        key = row_uuid(report)
        if key in seen:
            result.rows.append(_repeat(row.number, seen[key]))
            return None
    except InvalidInput as exc:
        values = cell_texts(row.values)
        result.rows.append(rejected_outcome(row.number, exc, values))
        return None
    return report, key


def import_reports(
    conn: Conn,
    path: Path,
    options: ImportOptions,
    *,
    file_name: str | None = None,
    columns: dict[str, str] | None = None,
    fixes: dict[int, dict[str, str]] | None = None,
    dates: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row of a file and submit the valid ones; see the module for the all-or-nothing rule.

    `progress(done, total)` is called as rows are read (total is an estimate for CSV files); `columns`
    (column → field, '-' leaves a column out) overrides how headers are matched to fields
    (`mapping.parse_map`); `fixes` and `dates` are the cells the office fixed and the date readings it
    confirmed (`adjust`).
    """
    name = file_name or path.name
    adjust = Adjustments(columns or {}, fixes or {}, dates or {})
    table, mapping, parser = open_rows(conn, path, options, adjust)
    result = ImportResult(name, table.format, table.columns, mapping)
    result.header_row, result.skipped = table.header_row, table.skipped
    batch_id = open_batch(conn, result, path, options)
    rows = PendingRows(
        conn,
        result,
        batch_id=batch_id,
        radius_m=options.radius_m,
        actor_name=options.actor_name,
        lock_map=table.total > LOCK_MAP_ROWS,
    )
    for done, row in enumerate(table.rows, start=1):
        if progress is not None:
            progress(done, max(table.total, done))
        if is_blank(row.values, row.geometry):
            result.blank += 1
            continue
        if row.total:
            result.totals.append(row.number)
            continue
        parsed = parse_row(parser, row, result, rows.seen)
        if parsed is None:
            continue
        report, key = parsed
        report.uuid, report.created_by = key, options.actor_id
        report.provenance = {"import_batch": batch_id, "file": name, "row": row.number} | report.provenance
        rows.add(row.number, report, key, cell_texts(row.values))
    rows.flush()
    if result.count("rejected") and not options.partial:
        raise ImportRejected(result)
    _close_batch(conn, batch_id, result)
    if keep_rejected(conn, result.rows, batch_id=batch_id):
        result.rejected_url = rejected_url(batch_id=batch_id)
    result.batch_id, result.written = batch_id, True
    return result


def open_rows(
    conn: Conn, path: Path, options: ImportOptions, adjust: Adjustments
) -> tuple[Table, dict[str, str], RowParser]:
    """The file opened with its rows as the office adjusted them, report field → column, and the rows'
    parser: what the import at once and the job both read."""
    crs = options.crs
    table = open_table(path, crs=None if crs == "auto" else check_crs(crs), header_row=options.header_row)
    mapping = adjusted_mapping(table.columns, adjust)
    parser = RowParser(
        mapping, load_lookups(conn), options.source, options.source_ref, check_crs(crs), adjust.dates
    )
    table.rows = adjust.rows(table.rows)
    return table, mapping, parser


def adjusted_mapping(columns: list[str], adjust: Adjustments) -> dict[str, str]:
    """Report field → column with the office's choices; a fixed cell must be in a column of the file."""
    for cells in adjust.fixes.values():
        for column in cells:
            if column not in columns:
                raise InvalidInput("fix", "map_column_unknown", column=column, columns=", ".join(columns))
    return match_columns(columns, adjust.columns)


def check_file(conn: Conn, path: Path, options: ImportOptions, **rest: object) -> ImportResult:
    """Every row as the import would take it — every problem of every row, duplicates, flags, new spots —
    with nothing kept: the import itself runs (partial) inside a savepoint that is rolled back. `rest` are
    `import_reports`' other arguments."""
    with conn.cursor() as cur:
        cur.execute("SAVEPOINT import_check")
    try:
        result = import_reports(conn, path, replace(options, partial=True), **rest)  # type: ignore[arg-type]
    finally:
        with conn.cursor() as cur:
            cur.execute("ROLLBACK TO SAVEPOINT import_check")
    result.batch_id, result.written, result.rejected_url, result.checked_only = None, False, None, True
    for row in result.rows:
        if row.status == "accepted":  # the report and a new spot were rolled back with the rest
            row.report_id = None
            row.spot_id = None if row.new_spot else row.spot_id
    return result


def _repeat(number: int, first: int) -> RowOutcome:
    """A row with the same content as an earlier row of the file."""
    reason, reason_fa = text("same_as_row", row=first), text("same_as_row", "fa", row=first)
    return RowOutcome(number, "duplicate", reason=reason, reason_fa=reason_fa)


def rejected_outcome(number: int, exc: InvalidInput, values: dict[str, str]) -> RowOutcome:
    """A refused row: the field, and the reason in English and Persian from the catalogue; `problems` holds
    every field's when the row has several."""
    problems = [
        {"field": p.field, "reason": p.reason_text("en"), "reason_fa": p.reason_text("fa")}
        for p in getattr(exc, "problems", [exc])
    ]
    several = len(problems) > 1
    reason = "; ".join(f"{p['field']}: {p['reason']}" if several else p["reason"] for p in problems)
    reason_fa = "؛ ".join(f"{p['field']}: {p['reason_fa']}" if several else p["reason_fa"] for p in problems)
    return RowOutcome(number, "rejected", exc.field, reason, reason_fa, values=values, problems=problems)


REJECTED_HEADER = ["row", "field", "reason", "reason_fa"]


def _rejected_line(outcome: RowOutcome, columns: list[str]) -> list[str]:
    """One rejected row as the file writes it: every problem, then the row's own cells, defused."""
    problems = outcome.all_problems()
    values = outcome.values or {}
    cells = [
        outcome.row,
        ", ".join(p["field"] or "" for p in problems),
        "; ".join(p["reason"] for p in problems),
        "؛ ".join(p.get("reason_fa") or "" for p in problems),
        *(values.get(c, "") for c in columns),
    ]
    return [spreadsheet_cell(cell) for cell in cells]


def write_rejected_rows(handle: IO[str], columns: list[str], outcomes: Iterable[RowOutcome]) -> int:
    """Rejected rows as CSV on an open text handle: row, fields, reasons (English, Persian), the cells."""
    writer = csv.writer(handle)
    writer.writerow(REJECTED_HEADER + columns)
    count = 0
    for outcome in outcomes:
        if outcome.status == "rejected":
            writer.writerow(_rejected_line(outcome, columns))
            count += 1
    return count


def write_rejected(path: Path, result: ImportResult) -> int:
    """The rejected rows: row, field, reason and the original columns, as UTF-8 CSV that Excel opens (a cell
    that would start a formula is quoted as in the exports)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        return write_rejected_rows(handle, result.columns, result.rows)


def rejected_url(*, job_id: int | None = None, batch_id: int | None = None) -> str:
    """Where the whole list of an import's rejected rows is served."""
    if job_id is not None:
        return f"/api/imports/{job_id}/rejected.csv"
    return f"/api/imports/batches/{batch_id}/rejected.csv"


def keep_rejected(
    conn: Conn, outcomes: Iterable[RowOutcome], *, job_id: int | None = None, batch_id: int | None = None
) -> int:
    """Store the rejected rows among `outcomes` for the rejected-rows file; returns how many."""
    rows = [
        (
            job_id,
            batch_id,
            o.row,
            psycopg2.extras.Json(o.all_problems()),
            psycopg2.extras.Json(list((o.values or {}).items())),
        )
        for o in outcomes
        if o.status == "rejected"
    ]
    if rows:
        with conn.cursor() as cur:
            psycopg2.extras.execute_values(
                cur,
                "INSERT INTO import_rejected_row (job_id, batch_id, row_number, problems, cells) VALUES %s",
                rows,
                page_size=1000,
            )
    return len(rows)


def _rejected_where(job_id: int | None, batch_id: int | None) -> tuple[str, tuple]:
    if job_id is not None:
        return "job_id = %s", (job_id,)
    return "batch_id = %s", (batch_id,)


def copy_rejected(
    conn: Conn, handle: IO[str], *, job_id: int | None = None, batch_id: int | None = None
) -> int:
    """Write every kept rejected row of a job or batch to `handle` as CSV (streamed from the database);
    NotFound when there is none, as for a job or batch that does not exist."""
    where, params = _rejected_where(job_id, batch_id)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT cells FROM import_rejected_row WHERE {where} ORDER BY jsonb_array_length(cells) DESC"
            " LIMIT 1",
            params,
        )
        widest = cur.fetchone()
    if widest is None:
        raise NotFound("no_rejected_rows", field="job" if job_id is not None else "batch")
    columns = [column for column, _ in widest[0]]
    with conn.cursor(name="rejected_rows") as cur:
        cur.itersize = 2000
        cur.execute(
            f"SELECT row_number, problems, cells FROM import_rejected_row WHERE {where}"
            " ORDER BY row_number, id",
            params,
        )
        outcomes = (
            RowOutcome(number, "rejected", problems=problems, values=dict(cells))
            for number, problems, cells in cur
        )
        return write_rejected_rows(handle, columns, outcomes)


def list_batches(conn: Conn, *, limit: int = 100) -> list[dict]:
    """The latest imports: which file, from whom, under which letter, and what became of its rows."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT json_build_object('id', b.id, 'file', b.file_name, 'format', b.file_format,
                       'source', b.source, 'source_ref', b.source_ref, 'sha256', b.file_sha256,
                       'rows', b.rows_read,
                       'accepted', b.accepted, 'duplicates', b.duplicates, 'rejected', b.rejected,
                       'partial', b.partial, 'imported_by', u.username, 'imported_at', b.imported_at,
                       'withdrawn_at', b.withdrawn_at)
            FROM import_batch b LEFT JOIN app_user u ON u.id = b.imported_by
            ORDER BY b.id DESC LIMIT %s
            """,
            (limit,),
        )
        return [row[0] for row in cur.fetchall()]
