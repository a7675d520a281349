"""The tablet page in headless Chromium: sign in, capture places online and offline, send each
exactly once."""

import struct
import zlib
from urllib.parse import urlsplit

import psycopg2
import pytest


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = (b"\x00" + bytes((200, 60, 40)) * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no frame in the JPEG")


def _fill_report(page, category: str, description: str, *, gps=None, context=None) -> None:
    """Place the point (GPS when `gps` is given, else a tap on the map's centre), then describe it: kind
    (which moves on to the audit), night, and the description on its own step."""
    page.click("[data-step-button=point]")
    if gps is not None:
        context.set_geolocation({"latitude": gps[0], "longitude": gps[1], "accuracy": 8})
        page.click("#gps")
        page.wait_for_function("(want) => document.getElementById('lat').value === want", arg=f"{gps[0]:.6f}")
    else:
        box = page.locator("#map").bounding_box()
        page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    page.click(f"label.tile:has(input[value={category}])")
    page.wait_for_selector("#report-form[data-step=audit]")
    page.click("[data-step-button=point]")
    page.click("label.tile:has(input[value=night])")
    page.click("[data-step-button=more]")
    page.fill("#description", description)


def score(page, criterion: str, value: int | None) -> None:
    """Tap a criterion's score in words (None: «ارزیابی نشد»), on the audit step."""
    page.click("[data-step-button=audit]")
    page.click(f"#audit-{criterion} label.score[data-score='{'' if value is None else value}']")


def assessed(audit: dict | None) -> dict:
    """The criteria an audit holds a score for (a stored audit may list the others as null)."""
    return {key: value for key, value in (audit or {}).items() if value is not None}


def _counts(page) -> tuple[int, int]:
    return (
        int(page.get_attribute("#queued-count", "data-count")),
        int(page.get_attribute("#sent-count", "data-count")),
    )


def _send_now(page) -> None:
    """Tap "send now" and wait until that send round has finished (its answers in, the lists redrawn)."""
    before = page.get_attribute("body", "data-send-rounds")
    page.click("#send-now")
    page.wait_for_function("(before) => document.body.dataset.sendRounds !== before", arg=before)


def _back_online(context, page, *, sent: int) -> None:
    """Back online: the outbox sends until `sent` are sent and none waits; sending again changes nothing."""
    context.set_offline(False)
    page.wait_for_function(
        "(sent) => document.getElementById('queued-count').dataset.count === '0'"
        " && document.getElementById('sent-count').dataset.count === String(sent)",
        arg=sent,
    )
    _send_now(page)
    assert _counts(page) == (0, sent)


def _reports_by(db_url: str, username: str) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.uuid::text, r.source, r.audit, r.description FROM report r"
            " JOIN app_user u ON u.id = r.created_by WHERE u.username = %s ORDER BY r.id",
            (username,),
        )
        return cur.fetchall()


@pytest.mark.browser
def test_reports_made_online_and_offline_are_each_sent_exactly_once(tablet, field, db_url):
    page, context = tablet, tablet.context
    points = field["points"]

    _fill_report(page, "vacant_lot", "زمین خالی پشت مدرسه", gps=points[0], context=context)
    score(page, "lighting", 1)
    score(page, "feeling", 0)
    page.set_input_files(
        "#photos", files=[{"name": "site.png", "mimeType": "image/png", "buffer": _png(2400, 1200)}]
    )
    page.wait_for_selector("#photo-count[data-count='1']")
    page.click("#submit")
    page.wait_for_function(
        "() => document.getElementById('sent-count').dataset.count === '1'"
        " && document.getElementById('photos-queued').dataset.count === '0'"
    )
    assert len(_reports_by(db_url, "sara")) == 1

    context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    _fill_report(page, "dead_end_alley", "کوچهٔ بن‌بست تاریک", gps=points[1], context=context)
    page.click("#submit")
    _fill_report(page, "poor_lighting", "تیر چراغ خاموش")  # a tap on the map, centred on the last GPS fix
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '2'")
    _send_now(page)
    assert _counts(page) == (2, 1)
    assert len(_reports_by(db_url, "sara")) == 1  # nothing reached the server, nothing was lost

    _back_online(context, page, sent=3)
    assert page.inner_text("#queued-count") == "۰" and page.inner_text("#sent-count") == "۳"

    sent_ids = page.locator("#sent-list li").evaluate_all("items => items.map(i => i.dataset.id)")
    stored = _reports_by(db_url, "sara")
    report_uuids = [row[0] for row in stored]
    assert len(stored) == 3 and set(report_uuids) <= set(sent_ids)
    assert [row[1] for row in stored] == ["field"] * 3
    assert assessed(stored[0][2]) == {"lighting": 1, "feeling": 0} and stored[2][3] == "تیر چراغ خاموش"
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.uuid::text, p.content_type, p.bytes FROM report_photo p JOIN report r"
            " ON r.id = p.report_id"
        )
        photos = cur.fetchall()
    assert len(photos) == 1 and photos[0][0] == report_uuids[0] and photos[0][1] == "image/jpeg"
    assert _jpeg_size(bytes(photos[0][2])) == (1600, 800)  # resized on the device
    assert page.console_errors == []
    assert all(
        urlsplit(url).hostname == "127.0.0.1"
        for url in page.requests
        if not url.startswith(("data:", "blob:"))
    )


@pytest.mark.browser
def test_a_lost_answer_is_sent_again_and_still_makes_one_report(tablet, field, db_url):
    page = tablet
    lost = []

    def drop_first_answer(route) -> None:
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server stores the report...
            lost.append(route.request.post_data_json["uuid"])
            route.abort("connectionreset")  # ...but the tablet never hears back
        else:
            route.continue_()

    page.route("**/api/reports", drop_first_answer)
    _fill_report(page, "vacant_lot", "زمین خالی", gps=field["points"][2], context=page.context)
    page.click("#submit")
    page.wait_for_function("() => document.querySelector('#outbox-list .error') !== null")
    assert _counts(page) == (1, 0) and len(_reports_by(db_url, "sara")) == 1
    page.click("#send-now")
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    assert [row[0] for row in _reports_by(db_url, "sara")] == lost


@pytest.mark.browser
def test_the_page_opens_offline_from_the_service_worker_with_its_queue(tablet, field, db_url):
    page = tablet
    context = page.context
    context.set_offline(True)
    _fill_report(page, "vacant_lot", "زمین خالی", gps=field["points"][3], context=context)
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('queued-count').dataset.count === '1'")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_visible("#report-form") and _counts(page) == (1, 0)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('sent-count').dataset.count === '1'")
    assert len(_reports_by(db_url, "sara")) == 1
