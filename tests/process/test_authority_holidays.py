"""A recognition body outside Lower Saxony counts its periods with its own state's holidays
(#24): the IHK FOSA sits in Nuremberg, so Epiphany, Corpus Christi and All Saints' Day move
its period's end, and Reformation Day does not (§193 BGB). The policy names the body's state
(``authority_regions``); a case whose stored policy has none counts as before.

Pure functions on a policy loaded for a fixed day, with dates of 2027/28 (weekday noted)."""

from __future__ import annotations

from datetime import date

import pytest

from models import journey as J
from models.case import Procedure, ResidenceRoute
from models.clocks import ClockName
from tests.process.test_engine import REG, P, act, do, docs, walk

pytestmark = pytest.mark.unit

C, R18A, d = ClockName, ResidenceRoute.SECTION_18A, date
A81 = Procedure.ACCELERATED_81A


@pytest.mark.parametrize(
    ("clock", "procedure", "event", "fosa", "hannover"),
    [
        # 1 month to the receipt: 2027-01-06 (Wed) is Epiphany in Bavaria only
        (C.RECOGNITION_RECEIPT, REG, d(2026, 12, 6), d(2027, 1, 7), d(2027, 1, 6)),
        # All Saints' Day 2027-11-01 (Mon): Bavaria's
        (C.RECOGNITION_RECEIPT, REG, d(2027, 10, 1), d(2027, 11, 2), d(2027, 11, 1)),
        # 3 months to the decision: Corpus Christi 2027-05-27 (Thu)
        (C.RECOGNITION_DECISION, REG, d(2027, 2, 27), d(2027, 5, 28), d(2027, 5, 27)),
        # 2 weeks in §81a: Reformation Day 2028-10-31 (Tue) is Lower Saxony's, not Bavaria's
        (C.RECOGNITION_RECEIPT, A81, d(2028, 10, 17), d(2028, 10, 31), d(2028, 11, 1)),
    ],
)  # fmt: skip
def test_the_body_s_own_holidays_end_its_period(
    clock: ClockName, procedure: Procedure, event: date, fosa: date, hannover: date
) -> None:
    assert P.due_on(clock, event, R18A, procedure, authority="IHK FOSA Nürnberg") == fosa
    assert P.due_on(clock, event, R18A, procedure, authority="HWK Hannover") == hannover
    assert P.due_on(clock, event, R18A, procedure) == hannover
    # A case that stored its policy before the entry existed counts by Lower Saxony, as it began.
    before = P.model_copy(update={"authority_regions": []})
    assert before.due_on(clock, event, R18A, procedure, authority="IHK FOSA") == hannover


def test_a_recognition_applied_for_at_the_ihk_fosa_runs_to_bavaria_s_working_day() -> None:
    for body, due in (("IHK FOSA", d(2027, 1, 7)), ("Handwerkskammer Hannover", d(2027, 1, 6))):
        state = walk(REG, "contract")
        docs(state)
        applied = act(J.ApplyForRecognition, applied_on=d(2026, 12, 6), body=body)
        step = do(state, applied, d(2026, 12, 7))
        (started,) = [c for c in step.clocks if c.clock is C.RECOGNITION_RECEIPT]
        assert started.due_on == due, body
