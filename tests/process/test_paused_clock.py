"""A paused recognition decision period, resumed (#24): the days it stood still are added to
the period and §193 BGB then moves the end off a weekend or holiday, through the one period
function (process version 4). Before, the days were added to the old due date, which §193 may
already have moved: a Saturday could come out, and the weekend counted twice.

The §81a walk of ``test_engine``: documents complete on 2026-06-08, two months (§14a BQFG) end on
Saturday 2026-08-08, so the due date is Monday 2026-08-10.
"""

from __future__ import annotations

from datetime import date

import pytest

from models import journey as J
from models.clocks import ClockName
from models.journey import PauseReason
from process.engine import Change
from tests.process.test_engine import A81, act, do, walk

RD, d = ClockName.RECOGNITION_DECISION, date
PAUSED_ON = d(2026, 6, 20)


def paused(version: int) -> J.JourneyState:
    state = walk(A81, "receipt")
    state.process_version = version
    assert state.open_deadline(RD) is not None and state.open_deadline(RD).due_on == d(2026, 8, 10)  # type: ignore[union-attr]
    doubts = act(J.PauseRecognitionClock, paused_on=PAUSED_ON, reason_code=PauseReason.AUTHENTICITY_DOUBTS,
                 reason="the body asked the embassy")  # fmt: skip
    do(state, doubts, d(2026, 7, 20))
    return state


# fmt: off
@pytest.mark.parametrize(("version", "resumed_on", "due_on"), [
    (4, d(2026, 6, 25), d(2026, 8, 13)),  # 5 days: Saturday 08-08 + 5 = Thursday 08-13
    (3, d(2026, 6, 25), d(2026, 8, 15)),  # before: Monday 08-10 + 5 = a Saturday
    (4, d(2026, 6, 27), d(2026, 8, 17)),  # 7 days: Saturday 08-15, so Monday 08-17
    (4, d(2026, 6, 20), d(2026, 8, 10)),  # resumed the day it paused: nothing added, still off the weekend
])
# fmt: on
def test_a_resumed_period_counts_the_paused_days_and_then_193_bgb(version: int, resumed_on: date, due_on: date) -> None:
    state = paused(version)
    step = do(state, act(J.ResumeRecognitionClock, resumed_on=resumed_on), d(2026, 7, 20))
    (resume,) = [c for c in step.clocks if c.kind is Change.RESUME]
    deadline = state.open_deadline(RD)
    assert deadline is not None and deadline.due_on == due_on


def test_two_pauses_add_up_before_193_bgb() -> None:
    state = paused(4)
    do(state, act(J.ResumeRecognitionClock, resumed_on=d(2026, 6, 23)), d(2026, 7, 20))  # 3 days
    again = act(J.PauseRecognitionClock, paused_on=d(2026, 7, 1), reason_code=PauseReason.AUTHENTICITY_DOUBTS,
                reason="a second letter")  # fmt: skip
    do(state, again, d(2026, 7, 20))
    do(state, act(J.ResumeRecognitionClock, resumed_on=d(2026, 7, 3)), d(2026, 7, 20))  # 2 days
    deadline = state.open_deadline(RD)
    # 08-08 + 5 days = Thursday 08-13 (the old way: 08-10 + 3 + 2 = Saturday 08-15)
    assert deadline is not None and (deadline.due_on, deadline.paused_days) == (d(2026, 8, 13), 5)
