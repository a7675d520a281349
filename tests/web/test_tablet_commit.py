"""The tablet forgets an item only on a 2xx, and a 2xx means the write is committed.

- A commit that fails after the route returned (a deferred constraint trigger raising at COMMIT, installed in
  this test's own database) answers an error, stores nothing, and the tablet keeps the item until the fault
  is gone, then sends it once.
- The server killed (SIGKILL) between the tablet's send and its answer: the tablet does not know whether the
  report was stored, sends it again with the same UUID to the restarted server, and the server holds it once.
"""

import time

import httpx
import psycopg2
import pytest

from gis.db.cluster import free_port
from tests.servers import start_uvicorn
from tests.web.conftest import open_tablet
from tests.web.test_field import _counts, _fill_report, _reports_by

pytestmark = pytest.mark.browser

DESKTOP_TABLET = {"width": 1024, "height": 768}
FAULT = """
    CREATE TABLE test_commit_fault (active boolean NOT NULL, action text NOT NULL);
    CREATE FUNCTION test_commit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT active AND action = 'fail' FROM test_commit_fault) THEN
            RAISE EXCEPTION 'test fault: the commit fails';
        ELSIF (SELECT active AND action = 'sleep' FROM test_commit_fault) THEN
            PERFORM pg_sleep(4);
        END IF;
        RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER report_test_commit_fault AFTER INSERT ON report
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_commit_fault();
"""


def _fault(db_url: str, action: str | None) -> None:
    """Install the fault (once) and set what COMMIT of a new report does: fail, sleep, or nothing."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('test_commit_fault') IS NOT NULL")
        if not cur.fetchone()[0]:
            cur.execute(FAULT)
            cur.execute("INSERT INTO test_commit_fault VALUES (false, 'none')")
        cur.execute(
            "UPDATE test_commit_fault SET active = %s, action = %s", (action is not None, action or "none")
        )


def test_a_commit_that_fails_answers_an_error_and_stores_nothing(live_url, field, db_url):
    _fault(db_url, "fail")
    lat, lon = field["points"][1]
    with httpx.Client(base_url=live_url, timeout=30) as http:
        assert http.post("/api/auth/login", json={"username": "sara", "password": "s3cret-sara"}).is_success
        answer = http.post(
            "/api/reports",
            headers={"X-CSRF-Token": http.cookies["safemap_csrf"]},
            json={
                "uuid": "0b0e5f0c-1a2b-4c3d-8e9f-000000000001",
                "category": "poor_lighting",
                "lat": lat,
                "lon": lon,
            },
        )
    assert answer.status_code >= 500, answer.text
    assert set(answer.json()["error"]) >= {"code", "message"}
    assert _reports_by(db_url, "sara") == []


def test_the_tablet_keeps_a_report_whose_commit_failed_and_sends_it_once_later(
    browser, live_url, field, db_url
):
    page = open_tablet(browser, live_url, field["points"][0], viewport=DESKTOP_TABLET)
    _fault(db_url, "fail")
    _fill_report(page, "vacant_lot", "زمین خالی کنار پارک", gps=field["points"][1], context=page.context)
    page.click("#submit")
    page.wait_for_function("() => document.querySelector('#outbox-list .error') !== null")
    assert _counts(page) == (1, 0) and _reports_by(db_url, "sara") == []
    _fault(db_url, None)
    page.click("#send-now")
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    assert _counts(page) == (0, 1)
    stored = _reports_by(db_url, "sara")
    assert len(stored) == 1 and stored[0][3] == "زمین خالی کنار پارک"
    page.context.close()


def _committing(db_url: str) -> bool:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event = 'PgSleep'"
        )
        return cur.fetchone()[0] > 0


def test_a_server_killed_before_its_answer_gets_the_report_again_and_keeps_one(browser, field, db_url):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server, _ = start_uvicorn(db_url, port=port)
    try:
        page = open_tablet(browser, base, field["points"][0], viewport=DESKTOP_TABLET)
        _fault(db_url, "sleep")
        _fill_report(page, "dead_end_alley", "کوچهٔ بن‌بست", gps=field["points"][2], context=page.context)
        page.click("#submit")
        deadline = time.monotonic() + 20
        while not _committing(db_url):
            assert time.monotonic() < deadline, "the report's commit never started"
            time.sleep(0.05)
        server.kill()  # between the send and the answer
        server.wait()
        page.wait_for_function("() => document.querySelector('#outbox-list .error') !== null")
        assert _counts(page) == (1, 0)
        _fault(db_url, None)
        server, _ = start_uvicorn(db_url, port=port)
        page.click("#send-now")
        page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
        stored = _reports_by(db_url, "sara")
        assert len(stored) == 1 and stored[0][3] == "کوچهٔ بن‌بست"
        page.context.close()
    finally:
        server.kill()
        server.wait()
