"""When the rungs of a deadline's escalation ladder fire, in Europe/Berlin: plain unit tests.

``DeadlineClocks.rung_day`` and ``fire_time`` (real days) call no workflow API, so they are
checked here without a Temporal server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from models.berlin import local_date, local_instant
from models.case import Procedure, ResidenceRoute
from models.clocks import ClockName, Deadline, Rung
from models.deadlines import DEFAULT_POLICY_FILE, DeadlinePolicy, load_policy
from workflows.deadlines import DeadlineClocks

EIGHT, MIDNIGHT = time(8, 0), time(0, 0)
# Service level clock with the policy-wide ladder: reminder 3 days before, team lead 2 and operations 5 after.
SERVICE = ClockName.CONSULTATION_FOLLOW_UP
# Statutory clock (consent deemed given): reminder 2 days before, team lead 2 and operations 5 after.
FICTION = ClockName.BA_CONSENT_FICTION
# Recorded due date, no statutory effect: reminder 28 days before, team lead 0 and operations 1 after.
PERMIT = ClockName.RESIDENCE_PERMIT_APPLICATION


@pytest.fixture(scope="module")
def policy() -> DeadlinePolicy:
    return load_policy(DEFAULT_POLICY_FILE, today=date(2026, 6, 1))


@pytest.fixture(scope="module")
def clocks(policy: DeadlinePolicy) -> DeadlineClocks:
    return make_clocks(policy)


def make_clocks(policy: DeadlinePolicy) -> DeadlineClocks:
    return DeadlineClocks(
        deadlines=[],
        policy=policy,
        route=lambda: ResidenceRoute.SECTION_18A,
        procedure=Procedure.REGULAR,
        on_rung=lambda d, r: None,
        on_change=lambda: None,
    )


def deadline(clock: ClockName, due_on: date) -> Deadline:
    anchor = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return Deadline(
        clock=clock,
        label=clock.value,
        basis="test",
        started_on=date(2026, 1, 5),
        due_on=due_on,
        anchor=anchor,
        anchor_date=local_date(anchor),
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Europe/Berlin ---------------------------------------------------------------------------


def test_local_date_is_the_day_in_hannover() -> None:
    late = utc(2026, 11, 26, 23, 30)  # 00:30 on Friday in Hannover
    assert local_date(late) == date(2026, 11, 27)
    assert local_date(utc(2026, 11, 26, 22, 59)) == date(2026, 11, 26)
    assert local_date(utc(2026, 7, 15, 22, 0)) == date(2026, 7, 16)  # summer time: UTC+2
    assert local_date(utc(2026, 7, 15, 21, 59)) == date(2026, 7, 15)


def test_local_instant_is_an_aware_utc_instant() -> None:
    winter = local_instant(date(2026, 12, 2), EIGHT)
    assert winter == utc(2026, 12, 2, 7, 0)
    assert winter.tzinfo is UTC
    assert local_instant(date(2026, 7, 15), EIGHT) == utc(2026, 7, 15, 6, 0)
    assert local_date(local_instant(date(2026, 11, 27), MIDNIGHT)) == date(2026, 11, 27)


# --- notices at 08:00 on working days --------------------------------------------------------


def test_rungs_fire_at_eight_in_winter(clocks: DeadlineClocks) -> None:
    d = deadline(SERVICE, date(2026, 12, 2))  # a Wednesday
    assert clocks.rung_day(d, Rung.REMINDER) == (date(2026, 11, 27), EIGHT)  # 29 Nov is a Sunday -> Friday
    assert clocks.rung_day(d, Rung.DUE) == (date(2026, 12, 2), EIGHT)
    assert clocks.rung_day(d, Rung.TEAM_LEAD) == (date(2026, 12, 4), EIGHT)
    assert clocks.rung_day(d, Rung.OPERATIONS) == (date(2026, 12, 7), EIGHT)
    assert clocks.fire_time(d, Rung.REMINDER) == utc(2026, 11, 27, 7, 0)
    assert clocks.fire_time(d, Rung.DUE) == utc(2026, 12, 2, 7, 0)
    assert clocks.fire_time(d, Rung.TEAM_LEAD) == utc(2026, 12, 4, 7, 0)
    assert clocks.fire_time(d, Rung.OPERATIONS) == utc(2026, 12, 7, 7, 0)


def test_rungs_fire_at_eight_in_summer(clocks: DeadlineClocks) -> None:
    d = deadline(SERVICE, date(2026, 7, 15))  # a Wednesday
    assert clocks.fire_time(d, Rung.REMINDER) == utc(2026, 7, 10, 6, 0)  # 12 Jul is a Sunday -> Friday
    assert clocks.fire_time(d, Rung.DUE) == utc(2026, 7, 15, 6, 0)
    assert clocks.fire_time(d, Rung.TEAM_LEAD) == utc(2026, 7, 17, 6, 0)
    assert clocks.fire_time(d, Rung.OPERATIONS) == utc(2026, 7, 20, 6, 0)  # Mon, 5 days after


def test_the_clock_change_weekend_moves_the_utc_time(clocks: DeadlineClocks) -> None:
    # Summer time begins on Sunday 29 Mar 2026: Friday's rung is at 07:00 UTC, Monday's at 06:00 UTC.
    d = deadline(SERVICE, date(2026, 3, 30))
    assert clocks.fire_time(d, Rung.REMINDER) == utc(2026, 3, 27, 7, 0)
    assert clocks.fire_time(d, Rung.DUE) == utc(2026, 3, 30, 6, 0)


def test_a_reminder_on_a_saturday_comes_on_friday(clocks: DeadlineClocks) -> None:
    d = deadline(SERVICE, date(2026, 7, 14))  # Tuesday; three days before is Saturday 11 Jul
    assert date(2026, 7, 11).weekday() == 5
    assert clocks.rung_day(d, Rung.REMINDER) == (date(2026, 7, 10), EIGHT)


def test_a_reminder_on_a_holiday_comes_the_working_day_before(clocks: DeadlineClocks) -> None:
    d = deadline(SERVICE, date(2027, 1, 4))  # Monday; three days before is New Year's Day (Fri)
    assert clocks.rung_day(d, Rung.REMINDER) == (date(2026, 12, 31), EIGHT)


def test_an_escalation_on_christmas_comes_the_next_working_day(clocks: DeadlineClocks) -> None:
    d = deadline(SERVICE, date(2026, 12, 23))  # Wednesday; team lead 2 days after: Christmas Day
    assert clocks.rung_day(d, Rung.TEAM_LEAD) == (date(2026, 12, 28), EIGHT)  # 25, 26 (Sat), 27 (Sun) -> Mon
    assert clocks.rung_day(d, Rung.OPERATIONS) == (date(2026, 12, 28), EIGHT)
    d = deadline(SERVICE, date(2026, 12, 24))  # Thursday; team lead on Boxing Day
    assert clocks.rung_day(d, Rung.DUE) == (date(2026, 12, 24), EIGHT)  # Christmas Eve is a working day
    assert clocks.rung_day(d, Rung.TEAM_LEAD) == (date(2026, 12, 28), EIGHT)
    assert clocks.fire_time(d, Rung.TEAM_LEAD) == utc(2026, 12, 28, 7, 0)


def test_a_recorded_due_date_on_a_holiday_is_noticed_the_working_day_before(clocks: DeadlineClocks) -> None:
    d = deadline(PERMIT, date(2026, 12, 25))  # a visa valid until Christmas Day
    assert clocks.rung_day(d, Rung.DUE) == (date(2026, 12, 24), EIGHT)
    assert clocks.rung_day(d, Rung.TEAM_LEAD) == (date(2026, 12, 28), EIGHT)  # 0 days after: next working day
    assert clocks.rung_day(d, Rung.OPERATIONS) == (date(2026, 12, 28), EIGHT)
    assert clocks.rung_day(d, Rung.REMINDER) == (date(2026, 11, 27), EIGHT)  # 28 days before, a Friday


def test_notices_for_the_berlin_court_period_follow_the_office_in_hannover(clocks: DeadlineClocks) -> None:
    # The lawsuit's due date counts Berlin's holidays; its notices go to the office, which
    # works on International Women's Day (8 Mar 2027, a holiday in Berlin only).
    d = deadline(ClockName.VISA_LAWSUIT, date(2027, 3, 18))  # reminder 10 days before: 8 Mar
    assert clocks.rung_day(d, Rung.REMINDER) == (date(2027, 3, 8), EIGHT)


LADDER = (Rung.REMINDER, Rung.DUE, Rung.TEAM_LEAD, Rung.OPERATIONS)


@pytest.mark.parametrize("clock", list(ClockName))
def test_a_ladder_never_goes_back_in_time_and_notices_come_on_working_days(
    clocks: DeadlineClocks, clock: ClockName
) -> None:
    for offset in range(366):
        d = deadline(clock, date.fromordinal(date(2026, 1, 1).toordinal() + offset))
        times = [clocks.fire_time(d, rung) for rung in LADDER]
        assert times == sorted(times), d.due_on
        # The DUE notice never comes after the last day; the law's effect never during it.
        if clocks.statutory(clock):
            assert local_date(times[1]) == d.due_on + timedelta(days=1), d.due_on
        else:
            assert local_date(times[1]) <= d.due_on, d.due_on
        for rung in LADDER:
            day, at = clocks.rung_day(d, rung)
            if at == EIGHT:
                assert clocks.policy.is_working_day(day), (d.due_on, rung)
            if rung >= Rung.TEAM_LEAD:
                assert day > d.due_on or (day == d.due_on and not clocks.statutory(clock)), (d.due_on, rung)


# --- statutory effects: at 00:00 after the last day -------------------------------------------


def test_a_statutory_effect_acts_when_the_last_day_has_run_out(clocks: DeadlineClocks) -> None:
    d = deadline(FICTION, date(2026, 11, 26))  # a Thursday
    assert clocks.statutory(FICTION)
    assert clocks.rung_day(d, Rung.DUE) == (date(2026, 11, 27), MIDNIGHT)
    assert clocks.fire_time(d, Rung.DUE) == utc(2026, 11, 26, 23, 0)  # winter: UTC+1
    assert local_date(clocks.fire_time(d, Rung.DUE)) == date(2026, 11, 27)
    assert clocks.fire_time(d, Rung.REMINDER) == utc(2026, 11, 24, 7, 0)
    # Escalations never come before the effect: one day more, then the next working day.
    assert clocks.rung_day(d, Rung.TEAM_LEAD) == (date(2026, 11, 30), EIGHT)  # 26 + 3 = Sunday -> Monday
    assert clocks.rung_day(d, Rung.OPERATIONS) == (date(2026, 12, 2), EIGHT)  # 26 + 6


def test_a_statutory_effect_in_summer_and_across_the_clock_change(clocks: DeadlineClocks) -> None:
    assert clocks.fire_time(deadline(FICTION, date(2026, 7, 15)), Rung.DUE) == utc(2026, 7, 15, 22, 0)
    # A recorded validity ending on Saturday 28 Mar 2026: lapses at 00:00 on the 29th, still winter time.
    lapse = deadline(ClockName.VORABZUSTIMMUNG_VALIDITY, date(2026, 3, 28))
    assert clocks.fire_time(lapse, Rung.DUE) == utc(2026, 3, 28, 23, 0)
    # Ending on Saturday 24 Oct 2026: 00:00 on the 25th is still summer time.
    lapse = deadline(ClockName.VORABZUSTIMMUNG_VALIDITY, date(2026, 10, 24))
    assert clocks.fire_time(lapse, Rung.DUE) == utc(2026, 10, 24, 22, 0)
    # Its escalations (0 days after, plus one) come on the next working day at 08:00.
    assert clocks.rung_day(lapse, Rung.TEAM_LEAD) == (date(2026, 10, 26), EIGHT)


def test_only_clocks_with_an_effect_in_law_act_at_midnight(clocks: DeadlineClocks) -> None:
    statutory = {c for c in ClockName if clocks.statutory(c)}
    assert statutory == {ClockName.BA_CONSENT_FICTION, ClockName.VORABZUSTIMMUNG_VALIDITY}
    for clock in ClockName:
        _, at = clocks.rung_day(deadline(clock, date(2026, 11, 26)), Rung.DUE)
        assert at == (MIDNIGHT if clock in statutory else EIGHT), clock


def test_a_clock_missing_from_an_older_policy_is_not_statutory(policy: DeadlinePolicy) -> None:
    older = policy.model_copy(
        update={"clocks": {k: v for k, v in policy.clocks.items() if k is not ClockName.BA_CONSENT_FICTION}}
    )
    assert not make_clocks(older).statutory(ClockName.BA_CONSENT_FICTION)


# --- scaled days (tests, demos) ---------------------------------------------------------------


def test_scaled_days_count_from_the_clocks_start(policy: DeadlinePolicy) -> None:
    scaled = make_clocks(policy.model_copy(update={"day_seconds": 1.0}))
    d = deadline(SERVICE, date(2026, 1, 14))  # anchor: 5 Jan 2026 09:00 UTC; due 9 days later
    # 08:00 on the 14th: 9 days and a third of a policy day after the anchor.
    assert scaled.fire_time(d, Rung.DUE).timestamp() == pytest.approx(d.anchor.timestamp() + 9 + 1 / 3)


# --- which rungs fire when the loop wakes up ----------------------------------------------------


def _fired(policy: DeadlinePolicy, d: Deadline, now: datetime, monkeypatch: pytest.MonkeyPatch) -> list[Rung]:
    fired: list[Rung] = []
    clocks = DeadlineClocks(
        deadlines=[d], policy=policy, route=lambda: ResidenceRoute.SECTION_18A, procedure=Procedure.REGULAR,
        on_rung=lambda _, rung: fired.append(rung), on_change=lambda: None,
    )  # fmt: skip
    monkeypatch.setattr("workflows.deadlines.workflow.now", lambda: now)
    clocks._fire_due_rungs()
    return fired


def test_rungs_due_at_one_instant_all_fire_in_order(policy: DeadlinePolicy, monkeypatch: pytest.MonkeyPatch) -> None:
    # The lawsuit clock escalates on its last day (zero-day grace): the advisor's notice, the team
    # lead's and operations' all come at 08:00 that day, none swallowed by the others.
    d = deadline(ClockName.VISA_LAWSUIT, date(2026, 2, 10))
    d.level = Rung.REMINDER
    assert _fired(policy, d, utc(2026, 2, 10, 7, 0), monkeypatch) == [Rung.DUE, Rung.TEAM_LEAD, Rung.OPERATIONS]


def test_rungs_past_before_the_clock_started_collapse_into_the_highest(
    policy: DeadlinePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = deadline(ClockName.ANMELDUNG, date(2026, 1, 2)).model_copy(update={"anchor": utc(2026, 1, 20, 9)})
    assert _fired(policy, late, utc(2026, 1, 20, 9), monkeypatch) == [Rung.OPERATIONS]
    # A late statutory clock acts with its effect, not with an escalation.
    fiction = deadline(ClockName.BA_CONSENT_FICTION, date(2026, 1, 2)).model_copy(update={"anchor": utc(2026, 1, 20)})
    assert _fired(policy, fiction, utc(2026, 1, 20), monkeypatch) == [Rung.DUE]
