"""Every kind of event the code writes has a Persian and an English label for the history pages."""

import re
from pathlib import Path

from gis.vocabulary import EVENT_KINDS

GIS = Path(__file__).resolve().parents[2] / "gis"
# Where kinds are written: the workflow's and hand edits' _event(...), SQL literals, aggregation and rebuild.
WRITES = (
    r'record_event\(\s*cur,\s*[\w.]+,\s*\w+,\s*"(\w+)"',
    r'record_transition\(\s*cur,\s*[\w.]+,\s*\w+,\s*"(\w+)"',
    r"spot_event \([^)]*\) VALUES \(%s, '(\w+)'",
    r'"(\w+)" if new else "(\w+)"',
    r'\(\s*cluster\.spot_id,\s*"(\w+)"',
)


def test_every_written_event_kind_has_labels():
    source = "\n".join(path.read_text(encoding="utf-8") for path in GIS.rglob("*.py"))
    written = {
        kind
        for pattern in WRITES
        for match in re.findall(pattern, source)
        for kind in ([match] if isinstance(match, str) else match)
    }
    assert {"created", "report_attached", "verified", "site_visit", "stage_changed", "rebuilt"} <= written
    assert written <= set(EVENT_KINDS), written - set(EVENT_KINDS)
    assert all(fa and en for fa, en in EVENT_KINDS.values())
