"""The import's journey step (#16), table-driven: a row's dates place the journey at its
milestone, the milestones they reached (and what those wait for) done, the clocks still
open counting from the row's last date, ends and placements finished."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.case import ImportedJourney, Procedure, ResidenceRoute, SelectedCandidate
from models.clocks import ClockName, DeadlineStatus
from models.journey import ImportJourney, JourneyOutcome, JourneyStage, Milestone, RecognitionDecision
from process import engine
from process.refusal import Refusal
from tests.process.test_engine import P, T, journey, track

M, C, S, d = Milestone, ClockName, JourneyStage, date
SELECTED = d(2025, 6, 1)


def imported(**dates: Any) -> ImportJourney:
    row = ImportedJourney(row=7, candidate=SelectedCandidate(candidate_ref="THAMM-1", origin_country="TN"), **dates)
    return ImportJourney(advisor="m.koch", file="past.csv", selected_on=SELECTED, imported=row)


CASES = [
    # id, dates, stage, done (subset), open, outcome
    ("selected only", {}, S.CONTRACT, [], [M.CONTRACT, M.RECOGNITION], None),
    (
        "contract signed",
        {"contract_signed_on": d(2025, 7, 1)},
        S.RECOGNITION,
        [M.CONTRACT],
        [M.RECOGNITION],
        None,
    ),
    (
        "visa issued: recognition and BA consent done with it",
        {"contract_signed_on": d(2025, 7, 1), "visa_issued_on": d(2025, 10, 1)},
        S.ARRIVAL,
        [M.CONTRACT, M.RECOGNITION, M.BA_CONSENT, M.VISA],
        [M.ARRIVAL],
        None,
    ),
    (
        "working: permit and Anmeldung still open, probation runs",
        {"arrived_on": d(2025, 11, 1), "job_started_on": d(2025, 11, 3)},
        S.ANMELDUNG,
        [M.CONTRACT, M.VISA, M.ARRIVAL, M.JOB_START],
        [M.ANMELDUNG, M.RESIDENCE_PERMIT, M.PROBATION],
        None,
    ),
    (
        # #24: the file's Anmeldung and permit columns; only the probation is left (and, for
        # §18a, the integration course the permit opened).
        "working with Anmeldung and permit: in probation",
        {
            "arrived_on": d(2025, 11, 1),
            "job_started_on": d(2025, 11, 3),
            "registered_on": d(2025, 11, 20),
            "permit_granted_on": d(2026, 1, 15),
            "permit_valid_until": d(2029, 1, 14),
        },
        S.PROBATION,
        [M.CONTRACT, M.VISA, M.ARRIVAL, M.JOB_START, M.ANMELDUNG, M.RESIDENCE_PERMIT],
        [M.PROBATION, M.INTEGRATION_COURSE],
        None,
    ),  # fmt: skip
    (
        "probation passed: placed",
        {"contract_signed_on": d(2025, 7, 1), "job_started_on": d(2025, 11, 3), "probation_passed_on": d(2026, 5, 4)},
        S.FINISHED,
        [M.CONTRACT, M.JOB_START, M.PROBATION],
        [],
        JourneyOutcome.PLACED,
    ),
    (
        "ended before the job: the candidate withdrew",
        {"contract_signed_on": d(2025, 7, 1), "ended_on": d(2025, 8, 1), "end_reason_code": "other_offer"},
        S.FINISHED,
        [M.CONTRACT],
        [],
        JourneyOutcome.WITHDRAWN_BY_CANDIDATE,
    ),
    (
        "ended during probation",
        {"job_started_on": d(2025, 11, 3), "ended_on": d(2026, 1, 9), "end_reason_code": "probation_not_passed"},
        S.FINISHED,
        [M.JOB_START],
        [],
        JourneyOutcome.EMPLOYMENT_ENDED,
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("dates", "stage", "done", "open_", "outcome"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_an_imported_row_places_the_journey_at_its_milestone(
    dates: dict[str, Any], stage: JourneyStage, done: list[Milestone], open_: list[Milestone], outcome: Any
) -> None:
    state = journey(Procedure.REGULAR)
    action = imported(**dates)
    step = engine.apply(state, action, T, P)
    track(state, step.clocks)
    assert state.stage is stage
    assert set(done) <= set(state.done_milestones)
    assert state.open_milestones == open_
    assert state.outcome is outcome
    # The event is dated with the row's last day; the clocks still open count from it.
    assert step.happened_on == action.last_dated_on
    running = [x for x in state.deadlines if x.status is DeadlineStatus.RUNNING]
    # ... but the probation from the job start and the course from the permit (#24)
    counted = {C.PROBATION: action.imported.job_started_on, C.INTEGRATION_COURSE: action.imported.permit_granted_on}
    assert all(x.started_on == counted.get(x.clock, action.last_dated_on) for x in running if x.clock is not C.CONTRACT)
    if M.CONTRACT in state.done_milestones or outcome is not None:
        assert not any(x.clock is C.CONTRACT for x in running)  # the contract clock was met
    assert "Imported by m.koch from past.csv, row 7" in step.summary


@pytest.mark.unit
def test_clocks_opened_and_done_within_the_import_are_not_started() -> None:
    state = journey(Procedure.REGULAR)
    step = engine.apply(state, imported(arrived_on=d(2025, 11, 1)), T, P)
    started = [c.clock for c in step.clocks if c.kind == "start"]
    assert len(started) == len(set(started))
    # Only the clocks of milestones open after the arrival start, from the arrival's day.
    assert {c.on for c in step.clocks if c.kind == "start"} <= {d(2025, 11, 1)}
    assert {c.kind for c in step.clocks} <= {"start", "meet"}


@pytest.mark.unit
def test_a_recognition_date_records_the_recognition_and_a_ba_date_the_consent() -> None:
    state = journey(Procedure.REGULAR)
    engine.apply(state, imported(recognition_decided_on=d(2025, 8, 1), ba_consent_on=d(2025, 9, 1)), T, P)
    assert state.recognition is RecognitionDecision.FULL and state.recognition_decided_on == d(2025, 8, 1)
    assert state.ba_consent_given and state.ba_decided_on == d(2025, 9, 1)
    assert state.route is ResidenceRoute.SECTION_18A


@pytest.mark.unit
@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"contract_signed_on": d(2027, 1, 1)}, "contract_signed_on"),
        ({"contract_signed_on": d(2025, 9, 1), "visa_issued_on": d(2025, 8, 1)}, "visa_issued_on"),
        ({"contract_signed_on": d(2025, 5, 1)}, "contract_signed_on"),  # before the selection
        ({"contract_signed_on": d(2025, 7, 1), "ended_on": d(2025, 8, 1)}, "end_reason_code"),
        ({"ended_on": d(2025, 8, 1), "end_reason_code": "not_a_code"}, "end_reason_code"),
        ({"registered_on": d(2025, 11, 1)}, "registered_on"),  # no arrival
        ({"arrived_on": d(2025, 11, 1), "registered_on": d(2025, 10, 30)}, "registered_on"),  # before it
        ({"arrived_on": d(2025, 11, 1), "permit_granted_on": d(2026, 1, 15)}, "permit_valid_until"),
        (
            {"arrived_on": d(2025, 11, 1), "permit_granted_on": d(2026, 1, 15), "permit_valid_until": d(2026, 1, 1)},
            "permit_valid_until",
        ),  # fmt: skip
    ],
)
def test_an_impossible_history_is_refused_and_changes_nothing(dates: dict[str, Any], field: str) -> None:
    state = journey(Procedure.REGULAR)
    before = state.model_copy(deep=True)
    with pytest.raises(Refusal, match=field):
        engine.apply(state, imported(**dates), T, P)
    assert state.open_milestones == before.open_milestones and state.done_milestones == before.done_milestones


@pytest.mark.unit
def test_the_visa_validity_starts_the_permit_application_clock_from_the_arrival() -> None:
    state = journey(Procedure.REGULAR)
    dates = {"visa_issued_on": d(2025, 10, 1), "visa_valid_until": d(2026, 1, 31), "arrived_on": d(2025, 11, 1)}
    step = engine.apply(state, imported(**dates), T, P)
    track(state, step.clocks)
    (permit,) = [x for x in state.deadlines if x.clock is C.RESIDENCE_PERMIT_APPLICATION]
    assert (permit.started_on, permit.due_on, permit.status) == (d(2025, 11, 1), d(2026, 1, 31), DeadlineStatus.RUNNING)
    # Without it the file cannot say when the permit is due: no clock, no invented date.
    state = journey(Procedure.REGULAR)
    track(state, engine.apply(state, imported(arrived_on=d(2025, 11, 1)), T, P).clocks)
    assert not [x for x in state.deadlines if x.clock is C.RESIDENCE_PERMIT_APPLICATION]
    with pytest.raises(Refusal, match="visa_valid_until"):
        engine.apply(journey(Procedure.REGULAR), imported(visa_valid_until=d(2026, 1, 31)), T, P)


@pytest.mark.unit
def test_an_imported_journey_with_its_permit_is_placed_by_the_passed_probation() -> None:
    """#24: the file's Anmeldung and permit leave only the probation (and a §18a course), so
    record-probation-passed and the course place it; no permit clock starts for a granted permit."""
    from models import journey as J

    state = journey(Procedure.REGULAR)
    dates = {"visa_issued_on": d(2025, 10, 1), "visa_valid_until": d(2026, 1, 31), "arrived_on": d(2025, 11, 1),
             "job_started_on": d(2025, 11, 3), "registered_on": d(2025, 11, 20), "permit_granted_on": d(2026, 1, 15),
             "permit_valid_until": d(2029, 1, 14)}  # fmt: skip
    track(state, engine.apply(state, imported(**dates), T, P).clocks)
    assert not [x for x in state.deadlines if x.clock is C.RESIDENCE_PERMIT_APPLICATION]
    assert (state.registered_on, state.permit_valid_until) == (d(2025, 11, 20), d(2029, 1, 14))
    track(state, engine.apply(state, J.RecordProbationPassed(advisor="m.koch", passed_on=d(2026, 5, 4)), T, P).clocks)
    course = J.RecordIntegrationCourse(advisor="m.koch", status="registered", recorded_on=d(2026, 5, 5))
    track(state, engine.apply(state, course, T, P).clocks)
    assert (state.stage, state.outcome) == (S.FINISHED, JourneyOutcome.PLACED)


def sixteen_d(route: ResidenceRoute) -> Any:
    state = journey(Procedure.REGULAR)
    state.route = state.original_route = route
    state.process_version = 4
    state.open_milestones = []
    track(state, engine.start(state, SELECTED))
    return state


def after_entry(**dates: Any) -> ImportJourney:
    action = imported(**dates)
    row = action.imported.model_copy(update={"recognition_after_entry": True})  # the starter sets it from the route
    return action.model_copy(update={"imported": row})


@pytest.mark.unit
@pytest.mark.parametrize("route", [ResidenceRoute.SECTION_16D3, ResidenceRoute.SECTION_16D1])
def test_a_16d_history_recognised_after_entry_is_imported_as_the_follow_up_recognition(route: ResidenceRoute) -> None:
    # #24: the recognition partnership applies for recognition after entry; the file's date
    # lies after the arrival, which the chain of a pre-entry recognition refused.
    dates = {"contract_signed_on": d(2025, 7, 1), "visa_issued_on": d(2025, 9, 1), "arrived_on": d(2025, 10, 1),
             "job_started_on": d(2025, 10, 2), "recognition_decided_on": d(2026, 3, 2)}  # fmt: skip
    with pytest.raises(Refusal, match="recognition_decided_on"):  # read as a pre-entry recognition: out of order
        engine.apply(sixteen_d(route), imported(**dates), T, P)
    state = sixteen_d(route)
    step = engine.apply(state, after_entry(**dates), T, P)
    assert M.FOLLOW_UP_RECOGNITION in state.done_milestones
    assert (state.route, state.follow_up_decided_on) == (ResidenceRoute.SECTION_18A, d(2026, 3, 2))
    assert state.recognition is None  # no recognition before entry on this route
    assert step.happened_on == d(2026, 3, 2)
    # Still needs its arrival: a date after entry without one is refused.
    with pytest.raises(Refusal, match="recognition_decided_on: needs arrived_on"):
        engine.apply(
            sixteen_d(route), after_entry(contract_signed_on=d(2025, 7, 1), recognition_decided_on=d(2025, 8, 1)), T, P
        )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("path", "recorded"),
    [(None, "embassy"), ("vorabzustimmung", "vorabzustimmung"), ("embassy", "embassy")],
)
def test_the_ba_path_is_the_file_s_or_the_usual_one(path: str | None, recorded: str) -> None:
    state = journey(Procedure.REGULAR)
    dates: dict[str, Any] = {"ba_consent_on": d(2025, 9, 1), **({"ba_path": path} if path else {})}
    engine.apply(state, imported(**dates), T, P)
    assert state.ba_requests[-1].path.value == recorded
    with pytest.raises(Refusal, match="ba_path: needs ba_consent_on"):
        engine.apply(journey(Procedure.REGULAR), imported(ba_path="embassy"), T, P)
    # The paths the live request allows: abh_81a only in the §81a procedure, and there only it.
    with pytest.raises(Refusal, match="ba_path: abh_81a only exists in the §81a procedure"):
        engine.apply(journey(Procedure.REGULAR), imported(ba_consent_on=d(2025, 9, 1), ba_path="abh_81a"), T, P)
