"""The §81a embassy appointment (#24, §31a(1) AufenthV): the mission gives an appointment within
three weeks of the Vorabzustimmung. On process version 4 booking one after that period does not
meet the clock (it runs on and escalates, so the office asks for an earlier date); before, any
booking met it.

The §81a walk of ``test_engine``: the Vorabzustimmung of 2026-07-10, three weeks until Friday
2026-07-31.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models import journey as J
from models.clocks import ClockName
from tests.process.test_engine import A81, Ok, act, check, meet, walk

C, d = ClockName, date
TODAY = d(2026, 7, 20)


def booked(on: date) -> J.BookVisaAppointment:
    return act(J.BookVisaAppointment, appointment_on=on, mission="Tunis")


# fmt: off
ROWS = [
    ("on-the-last-day", 4, (), booked(d(2026, 7, 31)), Ok(clocks=[meet(C.EMBASSY_APPOINTMENT_81A)])),
    ("after-the-three-weeks", 4, (), booked(d(2026, 8, 3)),
     Ok(clocks=[], summary="after the three weeks of §31a(1) AufenthV (until 2026-07-31)")),
    ("rebooked-within", 4, (booked(d(2026, 8, 10)),), booked(d(2026, 7, 28)),
     Ok(clocks=[meet(C.EMBASSY_APPOINTMENT_81A)], summary="rebooked")),
    ("versions-before-4-met-by-any-booking", 3, (), booked(d(2026, 8, 3)),
     Ok(clocks=[meet(C.EMBASSY_APPOINTMENT_81A)], not_in_summary="§31a")),
]
# fmt: on


@pytest.mark.parametrize(("version", "before", "action", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_an_appointment_meets_the_clock_only_within_three_weeks(
    version: int, before: tuple[Any, ...], action: Any, expected: Ok
) -> None:
    state = walk(A81, "vorab")
    state.process_version = version
    for earlier in before:
        check(state, earlier, TODAY, Ok())
    check(state, action, TODAY, expected)
