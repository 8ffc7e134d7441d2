"""An employment that ends after the placement (#24): the employer still reports it to the ABH
within four weeks (§4a(5) S.3 Nr.3 AufenthG). The placed journey takes the end, runs the
report's clock and is placed again once the report is recorded; the placement stands.
Engine walks of ``test_engine`` (a §18a journey of 2025/26)."""

from __future__ import annotations

from datetime import date

import pytest

from models import journey as J
from models.clocks import ClockName, DeadlineStatus
from models.journey import JourneyOutcome, JourneyStage, JourneyState, Milestone
from process import engine
from process.refusal import Refusal
from tests.process.test_engine import REG, P, T, act, do, docs, walk

pytestmark = pytest.mark.unit
d = date


def placed() -> JourneyState:
    state = walk(REG, "probation_passed")
    if state.outcome is None:  # an older process version's integration course: recorded too
        docs(state)
        do(state, act(J.RecordIntegrationCourse, status="registered", recorded_on=d(2026, 4, 10)))
    assert state.outcome is JourneyOutcome.PLACED and state.stage is JourneyStage.FINISHED
    return state


def ended(on: date) -> J.RecordEmploymentEnded:
    return act(J.RecordEmploymentEnded, ended_on=on, reason_code="resigned")


def test_an_end_after_the_placement_opens_the_report_and_the_placement_stands() -> None:
    state = placed()
    step = do(state, ended(d(2026, 9, 30)))
    assert "after probation" in step.summary and "by 2026-10-28" in step.summary
    assert state.open_milestones == [Milestone.EMPLOYER_REPORT_DUE]
    assert state.outcome is None and state.pending_outcome is JourneyOutcome.PLACED
    (report,) = [x for x in state.deadlines if x.clock is ClockName.EMPLOYER_REPORT]
    assert (report.due_on, report.status) == (d(2026, 10, 28), DeadlineStatus.RUNNING)
    do(state, act(J.RecordEmployerReport, reported_on=d(2026, 10, 5)))
    assert state.outcome is JourneyOutcome.PLACED and state.stage is JourneyStage.FINISHED
    assert state.probation_passed_on is not None  # the report counts the placement from it


@pytest.mark.parametrize(
    ("action", "why"),
    [
        (ended(d(2026, 9, 30)), "ended on 2026-09-30 already"),  # a second end: the first is recorded
        (act(J.AddNote, note="after the end"), "has finished"),  # nothing else reopens it
    ],
)
def test_only_the_end_reopens_a_placed_journey_and_only_once(action: object, why: str) -> None:
    state = placed()
    do(state, ended(d(2026, 9, 30)))
    do(state, act(J.RecordEmployerReport, reported_on=d(2026, 10, 5)))
    with pytest.raises(Refusal, match=why):
        engine.apply(state, action, T, P)


def test_a_journey_that_ended_otherwise_is_not_reopened() -> None:
    state = walk(REG, "contract")
    do(state, act(J.WithdrawCandidate, reason_code="other_offer"))
    with pytest.raises(Refusal, match="has finished"):
        do(state, ended(d(2026, 9, 30)))
