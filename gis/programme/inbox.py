"""Each user's inbox: a new action for their agency, an action due soon or overdue, a meeting decision's
follow-up they own; optional e-mail of each through the SMTP server the settings name; the weekly digest of an
agency's overdue actions.

A new assignment is filed when it is made (workflow.assign_action calls `action_assigned`); due dates and
follow-ups are filed by `sweep`, which the inbox runs when read and `safemap notify send` runs daily. Each
notification exists once per user, kind and subject, so sweeping again adds nothing.
"""

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from email.message import EmailMessage

from gis import clock
from gis.db import Conn, dict_cursor
from gis.errors import NotFound
from gis.lang import jalali, persian_digits
from gis.settings import Settings
from gis.users import User

DUE_SOON_DAYS = 3
KINDS = ("assigned", "due_soon", "overdue", "follow_up")
# kind → (Persian, English) subject; {what} is the action's or the follow-up's text, {due} its due date.
SUBJECTS = {
    "assigned": ("اقدام تازه برای دستگاه شما: {what}", "New action for your agency: {what}"),
    "due_soon": ("مهلت اقدام نزدیک است ({due}): {what}", "Action due soon ({due}): {what}"),
    "overdue": ("مهلت اقدام گذشته است ({due}): {what}", "Action overdue (due {due}): {what}"),
    "follow_up": ("پیگیری مصوبهٔ جلسه ({due}): {what}", "Meeting follow-up ({due}): {what}"),
}

DUE_DATES = """
    INSERT INTO notification (user_id, kind, action_id)
    SELECT u.id, CASE WHEN x.due_on < %(today)s THEN 'overdue' ELSE 'due_soon' END, x.id
    FROM spot_action x JOIN action_status xs ON xs.code = x.status AND xs.is_open
    JOIN app_user u ON u.agency_id = x.agency_id AND u.active
    WHERE x.due_on <= %(soon)s AND (%(user)s::int IS NULL OR u.id = %(user)s)
    ON CONFLICT ON CONSTRAINT notification_once DO NOTHING
"""
# A follow-up's owners: its agency's users, or every user of the staff role that owns it.
FOLLOW_UPS = """
    INSERT INTO notification (user_id, kind, follow_up_id)
    SELECT u.id, 'follow_up', f.id FROM follow_up f JOIN app_user u ON u.active
         AND (u.agency_id = f.agency_id OR (f.owner_role IS NOT NULL AND u.role = f.owner_role))
    WHERE f.done_at IS NULL AND (%(follow_up)s::int IS NULL OR f.id = %(follow_up)s)
      AND (%(user)s::int IS NULL OR u.id = %(user)s)
    ON CONFLICT ON CONSTRAINT notification_once DO NOTHING
"""
ITEMS = """
    SELECT n.id, n.kind, n.created_at, n.read_at, n.action_id, n.follow_up_id, u.email, u.id AS user_id,
           coalesce(x.what, f.what) AS what, coalesce(x.due_on, f.due_on) AS due_on,
           x.spot_id, s.title AS spot_title, f.decision, p.title AS meeting, p.held_on AS meeting_on
    FROM notification n JOIN app_user u ON u.id = n.user_id
    LEFT JOIN spot_action x ON x.id = n.action_id LEFT JOIN spot s ON s.id = x.spot_id
    LEFT JOIN follow_up f ON f.id = n.follow_up_id LEFT JOIN programme_activity p ON p.id = f.activity_id
"""


def action_assigned(conn: Conn, action_id: int) -> None:
    """File a new action in the inbox of every active user of its agency."""
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO notification (user_id, kind, action_id)
            SELECT u.id, 'assigned', x.id FROM spot_action x JOIN app_user u ON u.agency_id = x.agency_id
            WHERE x.id = %s AND u.active
            ON CONFLICT ON CONSTRAINT notification_once DO NOTHING
            """,
            (action_id,),
        )


def follow_up_added(conn: Conn, follow_up_id: int) -> None:
    """File a meeting decision's follow-up in its owners' inboxes."""
    with conn.cursor() as cur:
        cur.execute(FOLLOW_UPS, {"follow_up": follow_up_id, "user": None})


def follow_up_done(conn: Conn, follow_up_id: int) -> None:
    """A follow-up done is read in every owner's inbox: nothing is left to do about it."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE notification SET read_at = coalesce(read_at, now()) WHERE follow_up_id = %s",
            (follow_up_id,),
        )


def sweep(conn: Conn, *, user: User | None = None) -> None:
    """File what the date now says: actions due within three days, actions overdue, open follow-ups."""
    today = clock.today()
    params = {"user": None if user is None else user.id, "follow_up": None}
    with conn.cursor() as cur:
        cur.execute(DUE_DATES, {**params, "today": today, "soon": today + timedelta(days=DUE_SOON_DAYS)})
        cur.execute(FOLLOW_UPS, params)


def _subject(row: dict, lang: str) -> str:
    due = jalali(row["due_on"]) if lang == "fa" else row["due_on"].isoformat()
    pair = SUBJECTS[row["kind"]]
    text = (pair[1] if lang == "en" else pair[0]).format(what=row["what"], due=due)
    return persian_digits(text) if lang == "fa" else text


