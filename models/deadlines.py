"""Deadlines: the policy (data the Welcome Center edits) and dates counted as the law counts.

Periods follow §§187-188 BGB: the day of the event is not counted, a period in weeks
ends on the same weekday, one in months on the same day number (or the month's last
day). §193 BGB: a period ending on a Saturday, Sunday or public holiday in Lower
Saxony ends on the next working day. Holidays come from the maintained ``holidays``
package, never from a hand-written list.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from temporalio import workflow

from models.case import Procedure, ResidenceRoute
from models.clocks import ClockName

STATE = "NI"  # Lower Saxony: Region Hannover


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Policy):
    days: int = Field(default=0, ge=0)
    weeks: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _not_empty(self) -> Period:
        if not (self.days or self.weeks or self.months):
            raise ValueError("a period needs days, weeks or months")
        return self

    def __str__(self) -> str:
        parts = [
            f"{n} {unit}" for n, unit in ((self.months, "months"), (self.weeks, "weeks"), (self.days, "days")) if n
        ]
        return " ".join(parts)


class Escalation(_Policy):
    reminder_days_before: int = Field(default=3, ge=0)
    team_lead_after_days: int = Field(default=2, ge=0)
    operations_after_days: int = Field(default=5, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Escalation:
        if self.operations_after_days < self.team_lead_after_days:
            raise ValueError("operations_after_days: must not come before team_lead_after_days")
        return self


class ClockPolicy(_Policy):
    label: str
    basis: str = Field(description="legal basis or the practice the period comes from")
    period: Period | None = Field(default=None, description="None: the due date is a recorded date")
    by_procedure: dict[Procedure, Period] = {}
    by_route: dict[ResidenceRoute, Period] = {}
    escalation: Escalation | None = Field(default=None, description="overrides the policy-wide ladder")

    def period_for(self, route: ResidenceRoute, procedure: Procedure) -> Period:
        period = self.by_procedure.get(procedure) or self.by_route.get(route) or self.period
        if period is None:
            raise ValueError(f"{self.label}: no period; its due date comes from a recorded date")
        return period


class DeadlinePolicy(_Policy):
    escalation: Escalation = Escalation()
    clocks: dict[ClockName, ClockPolicy]
    # Length of one policy day in seconds: 86400 in production; tests and demos shrink it.
    # Set by the worker from WC_DEADLINE_DAY_SECONDS, not in the policy file.
    day_seconds: float = Field(default=86400.0, gt=0)

    @model_validator(mode="after")
    def _every_clock(self) -> DeadlinePolicy:
        missing = [c.value for c in ClockName if c not in self.clocks]
        if missing:
            raise ValueError(f"clocks: missing {', '.join(missing)}")
        return self

    def ladder(self, clock: ClockName) -> Escalation:
        return self.clocks[clock].escalation or self.escalation


# --- counting ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    # The library reads locale settings for its translations; the dates do not depend on
    # them, so inside a workflow it may run unrestricted.
    with workflow.unsafe.sandbox_unrestricted():
        return frozenset(holidays.country_holidays("DE", subdiv=STATE, years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """§193 BGB: the period ends on the next working day instead."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """Same day number ``months`` later; the month's last day if it has no such day (§188(3) BGB)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(event_day: date, period: Period) -> date:
    """The last day of a period starting with an event on ``event_day`` (§§187(1), 188, 193 BGB)."""
    end = add_months(event_day, period.months) + timedelta(weeks=period.weeks, days=period.days)
    return next_working_day(end)


def load_policy(path: Path, day_seconds: float | None = None) -> DeadlinePolicy:
    """Read and validate the policy file; errors name the file and the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if day_seconds is not None:
        data = {**data, "day_seconds": day_seconds}
    return DeadlinePolicy.model_validate(data)


DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "config" / "deadline-policy.yaml"
