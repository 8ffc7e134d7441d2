"""Counting days: working days (weekends and the region's public holidays), calendar months
(§188(3) BGB) and the window of dates an action may carry. Pure date arithmetic, beneath the
deadline policy (models/deadlines.py) and the inputs that check dates (models/case.py)."""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date, timedelta

# Dates an advisor may enter: this many years around today (a year-9999 date would overflow
# the clock arithmetic; nothing in a case lies decades away). The policy may narrow it.
DATE_WINDOW_YEARS = 10


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: date, holidays: Collection[date]) -> date:
    """§193 BGB: a period ending on a weekend or holiday ends on the next working day."""
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, holidays: Collection[date]) -> date:
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """Same day number ``months`` later; the month's last day if it has no such day (§188(3) BGB)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def date_window(today: date, years: int = DATE_WINDOW_YEARS) -> tuple[date, date]:
    """The dates an action may carry: ``years`` around today."""
    return add_months(today, -12 * years), add_months(today, 12 * years)
