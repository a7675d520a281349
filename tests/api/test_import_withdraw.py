"""A letter imported by mistake is withdrawn: its reports leave their spots, the spots' counts, priority and
stage are as before it (the withdrawal itself recorded in their history), a spot it alone founded is closed;
restoring puts everything back. Through the API and the command line."""

import pytest

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
