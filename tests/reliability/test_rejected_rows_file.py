"""An import's rejected rows: the answer lists the first 100 and links the whole list as a CSV file.

A 1.9 MB zipped Shapefile with 300,000 rejected rows made a 137 MB error answer; now the answer stays small
whatever the count, and `rejected_url` serves every rejected row with its reasons, to staff who read imports
(anyone else signed in gets 404, as for a file that does not exist).
"""

import csv
import io
import time

from fastapi.testclient import TestClient

from tests.conftest import point_in


def _bad_csv(rows: int) -> bytes:
    lines = ["lon,lat,category,description"]
    lines += [f'not-a-number,35.7,vacant_lot,=HYPERLINK("x") {n}' for n in range(rows)]
    return "\n".join(lines).encode()


def _import(client: TestClient, body: bytes, heads: dict, **data: str):
    """The GIS office sends a CSV file to the import API."""
    files = {"file": ("bad.csv", body, "text/csv")}
    return client.post("/api/imports/reports", files=files, data=data, headers=heads["gis"])


def _read_csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def _wait_for_job(client: TestClient, job_id: int, gis: dict[str, str]) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/imports/{job_id}", headers=gis)
        if job.json()["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError("the import job did not end")


def test_a_job_with_5000_rejected_rows_answers_small_and_links_all_of_them(client, heads):
    started = _import(client, _bad_csv(5000), heads)
    assert started.status_code == 202, started.text[:300]
    answer = _wait_for_job(client, started.json()["id"], heads["gis"])
    job = answer.json()
    assert job["state"] == "failed" and job["rejected"] == 5000
    assert len(answer.content) < 100_000
    assert 0 < len(job["errors"]) <= 100
    assert job["rejected_url"] == f"/api/imports/{job['id']}/rejected.csv"
    table = _read_csv(client.get(job["rejected_url"], headers=heads["gis"]))
    assert table[0][:2] == ["row", "field"] and len(table) == 5001
    assert all(line[2] for line in table[1:])  # every row with its reason
    assert {line[0] for line in table[1:]} == {str(n) for n in range(2, 5002)}
    assert client.get(job["rejected_url"], headers=heads["viewer"]).status_code == 404


def test_an_all_or_nothing_file_refused_in_the_request_links_its_rejected_rows(client, heads):
    answer = _import(client, _bad_csv(900), heads)
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert (error["rows_total"], len(error["rows"])) == (900, 100)
    assert error["rejected_url"].startswith("/api/imports/")
    table = _read_csv(client.get(error["rejected_url"], headers=heads["gis"]))
    assert len(table) == 901
    # The sender's own text stays inert in a spreadsheet.
    assert all(not line[-1].startswith("=") for line in table[1:])
    assert client.get(error["rejected_url"], headers=heads["viewer"]).status_code == 404
    assert client.get(error["rejected_url"]).status_code in (401, 404)


def test_a_partial_import_links_its_rejected_rows(client, heads, db_url):
    lon, lat = point_in(db_url, "2201")
    body = _bad_csv(3) + f"\n{lon},{lat},vacant_lot,fine".encode()
    answer = _import(client, body, heads, partial="true")
    assert answer.status_code == 201, answer.text[:300]
    result = answer.json()
    assert (result["accepted"], result["rejected"]) == (1, 3)
    assert result["rejected_url"] == f"/api/imports/batches/{result['batch_id']}/rejected.csv"
    table = _read_csv(client.get(result["rejected_url"], headers=heads["gis"]))
    assert [line[0] for line in table[1:]] == ["2", "3", "4"]
    missing = client.get("/api/imports/batches/999999/rejected.csv", headers=heads["gis"])
    assert missing.status_code == 404
