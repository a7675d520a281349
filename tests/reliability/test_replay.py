"""Offline replays: a tablet that lost its connection resends the same submission; only one report results."""

import threading
import uuid

import psycopg2

from gis.intake.reports import ReportCreate, submit_report

COPIES = 5


def _replay_concurrently(db_url: str, report: ReportCreate) -> list:
    """Submit `report` from COPIES connections released at the same instant; each commits its own result."""
    barrier = threading.Barrier(COPIES)
    results: list = [None] * COPIES

    def send(i: int) -> None:
        conn = psycopg2.connect(db_url)
        try:
            barrier.wait(timeout=10)
            results[i] = submit_report(conn, report)
            conn.commit()
        except Exception as exc:  # the assertion below reports whatever a sender hit
            results[i] = exc
            conn.rollback()
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_same_submission_five_times_concurrently_creates_one_report(db_url, conn):
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report")
        reports_before = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM spot")
        spots_before = cur.fetchone()[0]
    conn.rollback()
    client_uuid = str(uuid.uuid4())
    # A place far from every demo spot, so the replays would each make a new spot if they were not one.
    report = ReportCreate(
        source="field",
        category="vacant_lot",
        lon=51.0952,
        lat=35.7461,
        uuid=client_uuid,
        description="replayed from an offline tablet",
    )
    results = _replay_concurrently(db_url, report)
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.report_id for r in results}) == 1
    assert len({r.spot_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE uuid = %s", (client_uuid,))
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM report")
        assert cur.fetchone()[0] == reports_before + 1
        cur.execute("SELECT count(*) FROM spot")
        assert cur.fetchone()[0] == spots_before + 1
        cur.execute("SELECT report_count FROM spot WHERE id = %s", (results[0].spot_id,))
        assert cur.fetchone()[0] == 1
