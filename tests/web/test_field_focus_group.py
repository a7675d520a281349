"""The tablet page's focus-group mode in headless Chromium: a session and its points, sent once, online or
not."""

from urllib.parse import urlsplit

import psycopg2
import pytest

from gis import clock
from tests.web.test_field import _back_online, _counts, _fill_report, _send_now, assessed, score

pytestmark = [pytest.mark.browser, pytest.mark.dated]


def _start_session(page, participants: str, women: str, notes: str = "") -> None:
    page.click("[data-mode-button=group]")
    page.click("[data-step-button=session]")
    page.select_option("#area", "2209")
    page.fill("#fg-participants", participants)
    page.fill("#fg-women", women)
    page.fill("#fg-notes", notes)


def _add_point(page, category: str, description: str, gps, *, lighting: int | None = None) -> None:
    count = page.locator("#point-list li").count()
    _fill_report(page, category, description, gps=gps, context=page.context)
    if lighting is not None:
        score(page, "lighting", lighting)
    page.click("#add-point")
    page.wait_for_function(f"() => document.querySelectorAll('#point-list li').length === {count + 1}")


def _sessions_by(db_url: str, username: str) -> list[tuple]:
    """Per session: (id, participants, women, facilitator, held_on, area code, [(report source, audit)])."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT g.id, g.participants, g.women, g.facilitator, g.held_on, a.code,"
            " (SELECT coalesce(json_agg(json_build_array(r.source, r.audit) ORDER BY r.id), '[]')"
            "  FROM report r WHERE (r.provenance ->> 'focus_group_id')::integer = g.id)"
            " FROM focus_group g JOIN area a ON a.id = g.area_id JOIN app_user u ON u.id = g.created_by"
            " WHERE u.username = %s ORDER BY g.id",
            (username,),
        )
        return cur.fetchall()


def test_sessions_recorded_online_and_offline_are_each_sent_exactly_once(tablet, field, db_url):
    page, context = tablet, tablet.context
    points = field["points"]
    today = clock.today()

    _start_session(page, "۱۲", "۷", "جلسه در خانهٔ محله")
    assert page.input_value("#fg-facilitator") == "سارا"
    _add_point(page, "vacant_lot", "زمین خالی کنار پارک", points[0], lighting=1)
    _add_point(page, "dead_end_alley", "کوچهٔ بن‌بست", points[1])
    _add_point(page, "poor_lighting", "", points[2])
    page.click("#record-session")
    # The counter moves as the session is sent; the form is cleared just after.
    page.wait_for_function(
        "() => document.getElementById('sent-count').dataset.count === '1'"
        " && document.querySelectorAll('#point-list li').length === 0"
    )
    assert page.input_value("#fg-participants") == ""
    page.click("[data-step-button=session]")
    [first] = _sessions_by(db_url, "sara")
    assert first[1:6] == (12, 7, "سارا", today, "2209")
    assert [(source, assessed(audit)) for source, audit in first[6]] == [
        ("focus_group", {"lighting": 1}),
        ("focus_group", {}),
        ("focus_group", {}),
    ]

    context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    page.fill("#fg-participants", "8")
    page.fill("#fg-women", "8")
    _add_point(page, "vacant_lot", "زمین خالی", points[3])
    _add_point(page, "poor_lighting", "چراغ خاموش", points[0])
    page.click("#record-session")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    assert "جلسهٔ گروه کانونی — ۲ نقطه" in page.text_content("#outbox-list")
    _send_now(page)
    assert _counts(page) == (1, 1) and len(_sessions_by(db_url, "sara")) == 1

    _back_online(context, page, sent=2)
    sessions = _sessions_by(db_url, "sara")
    assert len(sessions) == 2 and sessions[1][1:3] == (8, 8) and len(sessions[1][6]) == 2
    assert "جلسهٔ گروه کانونی — ۲ نقطه" in page.text_content("#sent-list")
    assert page.console_errors == []
    assert all(
        urlsplit(url).hostname == "127.0.0.1"
        for url in page.requests
        if not url.startswith(("data:", "blob:"))
    )


def test_a_refused_session_shows_the_message_next_to_the_field_and_can_be_corrected(tablet, field, db_url):
    page = tablet
    _start_session(page, "5", "9")
    _add_point(page, "vacant_lot", "زمین خالی", field["points"][0])
    page.click("#record-session")
    women = page.locator("[data-error-for=women]")
    women.wait_for()
    # The server's reason in Persian, with Persian digits, under the field and in the message area.
    assert "۹" in women.inner_text() and "9" not in women.inner_text()
    assert page.inner_text("[data-error-for=participants]") == ""
    assert page.inner_text("#message-text").startswith("شمار زنان")
    assert _counts(page) == (1, 0) and page.locator("#outbox-list .error").count() == 1
    assert page.locator("#point-list li").count() == 1  # the form keeps the session to be corrected
    assert _sessions_by(db_url, "sara") == []  # the refusal shown is the server's answer: nothing stored

    page.click("[data-step-button=session]")
    page.fill("#fg-women", "۳")
    page.click("#record-session")
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    assert _counts(page) == (0, 1) and women.inner_text() == ""
    [session] = _sessions_by(db_url, "sara")
    assert session[1:3] == (5, 3) and len(session[6]) == 1
