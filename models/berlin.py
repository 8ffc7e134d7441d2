"""Europe/Berlin: the office's time zone. "Today", due days and rung times are local.

Imported by workflow code (passed through the sandbox): the zone is loaded once,
outside any workflow, so a replay never reads the system's tz files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def local_date(instant: datetime) -> date:
    """The calendar day in Hannover at ``instant`` (00:30 local is that day, not UTC's day before)."""
    return instant.astimezone(BERLIN).date()


def local_instant(day: date, at: time) -> datetime:
    """``day`` at the local wall-clock time ``at``, as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=BERLIN).astimezone(UTC)
