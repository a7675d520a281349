"""Intake of report files: reading (read), column and name mapping (columns), row parsing (rows), and the
batch with its per-row validation report (batch)."""

from gis.intake.files.batch import (
    ImportRejected,
    ImportResult,
    RowOutcome,
    import_reports,
    list_batches,
    write_rejected,
)
from gis.intake.files.options import ImportOptions

__all__ = [
    "ImportOptions",
    "ImportRejected",
    "ImportResult",
    "RowOutcome",
    "import_reports",
    "list_batches",
    "write_rejected",
]
