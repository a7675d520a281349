"""Scratch folders for uploaded files while they are read: named after the process that made them, so what a
killed process left behind can be told from what a running one still uses, and removed at the next start.

A folder is removed on every way out of its `with` block (an error, a refused file, a client gone); only a
process killed outright (SIGKILL, power cut) leaves one, and `sweep` clears those. Import jobs keep their file
in the database, not here, so sweeping never takes a file a queued or running job still needs.
"""

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "safemap-upload-"
_OWNED = re.compile(rf"{re.escape(PREFIX)}(\d+)-")
log = logging.getLogger(__name__)


def folder() -> tempfile.TemporaryDirectory:
    """A new scratch folder in TMPDIR, removed when its `with` block ends however it ends."""
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the scratch folders whose process is gone (killed mid-upload); returns what was removed."""
    base = Path(root or tempfile.gettempdir())
    removed = []
    for entry in base.glob(f"{PREFIX}*"):
        owner = _OWNED.match(entry.name)
        if owner is None or not entry.is_dir() or _running(int(owner[1])):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    if removed:
        log.info("removed %d upload folder(s) left by a stopped process", len(removed))
    return removed
