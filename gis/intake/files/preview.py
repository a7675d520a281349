"""What the import page shows before anything is stored: the columns matched to fields, the first rows as
they will be read, every word to map, and the check — the whole import run and rolled back, so every
problem of every row (and every duplicate) is found by the same code that imports (`batch.check_file`)."""

from pathlib import Path

from gis.db import Conn
from gis.intake.files.adjust import Adjustments
from gis.intake.files.batch import adjusted_mapping, check_file, is_blank
from gis.intake.files.jobs import SYNC_ROWS
from gis.intake.files.mapping import ValueMapper
from gis.intake.files.options import ImportOptions
from gis.intake.files.read import open_table

FIRST_ROWS = 10


def cell_text(value: object) -> str:
    """A cell as the page shows it."""
    return "" if value is None else str(value)


def preview(
    conn: Conn,
    path: Path,
    options: ImportOptions,
    *,
    file_name: str,
    chosen: dict[str, str] | None = None,
    fixes: dict[int, dict[str, str]] | None = None,
    dates: dict[str, str] | None = None,
) -> dict:
    """The file as the import would read it, and the check of every row (None for a file the import takes
    as a background job: `safemap import reports --dry-run` checks those); nothing is kept. The office's
    `fixes` and confirmed `dates` are applied as the import will apply them."""
    table = open_table(path)
    adjust = Adjustments(chosen or {}, fixes or {}, dates or {})
    mapping = adjusted_mapping(table.columns, adjust)
    mapper = ValueMapper(conn, mapping, dates=adjust.dates)
    first: list[dict] = []
    blank = 0
    for row in adjust.rows(table.rows):
        if is_blank(row.values, row.geometry):
            blank += 1
            continue
        if row.total:  # the list's totals row: the import skips it too
            continue
        if len(first) < FIRST_ROWS:
            first.append({"row": row.number, "cells": [cell_text(row.values.get(c)) for c in table.columns]})
        mapper.add(row.number, row.values)
    return {
        "file": file_name,
        "format": table.format,
        "columns": table.columns,
        "mapping": mapping,
        "rows": first,
        "blank": blank,
        "unresolved": mapper.unresolved(),
        # A file large enough to be a background job is checked by that job, not in the request.
        "check": None
        if table.total > SYNC_ROWS
        else check_file(
            conn, path, options, file_name=file_name, columns=chosen, fixes=fixes, dates=dates
        ).as_dict(),
    }
