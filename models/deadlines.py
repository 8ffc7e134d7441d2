"""Deadlines: the policy (data the Welcome Center edits) and dates counted as the law counts.

One function computes every legal period, ``period_end``, by the period's kind, which the
policy names for every clock (``Counting``):

- after an event (§187(1) BGB): the event's day is not counted; a period in weeks ends on the
  same weekday, one in months on the same day number or the month's last day (§188(2) first
  alternative, (3)); an end on a Saturday, Sunday or public holiday moves to the next working
  day (§193 BGB);
- from the beginning of a day (§187(2) BGB, e.g. probation from the first working day): the
  first day counts, so the period ends with the day before the same day number (§188(2)
  second alternative), the month's last day if it has no such day (§188(3)); §193 BGB does not
  apply (nothing is to be done by that day: a status ends);
- a date fixed by an authority (a validity): the recorded date itself is the last day.

Rules and clocks both reach it through ``DeadlinePolicy.due_on``, so a journey never shows two
dates for one deadline.

Public holidays come from the maintained ``holidays`` package, but only when the policy
is loaded (an activity, outside workflow code): the resolved dates travel with the
policy and are stored with the case, so a ``holidays`` upgrade cannot change a replay.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from models import clock
from models.case import BaConsentPath, Procedure, ResidenceRoute
from models.clocks import ClockName
from models.counting import DATE_WINDOW_YEARS, add_months, date_window, is_working_day, next_working_day
from models.thresholds import YearFigures

HOME_REGION = "NI"  # Lower Saxony: Region Hannover
# How far ahead the stored holiday calendar reaches: cases run for months, rarely years.
HOLIDAY_YEARS_BEFORE, HOLIDAY_YEARS_AHEAD = 1, 6


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


class Counting(StrEnum):
    """The kinds of period the law knows, each counted by ``period_end``."""

    AFTER_EVENT = "after_event"  # §187(1), §188(2) first alternative, §193 BGB
    FROM_BEGINNING_OF_DAY = "from_beginning_of_day"  # §187(2), §188(2) second alternative; no §193
    FIXED_BY_AUTHORITY = "fixed_by_authority"  # the recorded date (a validity, a date set) is the last day


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
    basis: str = Field(description="legal basis (paragraph) or the practice the period comes from")
    starts_from: str = Field(description="the event the period counts from")
    period: Period | None = Field(default=None, description="None: the due date is a recorded date")
    by_procedure: dict[Procedure, Period] = {}
    by_route: dict[ResidenceRoute, Period] = {}
    escalation: Escalation | None = Field(default=None, description="overrides the policy-wide ladder")
    holiday_region: str = Field(default=HOME_REGION, pattern=r"^[A-Z]{2}$", description="§193 BGB: whose holidays")
    statutory_effect: str | None = Field(
        default=None, description="what the law does when the period has run out (acts after the last day)"
    )
    applies_to_paths: list[BaConsentPath] | None = Field(
        default=None, description="BA consent: the request paths on which this clock runs"
    )
    unverified: str | None = Field(default=None, description="what could not be checked against the statute")
    # The period's kind (#24). None only in a policy a case stored before kinds were named:
    # such a case keeps counting as it began, after the event, or on the recorded date.
    counting: Counting | None = None

    @model_validator(mode="after")
    def _kind_fits(self) -> ClockPolicy:
        if self.counting is Counting.FIXED_BY_AUTHORITY and self.period is not None:
            raise ValueError("counting: fixed_by_authority takes its date from the record; remove the period")
        if self.counting not in (None, Counting.FIXED_BY_AUTHORITY) and self.period is None:
            raise ValueError(f"counting: {self.counting.value} needs a period")
        return self

    @property
    def kind(self) -> Counting:
        if self.counting is not None:
            return self.counting
        return Counting.FIXED_BY_AUTHORITY if self.period is None else Counting.AFTER_EVENT

    def period_for(self, route: ResidenceRoute, procedure: Procedure) -> Period:
        period = self.by_procedure.get(procedure) or self.by_route.get(route) or self.period
        if period is None:
            raise ValueError(f"{self.label}: no period; its due date comes from a recorded date")
        return period


class AuthorityRegion(_Policy):
    """An authority outside Lower Saxony: its periods end by its own state's holidays (§193
    BGB counts the holidays at the place where the act is due). Matched on the name the
    advisor records (``recognition_body``), case-insensitively, by any of ``names``."""

    names: list[str] = Field(min_length=1, description="how advisors write the authority, e.g. IHK FOSA")
    holiday_region: str = Field(pattern=r"^[A-Z]{2}$", description="the state whose holidays count")
    why: str = Field(min_length=3, description="where the authority sits, and the source")
    unverified: str | None = None


class Retention(_Policy):
    """How long a closed case is kept before it is erased by itself (#13)."""

    erase_closed_cases_after_days: int = Field(ge=1)
    basis: str
    unverified: str | None = None


class DeadlinePolicy(_Policy):
    escalation: Escalation = Escalation()
    # Erasure of closed cases by the retention Schedule (workflows/retention.py); none: kept.
    retention: Retention | None = None
    # A case keeps the policy it started with. A clock added by a later release is simply
    # missing from older cases' policies: such a case does not run it.
    clocks: dict[ClockName, ClockPolicy]
    # Public holidays per region (Lower Saxony, Berlin for the VG Berlin), resolved when the
    # policy is loaded; outside these years only weekends move a period's end.
    holidays: dict[str, list[date]] = {}
    # Recognition bodies elsewhere (#24: the IHK FOSA sits in Nuremberg). A case keeps the
    # policy it started with: one stored before this entry counts by Lower Saxony as before.
    authority_regions: list[AuthorityRegion] = []
    # Dates an advisor may enter (models/counting.py).
    date_window_years: int = Field(default=DATE_WINDOW_YEARS, ge=1, le=50)
    # Wage thresholds per calendar year (models/thresholds.py), with basis and source.
    wage_thresholds: dict[int, YearFigures] = {}
    # Length of one policy day in seconds: 86400 in production; tests and demos shrink it.
    # Set by the worker from WC_DEADLINE_DAY_SECONDS, not in the policy file.
    day_seconds: float = Field(default=86400.0, gt=0)

    def date_window(self, today: date) -> tuple[date, date]:
        """The dates an action may carry: ``date_window_years`` around today."""
        return date_window(today, self.date_window_years)

    def ladder(self, clock: ClockName) -> Escalation:
        return self.clocks[clock].escalation or self.escalation

    def holidays_in(self, region: str = HOME_REGION) -> frozenset[date]:
        return frozenset(self.holidays.get(region, ()))

    def due_on(
        self,
        clock: ClockName,
        event_day: date,
        route: ResidenceRoute,
        procedure: Procedure,
        months: int | None = None,
        paused_days: int = 0,
        authority: str | None = None,
    ) -> date:
        """The last day of ``clock``'s period from ``event_day``, counted by the clock's kind;
        ``months``: a length agreed for this journey instead of the policy's (a probation);
        ``paused_days``: days the period stood still (a paused recognition clock);
        ``authority``: the body the period runs at, when it sits outside Lower Saxony."""
        spec = self.clocks[clock]
        period = Period(months=months) if months else spec.period_for(route, procedure)
        region = self.region_of(authority) or spec.holiday_region
        return period_end(event_day, period, self.holidays_in(region), spec.kind, paused_days)

    def region_of(self, authority: str | None) -> str | None:
        """The holiday region of a named authority outside Lower Saxony (None: the clock's own)."""
        if not authority:
            return None
        name = authority.casefold()
        return next(
            (a.holiday_region for a in self.authority_regions if any(n.casefold() in name for n in a.names)), None
        )

    def is_working_day(self, day: date, region: str = HOME_REGION) -> bool:
        return is_working_day(day, self.holidays_in(region))


# --- counting ------------------------------------------------------------------------------


def period_end(
    start: date,
    period: Period,
    holidays: Collection[date],
    counting: Counting = Counting.AFTER_EVENT,
    paused_days: int = 0,
) -> date:
    """The last day of ``period`` counted from ``start`` by its kind (module docstring): after an
    event on ``start`` (§§187(1), 188(2), 193 BGB), or from the beginning of ``start``
    (§§187(2), 188(2) second alternative, 188(3) BGB; no §193). Days the period stood still
    (``paused_days``, as §209 BGB has it for a suspended period) are added before §193 moves the
    end off a weekend or holiday.

    The one period function: every legal period in the product is counted here.
    """
    if counting is Counting.FIXED_BY_AUTHORITY:
        raise ValueError("a date fixed by an authority is recorded, not counted")
    if counting is Counting.FROM_BEGINNING_OF_DAY:
        # §188(2) second alternative: the day before the day whose number is the start's; if the
        # last month has no such day, the period ends with that month's end (§188(3)).
        same_day = add_months(start, period.months)
        end = same_day - timedelta(days=1) if same_day.day == start.day else same_day
        return end + timedelta(weeks=period.weeks, days=period.days + paused_days)
    end = add_months(start, period.months) + timedelta(weeks=period.weeks, days=period.days + paused_days)
    return next_working_day(end, holidays)


def public_holidays(region: str, years: range) -> list[date]:
    """Public holidays of a German state; called when the policy is loaded, never in a workflow."""
    import holidays  # the maintained calendar; imported here so workflow code never loads it

    return sorted(holidays.country_holidays("DE", subdiv=region, years=list(years)))


def load_policy(path: Path, day_seconds: float | None = None, today: date | None = None) -> DeadlinePolicy:
    """Read and validate the policy file, with the holidays its clocks need.

    Errors name the file's field. The file must name every clock this release runs.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if day_seconds is not None:
        data = {**data, "day_seconds": day_seconds}
    policy = DeadlinePolicy.model_validate(data)
    missing = [c.value for c in ClockName if c not in policy.clocks]
    unnamed = [name for name, spec in policy.clocks.items() if spec.counting is None]
    if unnamed:  # a stored policy may lack it; the file must name every clock's kind
        raise ValidationError.from_exception_data(
            "DeadlinePolicy",
            [
                InitErrorDetails(
                    type=PydanticCustomError(
                        "missing_counting", "counting: missing (one of {kinds})", {"kinds": ", ".join(Counting)}
                    ),
                    loc=("clocks", name.value),
                    input=data["clocks"][name.value],
                )
                for name in unnamed
            ],
        )
    if missing:
        raise ValidationError.from_exception_data(
            "DeadlinePolicy",
            [
                InitErrorDetails(
                    type=PydanticCustomError("missing_clock", "clocks: missing {names}", {"names": ", ".join(missing)}),
                    loc=("clocks",),
                    input=data.get("clocks"),
                )
            ],
        )
    year = (today or clock.today()).year
    years = range(year - HOLIDAY_YEARS_BEFORE, year + HOLIDAY_YEARS_AHEAD + 1)
    regions = sorted(
        {HOME_REGION}
        | {c.holiday_region for c in policy.clocks.values()}
        | {a.holiday_region for a in policy.authority_regions}
    )
    return policy.model_copy(update={"holidays": {r: public_holidays(r, years) for r in regions}})


DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "config" / "deadline-policy.yaml"
