"""What an import keeps is for staff: a letter's scan, a batch's rows and the import pages answer only roles
that read imports (gis/access.py's import.read); anyone else gets the same refusal whatever the batch, and the
public nothing at all."""

import io

import pytest
from PIL import Image

from gis.access import ROLE_CODES, may
from gis.db import transaction
from gis.intake.files.letters import Letter, save_letter

READS = [
    "/api/imports/batches/{batch}",
    "/api/imports/batches/{batch}/scan",
    "/imports",
    "/imports/{batch}",
]


@pytest.fixture
def batch(db_url: str) -> int:
    scan = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(scan, "PNG")
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO import_batch (source, file_name, file_sha256, file_format) VALUES"
            " ('mayor', 'letter.xlsx', repeat('a', 64), 'xlsx') RETURNING id"
        )
        found = cur.fetchone()[0]
        save_letter(conn, found, Letter("۱۲۳", None, "ناحیه ۲", scan.getvalue()))
    return found


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", ["anonymous", *ROLE_CODES])
def test_only_staff_read_imports(client, role_tokens, batch, role, path) -> None:
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {role_tokens[role]}"}
    url = path.format(batch=batch)
    answer = client.get(url, headers=headers, follow_redirects=False)
    missing = client.get(path.format(batch=batch + 1000), headers=headers, follow_redirects=False)
    if role != "anonymous" and may(role, "import.read"):
        assert answer.status_code == 200
        return
    expected = {303} if role == "anonymous" and not url.startswith("/api/") else {401, 403}
    assert answer.status_code in expected, answer.text
    assert missing.status_code == answer.status_code  # a batch that exists is refused like one that does not
    assert "۱۲۳" not in answer.text and "letter.xlsx" not in answer.text
