"""Deadlines: the policy (data the Welcome Center edits) and dates counted as the law counts.

Periods follow §§187-188 BGB: the day of the event is not counted, a period in weeks
ends on the same weekday, one in months on the same day number (or the month's last
day). §193 BGB: a period ending on a Saturday, Sunday or public holiday in Lower
Saxony ends on the next working day. Holidays come from the maintained ``holidays``
package, never from a hand-written list.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from functools import lru_cache
from pathlib import Path

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from temporalio import workflow

from models.case import Procedure, ResidenceRoute

STATE = "NI"  # Lower Saxony: Region Hannover


class ClockName(StrEnum):
    # The Welcome Center's own service levels
    CONSULTATION_FOLLOW_UP = "consultation_follow_up"
    CANDIDATE_SELECTION = "candidate_selection"
    CONTRACT = "contract"
    # Legal and administrative clocks
    RECOGNITION_DECISION = "recognition_decision"
    BA_CONSENT_FICTION = "ba_consent_fiction"
    VORABZUSTIMMUNG_VALIDITY = "vorabzustimmung_validity"
    EMBASSY_APPOINTMENT_81A = "embassy_appointment_81a"
    VISA_DECISION_81A = "visa_decision_81a"
    VISA_LAWSUIT = "visa_lawsuit"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT_APPLICATION = "residence_permit_application"
    PROBATION = "probation"
    EMPLOYER_REPORT = "employer_report"


class Rung(IntEnum):
    """The escalation ladder of one clock; the number is the escalation level."""

    NONE = 0
    REMINDER = 1  # to the advisor, before the due date
    DUE = 2  # to the advisor, on the due date (or the statutory effect acts)
    TEAM_LEAD = 3  # after a grace period
    OPERATIONS = 4  # after a longer one


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


# --- the clocks of one workflow ----------------------------------------------------------------


class DeadlineStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    LAPSED = "lapsed"  # the step did not happen in time and the clock ended (e.g. validity ran out)
    CLOSED = "closed"  # the journey or case ended first


class Deadline(BaseModel):
    clock: ClockName
    label: str
    basis: str
    started_on: date
    due_on: date
    # Timer arithmetic is anchored to the instant the clock started: a rung on date D fires
    # at anchor + (D - anchor_date) policy days.
    anchor: datetime
    anchor_date: date
    level: Rung = Rung.NONE
    status: DeadlineStatus = DeadlineStatus.RUNNING
    paused_on: date | None = None
    extended: bool = False
    # Bumped when the due date moves: the ladder starts again and its emails get new keys.
    generation: int = 1

    @property
    def open(self) -> bool:
        return self.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)


def load_policy(path: Path, day_seconds: float | None = None) -> DeadlinePolicy:
    """Read and validate the policy file; errors name the file and the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if day_seconds is not None:
        data = {**data, "day_seconds": day_seconds}
    return DeadlinePolicy.model_validate(data)


DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "config" / "deadline-policy.yaml"
