"""The one clock outside workflows: every "now" and "today" the starter, the activities,
the records and the checks read comes from here (workflows read ``workflow.now()``, the
history's time, and never import this module).

Tests can move it: ``move_ahead`` shifts every reading by whole days, so the unit suite can
run as if it were a year later (``WC_TEST_DAYS_AHEAD``, read by ``tests/conftest.py`` only;
the product never reads that variable).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.berlin import local_date

_ahead = timedelta(0)


def now() -> datetime:
    """The current instant (aware, UTC)."""
    return datetime.now(UTC) + _ahead


def today() -> date:
    """Today in Hannover."""
    return local_date(now())


def move_ahead(days: int) -> None:
    """Tests only: every later reading lies ``days`` days ahead of the real clock."""
    global _ahead
    _ahead = timedelta(days=days)
