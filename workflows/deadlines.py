"""Durable deadline clocks inside a workflow, with their escalation ladders.

A workflow keeps its ``Deadline`` list in its state (answered by the status query).
``DeadlineClocks`` carries out the clock changes the process definition declares
(start, meet, lapse, interrupt, close, pause, resume, extend), and its ``run`` loop sleeps
on a durable timer until the next rung of any open clock, or until the clocks change,
whichever comes first. A rung that is due calls back into the workflow, which writes the
audit entry and sends the notification (or applies the statutory effect).

Rungs fire at 08:00 Europe/Berlin on working days; a statutory effect acts at 00:00 after
the last day has run out. Rungs whose time had already passed when a clock started (a fact
recorded late) are collapsed: only the highest one fires. Rungs that come due while the
clock runs all fire, in order. A workflow that records the past (an import, #16) passes
``on_past_rung``: rungs that lay before the clock started are all handed to it (recorded as
history, nothing sent).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from models.berlin import local_date, local_instant
    from models.case import Procedure, ResidenceRoute
    from models.clocks import ClockName, Deadline, DeadlineStatus, Rung
    from models.counting import next_working_day, previous_working_day
    from models.deadlines import DeadlinePolicy
    from models.mail import RecipientRole
    from models.said import Said, say
    from process.engine import Change, ClockChange

OnRung = Callable[[Deadline, Rung], None]
RUNG_TIME = time(8, 0)  # office hours: notices at 08:00 local time
EFFECT_TIME = time(0, 0)  # the law acts when the last day has run out

# How a clock that stops for good ends, per change.
STOPS = {
    Change.MEET: DeadlineStatus.MET,
    Change.LAPSE: DeadlineStatus.LAPSED,
    Change.INTERRUPT: DeadlineStatus.INTERRUPTED,
    Change.CLOSE: DeadlineStatus.CLOSED,
}


# Who hears of each rung of a clock's ladder (the case and the journey alike).
RUNG_RECIPIENT = {
    Rung.REMINDER: RecipientRole.ADVISOR,
    Rung.DUE: RecipientRole.ADVISOR,
    Rung.TEAM_LEAD: RecipientRole.TEAM_LEAD,
    Rung.OPERATIONS: RecipientRole.OPERATIONS,
}


def past_rung_summary(deadline: Deadline, rung: Rung) -> Said:
    """A rung that lay before the import: recorded so the history is whole, never sent."""
    return say("Before the import (not sent): {rung}", rung=rung_summary(deadline, rung))


def rung_summary(deadline: Deadline, rung: Rung) -> Said:
    # The label is the policy's (translated from the catalogue, core/i18n_extract.py); the basis cites the law.
    what: dict[str, str | date | Said] = {
        "label": Said(text=deadline.label),
        "basis": deadline.basis,
        "day": deadline.due_on,
    }
    if rung is Rung.REMINDER:
        return say("Reminder: due on {day}: {label} ({basis})", **what)
    if rung is Rung.DUE:
        return say("Due today ({day}): {label} ({basis})", **what)
    if rung is Rung.TEAM_LEAD:
        return say("Overdue since {day}, escalated to the team lead: {label} ({basis})", **what)
    return say("Overdue since {day}, escalated to operations: {label} ({basis})", **what)


def incident_summary(err: Exception) -> Said:
    """The audit entry (and operations email) when the deadline loop hits an error."""
    return say(
        "Incident: the deadline clocks hit an error ({error}); they run again with the next step, check the deadlines",
        error=f"{type(err).__name__}: {err}",
    )


class DeadlineClocks:
    def __init__(
        self,
        deadlines: list[Deadline],
        policy: DeadlinePolicy,
        route: Callable[[], ResidenceRoute],
        procedure: Procedure,
        on_rung: OnRung,
        on_change: Callable[[], None],
        on_fault: Callable[[Exception], None] | None = None,
        on_past_rung: OnRung | None = None,
    ) -> None:
        self._deadlines = deadlines  # the list inside the workflow's state
        self._policy = policy
        self._route = route
        self._procedure = procedure
        self._on_rung = on_rung
        self._on_change = on_change
        self._on_fault = on_fault
        self._on_past_rung = on_past_rung
        self._version = 0

    @property
    def policy(self) -> DeadlinePolicy:
        return self._policy

    def statutory(self, clock: ClockName) -> bool:
        """Its due date has an effect in law: the DUE rung acts, after the last day."""
        spec = self._policy.clocks.get(clock)
        return spec is not None and spec.statutory_effect is not None

    # --- changes ----------------------------------------------------------------------

    def apply(self, changes: list[ClockChange]) -> None:
        """Carry out the clock changes of one applied step, in order."""
        for change in changes:
            clock = change.clock
            if change.kind is Change.CLOSE_ALL:
                self.stop_all()
                continue
            if clock is None or clock not in self._policy.clocks:
                continue  # not a clock of this case's policy
            match change.kind:
                case Change.START:
                    assert change.on is not None
                    self.start(clock, change.on, change.due_on)
                case Change.MEET | Change.LAPSE | Change.INTERRUPT | Change.CLOSE:
                    self.stop(clock, STOPS[change.kind])
                case Change.PAUSE:
                    assert change.on is not None
                    self.pause(clock, change.on)
                case Change.RESUME:
                    assert change.on is not None
                    self.resume(clock, change.on, change.due_on)
                case Change.EXTEND:
                    assert change.due_on is not None
                    extended = self.move(clock, change.due_on)
                    if extended is not None:
                        extended.extended = True

    def start(self, clock: ClockName, started_on: date, due_on: date | None = None) -> Deadline | None:
        """Start (or restart) a clock; without ``due_on`` the policy's period decides."""
        spec = self._policy.clocks.get(clock)
        if spec is None:
            return None  # a clock added after this case started: not run for it
        if due_on is None:
            due_on = self._policy.due_on(clock, started_on, self._route(), self._procedure)
        now = workflow.now()
        deadline = Deadline(
            clock=clock,
            label=spec.label,
            basis=spec.basis,
            started_on=started_on,
            due_on=due_on,
            anchor=now,
            anchor_date=local_date(now),
        )
        self._close(clock, DeadlineStatus.CLOSED)
        self._deadlines.append(deadline)
        self._changed()
        return deadline

    def stop(self, clock: ClockName, status: DeadlineStatus = DeadlineStatus.MET) -> None:
        if self._close(clock, status):
            self._changed()

    def stop_all(self, status: DeadlineStatus = DeadlineStatus.CLOSED) -> None:
        open_ = [d for d in self._deadlines if d.open]
        for deadline in open_:
            deadline.status = status
        if open_:
            self._changed()

    def move(self, clock: ClockName, due_on: date) -> Deadline | None:
        deadline = self.get(clock)
        if deadline is None:
            return None
        deadline.due_on = due_on
        deadline.level = Rung.NONE
        deadline.generation += 1
        self._changed()
        return deadline

    def pause(self, clock: ClockName, on: date) -> None:
        deadline = self.get(clock)
        if deadline and deadline.status is DeadlineStatus.RUNNING:
            deadline.status, deadline.paused_on = DeadlineStatus.PAUSED, on
            self._changed()

    def resume(self, clock: ClockName, on: date, due_on: date | None = None) -> None:
        """The paused days are added to the period (the clock stood still): ``due_on`` as the
        engine counted it (process version 4), else added to the old due date."""
        deadline = self.get(clock)
        if deadline and deadline.status is DeadlineStatus.PAUSED and deadline.paused_on:
            paused_for = (on - deadline.paused_on).days
            deadline.status, deadline.paused_on = DeadlineStatus.RUNNING, None
            deadline.paused_days += paused_for
            self.move(clock, due_on or deadline.due_on + timedelta(days=paused_for))

    def get(self, clock: ClockName) -> Deadline | None:
        return next((d for d in self._deadlines if d.clock is clock and d.open), None)

    def _close(self, clock: ClockName, status: DeadlineStatus) -> bool:
        deadline = self.get(clock)
        if deadline is None:
            return False
        deadline.status = status
        return True

    def _changed(self) -> None:
        self._version += 1
        self._on_change()

    # --- reading ----------------------------------------------------------------------

    def rung_day(self, deadline: Deadline, rung: Rung) -> tuple[date, time]:
        """The local day and time a rung fires: notices on working days at 08:00; a
        statutory effect at 00:00 after the last day."""
        if rung is Rung.DUE and self.statutory(deadline.clock):
            return deadline.due_on + timedelta(days=1), EFFECT_TIME
        ladder = self._policy.ladder(deadline.clock)
        holidays = self._policy.holidays_in()
        if rung is Rung.REMINDER:
            day = previous_working_day(deadline.due_on - timedelta(days=ladder.reminder_days_before), holidays)
        elif rung is Rung.DUE:
            day = previous_working_day(deadline.due_on, holidays)
        else:
            after = ladder.team_lead_after_days if rung is Rung.TEAM_LEAD else ladder.operations_after_days
            if self.statutory(deadline.clock):
                after += 1  # escalations never come before the law's own effect
            day = next_working_day(deadline.due_on + timedelta(days=after), holidays)
        return day, RUNG_TIME

    def fire_time(self, deadline: Deadline, rung: Rung) -> datetime:
        day, at = self.rung_day(deadline, rung)
        if self._policy.day_seconds == 86400:
            return local_instant(day, at)
        # Scaled days (tests, demos): counted in policy days from the clock's start.
        policy_days = (day - deadline.anchor_date).days + (at.hour * 60 + at.minute) / 1440
        return deadline.anchor + timedelta(seconds=policy_days * self._policy.day_seconds)

    def next_rung(self, deadline: Deadline) -> Rung | None:
        if deadline.status is not DeadlineStatus.RUNNING or deadline.level >= Rung.OPERATIONS:
            return None
        return Rung(deadline.level + 1)

    def next_due(self) -> datetime | None:
        """When the earliest open clock falls due: the NextDeadline search attribute."""
        times = [self.fire_time(d, Rung.DUE) for d in self._deadlines if d.status is DeadlineStatus.RUNNING]
        return min(times) if times else None

    def search_attributes(self) -> list[SearchAttributeUpdate[Any]]:
        """NextDeadline, EscalationLevel and Overdue, for the workflow's upsert."""
        next_due = self.next_due()
        return [
            sa.NEXT_DEADLINE.value_set(next_due) if next_due else sa.NEXT_DEADLINE.value_unset(),
            sa.ESCALATION_LEVEL.value_set(self.level()),
            sa.OVERDUE.value_set(self.overdue()),
        ]

    def level(self) -> int:
        return max((int(d.level) for d in self._deadlines if d.open), default=0)

    def overdue(self) -> bool:
        now = workflow.now()
        running = (d for d in self._deadlines if d.status is DeadlineStatus.RUNNING)
        return any(self.fire_time(d, Rung.DUE) <= now for d in running)

    # --- the loop ---------------------------------------------------------------------

    async def run(self) -> None:
        """Runs for the life of the workflow (as a task next to the main loop)."""
        while True:
            changed = self._changed_since(self._version)
            try:
                self._fire_due_rungs()
                wake = self._next_wake()
            except Exception as err:
                if self._on_fault is None:
                    raise
                # Never silently: the workflow records an incident for operations; the
                # clocks try again with the next change.
                self._on_fault(err)
                await workflow.wait_condition(changed)
                continue
            changed = self._changed_since(self._version)
            if wake is None:
                await workflow.wait_condition(changed)
                continue
            delay = max(wake - workflow.now(), timedelta(milliseconds=10))
            try:
                await workflow.wait_condition(
                    changed,
                    timeout=delay,
                    timeout_summary="next deadline rung",
                )
            except TimeoutError:
                pass  # a rung is due: handled at the top of the loop

    def _changed_since(self, seen: int) -> Callable[[], bool]:
        return lambda: self._version != seen

    def _next_wake(self) -> datetime | None:
        times = []
        for deadline in self._deadlines:
            rung = self.next_rung(deadline)
            if rung is not None:
                times.append(self.fire_time(deadline, rung))
        return min(times) if times else None

    def _fire_due_rungs(self) -> None:
        now = workflow.now()
        for deadline in list(self._deadlines):
            if deadline.status is not DeadlineStatus.RUNNING:
                continue
            passed = [r for r in Rung if r > deadline.level and self.fire_time(deadline, r) <= now]
            # Rungs already past when the clock started (a fact recorded late) collapse into the
            # highest of them: one clear escalation instead of a burst. Rungs that came due while
            # the clock ran all fire, in order (several may share one instant).
            late = [r for r in passed if self.fire_time(deadline, r) < deadline.anchor]
            if self._on_past_rung is not None:
                for rung in late:
                    deadline.level = rung
                    self._on_past_rung(deadline, rung)
                late, passed = [], [r for r in passed if r not in late]
            due = [max(late)] if late else []
            if self.statutory(deadline.clock) and Rung.DUE in late:
                due = [Rung.DUE]  # the law's effect always acts
            for rung in due + [r for r in passed if r not in late]:
                if deadline.status is not DeadlineStatus.RUNNING:
                    break  # the effect of a rung (e.g. the deemed consent) ended the clock
                deadline.level = rung
                self._on_rung(deadline, rung)
        self._on_change()