def inbox(conn: Conn, *, user: User, lang: str = "fa", limit: int = 200) -> list[dict]:
    """The user's notifications, unread first, newest first, each with its subject in `lang`."""
    sweep(conn, user=user)
    with dict_cursor(conn) as cur:
        cur.execute(
            ITEMS
            + " WHERE n.user_id = %s ORDER BY n.read_at IS NOT NULL, n.created_at DESC, n.id DESC LIMIT %s",
            (user.id, limit),
        )
        rows = cur.fetchall()
    return [
        {
            **{k: row[k] for k in ("id", "kind", "created_at", "read_at", "action_id", "follow_up_id")},
            **{k: row[k] for k in ("what", "due_on", "spot_id", "spot_title", "decision", "meeting")},
            "subject": _subject(row, lang),
        }
        for row in rows
    ]


def unread_count(conn: Conn, *, user: User) -> int:
    """How many notifications the user has not opened: the number on the top bar."""
    sweep(conn, user=user)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM notification WHERE user_id = %s AND read_at IS NULL", (user.id,))
        return cur.fetchone()[0]


def mark_read(conn: Conn, *, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or, with none named, all of them) read; how many changed.
    Another user's notification answers as one that does not exist."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE notification SET read_at = coalesce(read_at, now()) WHERE user_id = %s"
            " AND (%s::int IS NULL OR id = %s) RETURNING id",
            (user.id, notification_id, notification_id),
        )
        changed = len(cur.fetchall())
    if notification_id is not None and not changed:
        raise NotFound("no_such_notification", notification_id=notification_id, field="notification")
    return changed


def send_email(conn: Conn, settings: Settings) -> int:
    """E-mail every notification not yet sent to users with an address, through the SMTP server the
    settings name; with none set nothing is sent (and nothing is marked). Returns how many were sent."""
    if not settings.smtp_host:
        return 0
    sweep(conn)
    with dict_cursor(conn) as cur:
        cur.execute(
            ITEMS + " WHERE n.emailed_at IS NULL AND n.read_at IS NULL AND u.email IS NOT NULL ORDER BY n.id"
        )
        rows = cur.fetchall()
    if not rows:
        return 0
    with _smtp(settings) as smtp:
        for row in rows:
            smtp.send_message(
                _message(settings, [row["email"]], _subject(row, settings.lang), _body(row, settings))
            )
            with conn.cursor() as cur:
                cur.execute("UPDATE notification SET emailed_at = now() WHERE id = %s", (row["id"],))
    return len(rows)


def _body(row: dict, settings: Settings) -> str:
    """The mail's text: the subject again, where it belongs, and the link to the inbox."""
    where = row["spot_title"] or row["meeting"] or ""
    link = f"{(settings.public_url or '').rstrip('/')}/inbox"
    return f"{_subject(row, settings.lang)}\n{where}\n\n{link}\n"


def overdue_digest(conn: Conn) -> list[dict]:
    """Per agency, its open actions past their due date, oldest first, with its users' addresses: the
    weekly digest."""
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            SELECT g.code, g.name_fa, g.name_en,
                   json_agg(json_build_object('id', x.id, 'spot_id', x.spot_id, 'title', s.title,
                                              'what', x.what, 'due_on', x.due_on,
                                              'days_late', %(today)s::date - x.due_on)
                            ORDER BY x.due_on, x.id) AS actions,
                   (SELECT coalesce(array_agg(u.email ORDER BY u.id), '{}') FROM app_user u
                    WHERE u.agency_id = g.id AND u.active AND u.email IS NOT NULL) AS emails
            FROM spot_action x JOIN action_status xs ON xs.code = x.status AND xs.is_open
            JOIN agency g ON g.id = x.agency_id JOIN spot s ON s.id = x.spot_id
            WHERE x.due_on < %(today)s
            GROUP BY g.id ORDER BY g.code
            """,
            {"today": clock.today()},
        )
        return cur.fetchall()


def send_digest(settings: Settings, digest: list[dict]) -> int:
    """Mail each agency's digest to its users with an address; nothing without an SMTP server."""
    if not settings.smtp_host:
        return 0
    sent = 0
    with _smtp(settings) as smtp:
        for agency in digest:
            if not agency["emails"]:
                continue
            smtp.send_message(_message(settings, agency["emails"], *digest_text(agency, settings.lang)))
            sent += 1
    return sent


def digest_text(agency: dict, lang: str) -> tuple[str, str]:
    """An agency's digest as (subject, body) in `lang`: its overdue actions, oldest first."""
    count = len(agency["actions"])
    if lang == "en":
        subject = f"Weekly digest: {count} overdue actions — {agency['name_en'] or agency['name_fa']}"
        lines = [
            f"{a['due_on']} ({a['days_late']} days late) {a['what']} — {a['title']}"
            for a in agency["actions"]
        ]
        return subject, "\n".join(lines) + "\n"
    subject = persian_digits(f"گزارش هفتگی: {count} اقدام معوق — {agency['name_fa']}")
    lines = [
        persian_digits(f"{jalali(date.fromisoformat(a['due_on']))} ({a['days_late']} روز تأخیر) ")
        + f"{a['what']} — {a['title']}"
        for a in agency["actions"]
    ]
    return subject, "\n".join(lines) + "\n"


@contextmanager
def _smtp(settings: Settings) -> Iterator[smtplib.SMTP]:
    """A connection to the settings' SMTP server, secured and signed in as they say."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        yield smtp


def _message(settings: Settings, to: list[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    return message
