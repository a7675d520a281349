"""The one clock. Every decision about "now" or "today" reads it, so a test can move it (time-machine travels
this process's clock) and every day is Tehran's day, not the server's."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from gis.settings import get_settings


def now() -> datetime:
    """The current instant, time-zone aware (UTC)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today in the programme's zone: between 00:00 and 03:30 Tehran time UTC still says yesterday."""
    return day_of(now())


def zone() -> ZoneInfo:
    """The programme's time zone (SAFEMAP_TIMEZONE, Asia/Tehran unless another city runs the tool): every
    day, period, deadline and Jalali year is a day there. SQL takes its name as `%(tz)s` (`zone_name()`)."""
    return ZoneInfo(get_settings().timezone)


def zone_name() -> str:
    """The zone's IANA name, for SQL's `AT TIME ZONE`."""
    return get_settings().timezone


def day_of(instant: datetime) -> date:
    """The day an instant falls on in the programme's zone."""
    return instant.astimezone(zone()).date()


def local(instant: datetime) -> datetime:
    """A time someone wrote: with its own offset as it says, without one a time in the programme's zone (what
    a person in the district means by 08:00), never the server's."""
    return instant if instant.tzinfo else instant.replace(tzinfo=zone())


def noon(day: date) -> datetime:
    """An instant for something dated only by a day: noon there, so the day reads the same in every zone."""
    return datetime.combine(day, time(12), tzinfo=zone())
