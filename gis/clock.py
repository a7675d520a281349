"""The one clock. Every decision about "now" or "today" reads it, so a test can move it (time-machine travels
this process's clock) and every day is Tehran's day, not the server's."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

TEHRAN = ZoneInfo("Asia/Tehran")


def now() -> datetime:
    """The current instant, time-zone aware (UTC)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Tehran: between 00:00 and 03:30 Tehran time it is already tomorrow in UTC terms."""
    return now().astimezone(TEHRAN).date()
