"""A letter imported by mistake is withdrawn: its reports leave their spots, the spots' counts, priority and
stage are as before it (the withdrawal itself recorded in their history), a spot it alone founded is closed;
restoring puts everything back. Through the API and the command line."""

import io
import uuid

import pytest
from PIL import Image

from gis.db import transaction
from gis.intake.files.withdraw import LINKED
from tests.cli.test_cli import run
from tests.conftest import query_all
from tests.intake.conftest import inside

SPOTS = "SELECT id, report_count, source_count, priority, stage, status FROM spot ORDER BY id"


@pytest.fixture
def letter(db_url: str) -> bytes:
    """Two rows on existing open spots (at night: their priority moves) and one at a new place."""
    joined = query_all(
        db_url,
        "SELECT ST_X(geom), ST_Y(geom), category FROM spot WHERE status = 'open'"
        " AND GeometryType(geom) = 'POINT' AND stage > 1 ORDER BY id LIMIT 2",
    )
    lon, lat = inside(db_url, "2209")
    lines = ["lon,lat,category,description,time of day"]
    lines += [f"{x},{y},{category},همان جا,night" for x, y, category in joined]
    lines.append(f"{lon},{lat},vacant_lot,جای تازه,night")
    return "\n".join(lines).encode()


def test_withdrawing_a_letter_restores_its_spots_and_restoring_it_undoes_that(client, heads, db_url, letter):
    before = query_all(db_url, SPOTS)
    stages_before = query_all(
        db_url, "SELECT spot_id, kind, payload FROM spot_event WHERE kind = 'stage_changed'"
    )
    imported = client.post(
        "/api/imports/reports",
        files={"file": ("letter.csv", letter, "text/csv")},
        data={"ref": "۷۷/ن۲"},
        headers=heads["gis"],
    )
    assert imported.status_code == 201, imported.text
    result = imported.json()
    assert (result["accepted"], result["new_spots"]) == (3, 1)
    after_import = query_all(db_url, SPOTS)
    assert after_import != before[: len(after_import)]
    batch = result["batch_id"]

    refused = client.post(f"/api/imports/batches/{batch}/withdraw", headers=heads["viewer"])
    assert refused.status_code == 403
    answer = client.post(f"/api/imports/batches/{batch}/withdraw", headers=heads["gis"])
    assert answer.status_code == 200, answer.text
    withdrawn = answer.json()
    assert (withdrawn["reports"], len(withdrawn["spots"]), len(withdrawn["closed_spots"])) == (3, 3, 1)
    now = {row[0]: row for row in query_all(db_url, SPOTS)}
    assert [
        now[row[0]] for row in before
    ] == before  # counts, priority, stage and status as before the letter
    (founded,) = withdrawn["closed_spots"]
    assert now[founded][1:] == (0, 0, 0, 1, "rejected")
    assert query_all(db_url, "SELECT count(*) FROM report WHERE import_batch_id = %s", (batch,)) == [(0,)]
    assert query_all(
        db_url, "SELECT spot_id, kind, payload FROM spot_event WHERE kind = 'stage_changed'"
    ) == (stages_before)
    events = query_all(
        db_url, "SELECT spot_id, note FROM spot_event WHERE kind = 'import_withdrawn' ORDER BY spot_id"
    )
    assert events == [(spot, "۷۷/ن۲") for spot in withdrawn["spots"]]
    again = client.post(
        f"/api/imports/batches/{batch}/withdraw", headers=heads["gis"] | {"Accept-Language": "en"}
    )
    assert again.status_code == 409 and "already withdrawn" in again.json()["error"]["message"]

    # The same file is no longer "imported before": it could be imported anew; but first, undo.
    restored = client.post(f"/api/imports/batches/{batch}/restore", headers=heads["gis"])
    assert restored.status_code == 200, restored.text
    assert query_all(db_url, SPOTS) == after_import
    assert query_all(db_url, "SELECT count(*) FROM report WHERE import_batch_id = %s", (batch,)) == [(3,)]
    assert len(query_all(db_url, "SELECT 1 FROM spot_event WHERE kind = 'import_restored'")) == 3
    missing = client.post("/api/imports/batches/999999/withdraw", headers=heads["gis"])
    assert missing.status_code == 404


