"""The inbox and its e-mail, as an agency and the deputy use them: a new action reaches its agency's users
(and only theirs), due dates and overdue actions are filed once, mail goes through a local SMTP server the
test starts (Persian subject) and nowhere when no server is set; the weekly digest lists each agency's
overdue actions."""

import email
import email.policy
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from aiosmtpd.controller import Controller

from gis import clock
from gis.db import transaction
from gis.programme.inbox import send_email
from gis.settings import Settings
from gis.users import get_user, set_email


class Inbox:
    """An SMTP server's mailbox: every message it was handed, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1, stopped after the test."""
    mailbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks its server by connecting to the port given
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    yield mailbox
    controller.stop()


def _stage_3_spot(db_url: str) -> tuple[int, int]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, version FROM spot WHERE stage = 3 AND status = 'open' ORDER BY id LIMIT 1")
        return cur.fetchone()


def _assign(client, heads, db_url: str, what: str = "نصب سایبان روشن") -> int:
    spot_id, version = _stage_3_spot(db_url)
    due = (clock.today() + timedelta(days=30)).isoformat()  # not yet due soon: one notification
    made = client.post(
        f"/api/spots/{spot_id}/actions",
        json={"agency": "traffic", "what": what, "due_on": due, "version": version},
        headers=heads["deputy"],
    )
    assert made.status_code == 201, made.text
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM spot_action WHERE what = %s", (what,))
        return cur.fetchone()[0]


def test_a_new_action_reaches_its_agency_only_and_is_marked_read(client, heads, db_url):
    before = client.get("/api/inbox/count", headers=heads["roads"]).json()["unread"]
    action_id = _assign(client, heads, db_url)
    items = client.get("/api/inbox?lang=en", headers=heads["roads"]).json()
    new = [n for n in items if n["action_id"] == action_id and n["kind"] == "assigned"]
    assert len(new) == 1 and new[0]["subject"] == "New action for your agency: نصب سایبان روشن"
    assert not any(
        n["action_id"] == action_id for n in client.get("/api/inbox", headers=heads["services"]).json()
    )
    assert client.get("/api/inbox/count", headers=heads["roads"]).json()["unread"] == before + 1
    # Reading again files nothing twice.
    assert len(client.get("/api/inbox", headers=heads["roads"]).json()) == len(items)
    other = client.post("/api/inbox/read", json={"id": new[0]["id"]}, headers=heads["services"])
    assert other.status_code == 404  # another user's message answers as one that does not exist
    mine = client.post("/api/inbox/read", json={"id": new[0]["id"]}, headers=heads["roads"])
    assert mine.json() == {"read": 1}
    assert client.get("/api/inbox/count", headers=heads["roads"]).json()["unread"] == before
    assert client.get("/api/inbox").status_code == 401


def test_overdue_and_due_soon_actions_are_filed_for_the_agency(client, heads, db_url):
    items = client.get("/api/inbox", headers=heads["services"]).json()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE x.due_on < %s),"
            " count(*) FILTER (WHERE x.due_on BETWEEN %s AND %s + 3) FROM spot_action x"
            " JOIN agency g ON g.id = x.agency_id JOIN action_status s ON s.code = x.status"
            " WHERE g.code = 'urban_services' AND s.is_open",
            (clock.today(), clock.today(), clock.today()),
        )
        overdue, soon = cur.fetchone()
    assert sum(n["kind"] == "overdue" for n in items) == overdue > 0
    assert sum(n["kind"] == "due_soon" for n in items) == soon


def test_mail_goes_through_the_smtp_server_with_a_persian_subject(client, heads, db_url, smtp):
    with transaction(db_url) as conn:
        set_email(conn, heads.username("roads"), "roads@example.org")
    action_id = _assign(client, heads, db_url, what="جابه‌جایی ایستگاه")
    with transaction(db_url) as conn:
        assert send_email(conn, Settings(smtp_host=None)) == 0
    assert smtp.messages == []
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="safemap@district22.example")
    with transaction(db_url) as conn:
        sent = send_email(conn, settings)
    assert sent == len(smtp.messages) > 0
    subjects = [m["Subject"] for m in smtp.messages]
    assert "اقدام تازه برای دستگاه شما: جابه‌جایی ایستگاه" in subjects
    assert all(m["To"] == "roads@example.org" for m in smtp.messages)
    with transaction(db_url) as conn:  # sent once: a second run mails nothing
        assert send_email(conn, settings) == 0
        user = get_user(conn, heads.username("roads"))
        with conn.cursor() as cur:
            cur.execute(
                "SELECT emailed_at IS NOT NULL FROM notification WHERE user_id = %s AND action_id = %s",
                (user.id, action_id),
            )
            assert cur.fetchone()[0]


def test_the_weekly_digest_lists_each_agencys_overdue_actions(db_url, heads, smtp):
    safemap = str(Path(sys.executable).parent / "safemap")
    with transaction(db_url) as conn:
        set_email(conn, heads.username("services"), "services@example.org")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": db_url,
        "SAFEMAP_LANG": "fa",
        "SAFEMAP_SMTP_HOST": "127.0.0.1",
        "SAFEMAP_SMTP_PORT": str(smtp.port),
    }
    done = subprocess.run([safemap, "notify", "digest"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT g.name_fa, count(*) FROM spot_action x JOIN agency g ON g.id = x.agency_id"
            " JOIN action_status s ON s.code = x.status WHERE s.is_open AND x.due_on < %s GROUP BY g.name_fa",
            (clock.today(),),
        )
        overdue = dict(cur.fetchall())
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    for name, count in overdue.items():
        assert f"گزارش هفتگی: {str(count).translate(digits)} اقدام معوق — {name}" in done.stdout
    mailed = [m for m in smtp.messages if m["To"] == "services@example.org"]
    assert len(mailed) == 1 and mailed[0]["Subject"].startswith("گزارش هفتگی")
    assert "1 digests mailed" in done.stdout
    unset = {k: v for k, v in env.items() if not k.startswith("SAFEMAP_SMTP")}
    quiet = subprocess.run(
        [safemap, "notify", "send"], capture_output=True, text=True, env=unset, timeout=300
    )
    assert quiet.returncode == 0 and "no e-mail" in quiet.stdout and len(smtp.messages) == 1
