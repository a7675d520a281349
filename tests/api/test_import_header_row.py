"""The header row can be forced (header_row) for a file of any size: a job (over 1,000 rows) keeps it."""

import psycopg2
import pytest

from gis.db import transaction
from tests.api.letters import finished_job
from tests.conftest import bearer_headers

ROWS = 1100


@pytest.fixture
def gis(db_url: str) -> dict[str, str]:
    with transaction(db_url) as conn:
        return bearer_headers(conn, "gis-header", "gis_office")


def test_a_forced_header_row_is_kept_by_the_job(client, gis, db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints("
            " ST_Buffer(ST_Union(geom)::geography, -100)::geometry, %s, 7))).geom AS p"
            " FROM area WHERE level = 'neighbourhood') q",
            (ROWS,),
        )
        places = cur.fetchall()
    # A legend line naming two fields sits above the real headers: only header_row says which is which.
    lines = ["category,description", "lon,lat,category,description"]
    lines += [f"{lon:.6f},{lat:.6f},vacant_lot,lot {n}" for n, (lon, lat) in enumerate(places)]
    body = "\n".join(lines).encode()
    started = client.post(
        "/api/imports/reports",
        files={"file": ("legend.csv", body, "text/csv")},
        data={"header_row": "2"},
        headers=gis,
    )
    assert started.status_code == 202, started.text[:300]
    job = finished_job(client, started.headers["location"], gis)
    assert (job["state"], job["accepted"], job["rejected"]) == ("done", ROWS, 0), job["message"]