def test_the_command_line_withdraws_and_restores_a_batch(client, heads, db_url, letter):
    batch = client.post(
        "/api/imports/reports", files={"file": ("l.csv", letter, "text/csv")}, headers=heads["gis"]
    ).json()["batch_id"]
    after_import = query_all(db_url, SPOTS)
    env = {"DATABASE_URL": db_url, "SAFEMAP_LANG": "en"}
    out = run("import", "withdraw", str(batch), env=env)
    assert out.returncode == 0, out.stderr
    assert f"batch {batch}: 3 reports withdrawn from 3 spots" in out.stdout
    back = run("import", "withdraw", str(batch), "--restore", env=env)
    assert back.returncode == 0 and f"batch {batch}: 3 reports restored to 3 spots" in back.stdout
    assert query_all(db_url, SPOTS) == after_import


# Every row hanging on the letter's reports, as stored (photo bytes included).
LINKED_ROWS = """
    SELECT 'contact', to_jsonb(c)::text FROM report_contact c JOIN report r ON r.id = c.report_id
    WHERE r.import_batch_id = %(batch)s
    UNION ALL SELECT 'photo', to_jsonb(p)::text FROM report_photo p JOIN report r ON r.id = p.report_id
    WHERE r.import_batch_id = %(batch)s
    UNION ALL SELECT 'call', to_jsonb(f)::text FROM reporter_follow_up f JOIN report r ON r.id = f.report_id
    WHERE r.import_batch_id = %(batch)s
    ORDER BY 1, 2
"""


def test_a_letter_whose_report_gained_a_photo_a_contact_and_a_call_is_withdrawn_and_restored_whole(
    client, heads, db_url, letter
):
    """A photo added to an imported report once made the withdrawal fail on the photo's foreign key (a 500):
    what hangs on a report now leaves with it and comes back with it, unchanged."""
    batch = client.post(
        "/api/imports/reports", files={"file": ("l.csv", letter, "text/csv")}, headers=heads["gis"]
    ).json()["batch_id"]
    (report_id, report_uuid, spot_id), *_ = query_all(
        db_url, "SELECT id, uuid::text, spot_id FROM report WHERE import_batch_id = %s ORDER BY id", (batch,)
    )
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 40)).save(image, format="PNG")
    uploaded = client.post(
        f"/api/reports/{report_uuid}/photos",
        data={"uuid": str(uuid.uuid4())},
        files={"file": ("p.png", image.getvalue(), "image/png")},
        headers=heads["gis"],
    )
    assert uploaded.status_code == 201, uploaded.text
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO report_contact (report_id, name, phone) VALUES (%s, 'مریم', '09120000000')",
            (report_id,),
        )
        cur.execute(
            "INSERT INTO reporter_follow_up (report_id, spot_id, answer) VALUES (%s, %s, 'safer')",
            (report_id, spot_id),
        )
    linked = query_all(db_url, LINKED_ROWS, {"batch": batch})
    assert [kind for kind, _ in linked] == ["call", "contact", "photo"]

    answer = client.post(f"/api/imports/batches/{batch}/withdraw", headers=heads["gis"])
    assert answer.status_code == 200, answer.text
    assert query_all(db_url, "SELECT count(*) FROM report_photo WHERE report_id = %s", (report_id,)) == [(0,)]
    gone = client.get(f"/api/reports/{report_uuid}/photos/{uploaded.json()['uuid']}", headers=heads["gis"])
    assert gone.status_code == 404

    restored = client.post(f"/api/imports/batches/{batch}/restore", headers=heads["gis"])
    assert restored.status_code == 200, restored.text
    assert query_all(db_url, LINKED_ROWS, {"batch": batch}) == linked
    photo = client.get(f"/api/reports/{report_uuid}/photos/{uploaded.json()['uuid']}", headers=heads["gis"])
    assert photo.status_code == 200 and photo.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_table_pointing_at_report_is_kept_with_a_withdrawn_report(db_url):
    """A new table with a foreign key to report must be named in LINKED, or withdrawing would fail on it."""
    tables = query_all(
        db_url,
        "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND confrelid = 'report'::regclass ORDER BY 1",
    )
    assert [table for (table,) in tables] == sorted(LINKED)
