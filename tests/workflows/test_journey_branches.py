"""Every branch a real case must survive, each reached by an advisor action,
against the real dev server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models.case import CaseState, CloseCase, Outcome, Procedure, Stage, Withdraw
from models.clocks import ClockName
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from models.documents import DocumentCode
from models.journey import (
    DelayArrival,
    FileVisaLawsuit,
    JourneyOutcome,
    JourneyStage,
    NewVisaApplication,
    ReapplyBaConsent,
    RecordEmployerReport,
    RecordEmploymentEnded,
    RequestBaConsent,
    VorabzustimmungExpired,
    WithdrawCandidate,
)
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import (
    ADVISOR,
    TODAY,
    Journey,
    case_update,
    day,
    last_step,
    new_case,
    open_journeys,
    select_candidates,
    start_case,
)
from workflows.case import CaseWorkflow

S = JourneyStage


async def one_journey(stack: Stack, **case_fields: object) -> tuple[WorkflowHandle[Any, Any], Journey]:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1, **case_fields))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    return handle, journey


async def rejected(coro: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await coro  # type: ignore[misc]
    return str(err.value.cause)


async def case_stage(handle: WorkflowHandle[Any, Any]) -> Stage:
    return (await handle.query(CaseWorkflow.status)).stage


async def test_a_withdrawn_candidate_is_replaced_by_the_next_profile(stack: Stack) -> None:
    handle, journey = await one_journey(stack)
    await journey.contract()
    view = await journey.do(WithdrawCandidate, reason_code="other_offer", reason="Offer in Canada")
    assert (view.state.stage, view.state.outcome) == (S.FINISHED, JourneyOutcome.WITHDRAWN_BY_CANDIDATE)
    # Nobody placed yet: the case waits for a replacement instead of closing.
    assert await eventually(lambda: _is(case_stage(handle), Stage.CANDIDATE_SELECTION))
    (replacement,) = await select_candidates(stack.client, handle, [("THAMM-5150", "EG")])
    assert replacement.handle.id.endswith("-j2")
    await replacement.to_probation()
    await replacement.probation_passed()
    result: CaseState = await handle.result()
    assert result.outcome is Outcome.PLACED
    assert result.outcome_reason == (
        "1 of 1 position(s) filled; THAMM-4711: withdrawn_by_candidate (accepted another offer: Offer in Canada)"
    )


async def test_replacements_are_selected_while_journeys_run(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (first,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await first.contract()
    # The positions limit placements, not selections: a second profile while the first runs.
    (second,) = await select_candidates(stack.client, handle, [("THAMM-0815", "MA")])
    state: CaseState = await handle.query(CaseWorkflow.status)
    assert (state.stage, [j.candidate_ref for j in state.journeys]) == (Stage.JOURNEYS, ["THAMM-4711", "THAMM-0815"])
    assert "as replacement" in state.history[-1].summary
    await first.do(WithdrawCandidate, reason_code="personal_reasons")
    await second.do(WithdrawCandidate, reason_code="other", reason="Visa for another country")
    assert await eventually(lambda: _is(case_stage(handle), Stage.CANDIDATE_SELECTION))
    # No further candidate: the advisor closes the case with what was placed.
    state = await case_update(
        handle,
        CaseWorkflow.close_case,
        CloseCase(advisor=ADVISOR, reason_code="no_suitable_candidates", reason="THAMM Plus has no further profile"),
    )
    assert (state.stage, state.outcome) == (Stage.CLOSED, Outcome.NOT_PLACED)
    assert (state.outcome_reason or "").startswith("0 of 1 position(s) filled; THAMM-4711: withdrawn_by_candidate")


async def _is(probe: object, expected: object) -> bool:
    return await probe == expected  # type: ignore[misc]


async def test_employer_withdraws_the_vacancy_and_every_open_journey_ends(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    first, second = await open_journeys(stack.client, handle)
    await first.to_visa_stage()

    # A candidate cannot withdraw the whole case: that is the employer's or the centre's call.
    message = await rejected(
        handle.execute_update(
            CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="candidate", reason_code="other", reason="n/a")
        )
    )
    assert "withdraw-candidate" in message
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="economic_reasons")
    )
    result: CaseState = await handle.result()
    assert (result.stage, result.outcome) == (Stage.CLOSED, Outcome.NOT_PLACED)
    for journey, stage in ((first, S.VISA), (second, S.CONTRACT)):
        state = (await journey.view()).state
        assert (state.outcome, state.outcome_reason) == (
            JourneyOutcome.VACANCY_WITHDRAWN,
            "economic reasons",
        )
        assert last_step(state.history).summary.startswith(f"Journey ended in stage {stage}")
    assert [e.action for e in result.history if not e.action.startswith("deadline_")][-4:] == [
        "vacancy_withdrawn",
        "journey_finished",
        "journey_finished",
        "case_closed",
    ]


async def test_partial_recognition_switches_to_16d1_with_adaptation(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.contract()
    with pytest.raises(ValidationError, match="adaptation_qualification"):
        await journey.recognition("partial")
    view = await journey.recognition("partial", adaptation_qualification="6 months Anpassungsqualifizierung at the HWK")
    state = view.state
    assert (state.stage, state.route, state.original_route) == (S.BA_CONSENT, "16d1", "18a")
    assert state.adaptation_qualification == "6 months Anpassungsqualifizierung at the HWK"
    await journey.ba_consent()
    # The visa checklist now asks for the Zusatzblatt A and the recognition decision.
    assert {DocumentCode.ZUSATZBLATT_A, DocumentCode.RECOGNITION_DECISION} <= set((await journey.view()).open_documents)


async def test_recognition_rejected_ends_the_journey_or_continues_as_partnership(stack: Stack) -> None:
    handle, journey = await one_journey(stack)
    await journey.contract()
    view = await journey.recognition("rejected")
    assert (view.state.stage, view.state.outcome) == (S.FINISHED, JourneyOutcome.RECOGNITION_REJECTED)
    assert await eventually(lambda: _is(case_stage(handle), Stage.CANDIDATE_SELECTION))
    await handle.execute_update(
        CaseWorkflow.close_case, CloseCase(advisor=ADVISOR, reason_code="no_suitable_candidates")
    )
    assert (await handle.result()).outcome is Outcome.NOT_PLACED

    _, other = await one_journey(stack)
    await other.contract()
    view = await other.recognition("rejected", continue_as_recognition_partnership=True)
    assert (view.state.stage, view.state.route) == (S.BA_CONSENT, "16d3")


async def test_ba_refusal_and_reapplication(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.contract()
    await journey.recognition()
    view = await journey.ba_consent(decision="refused", refusal_grounds="Wage below the local standard (§39(2))")
    assert view.state.stage is S.BA_REFUSED
    assert "reapply-ba-consent" in view.next_steps
    assert "stage 'ba_refused'" in await rejected(journey.ba_consent())
    await journey.do(ReapplyBaConsent, changes="Wage raised to 3,300 EUR")
    # The new request cannot be dated before the refusal it answers.
    message = await rejected(journey.do(RequestBaConsent, path="vorabzustimmung", requested_on=day(70)))
    assert f"requested_on: {day(70)} is before the refusal (ba_refused_on {day(75)})" in message
    view = await journey.ba_consent(requested_on=day(80), decided_on=day(85))
    assert view.state.stage is S.VISA
    assert [r.decision for r in view.state.ba_requests] == ["refused", "granted"]


async def test_vorabzustimmung_expires_before_the_visa_appointment(stack: Stack) -> None:
    _, journey = await one_journey(stack, procedure=Procedure.ACCELERATED_81A)
    view = await journey.contract()
    assert view.state.stage is S.ACCELERATED_PROCEDURE
    assert "fee_receipt_81a" in view.open_documents
    await journey.accelerated_procedure()
    view = await journey.recognition()  # the ABH filed it: no extra documents
    assert view.state.stage is S.BA_CONSENT
    assert "abh_81a" in await rejected(journey.ba_consent(path="embassy"))
    recently = TODAY - timedelta(days=4)
    view = await journey.ba_consent(path="abh_81a", requested_on=recently, decided_on=recently + timedelta(days=1))
    assert view.state.stage is S.VORABZUSTIMMUNG
    await journey.vorabzustimmung(valid_days=10)

    message = await rejected(journey.visa_appointment(on=TODAY + timedelta(days=20)))
    assert "after the Vorabzustimmung expires" in message
    view = await journey.do(VorabzustimmungExpired, reason="Embassy closed, no slot in time")
    assert (view.state.stage, view.state.vorabzustimmung_valid_until) == (S.VORABZUSTIMMUNG, None)
    await journey.vorabzustimmung(valid_days=90)
    view = await journey.visa_appointment(on=TODAY + timedelta(days=20))
    assert view.state.visa_appointment_on == TODAY + timedelta(days=20)
    # Lodged within the validity: what the Vorabzustimmung was for has happened.
    view = await journey.visa_application(on=TODAY)
    validity = next(
        d for d in view.state.deadlines if d.clock is ClockName.VORABZUSTIMMUNG_VALIDITY and d.status == "met"
    )
    assert validity.due_on == TODAY + timedelta(days=90)
    assert "within its validity" in await rejected(journey.do(VorabzustimmungExpired, reason="too late"))


async def test_visa_refused_then_new_application(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa_application()
    view = await journey.visa("refused")
    assert view.state.stage is S.VISA_REFUSED
    assert "lawsuit at the VG Berlin by" in last_step(view.state.history).summary
    view = await journey.do(NewVisaApplication)
    assert (view.state.stage, view.state.visa_appointment_on) == (S.VISA, None)
    await journey.visa_appointment(on=day(110))
    await journey.visa_application(on=day(110))
    view = await journey.visa(on=day(120))
    assert (view.state.stage, view.state.visa_applications) == (S.ARRIVAL, 2)


async def test_visa_refused_then_lawsuit_within_one_month(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa_application()
    await journey.visa("refused", on=day(100))
    message = await rejected(journey.do(FileVisaLawsuit, filed_on=day(140)))
    assert "§74 VwGO" in message
    view = await journey.do(FileVisaLawsuit, filed_on=day(120))
    assert view.state.stage is S.VISA_LAWSUIT
    view = await journey.visa(on=day(135))
    assert view.state.stage is S.ARRIVAL
    assert "after the lawsuit" in last_step(view.state.history).summary


async def test_arrival_delayed_within_and_past_the_visa(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa_application()
    visa_until = TODAY + timedelta(days=40)
    await journey.visa(on=day(100), valid_until=visa_until)
    # Arrival after the agreed start (day 200): the employer's new start comes with the delay.
    message = await rejected(journey.do(DelayArrival, expected_on=TODAY + timedelta(days=30), reason="Flight"))
    assert "new_start_on: arrival on" in message and str(day(200)) in message
    view = await journey.do(
        DelayArrival, expected_on=TODAY + timedelta(days=30), reason="Flight cancelled",
        new_start_on=TODAY + timedelta(days=45),
    )  # fmt: skip
    assert view.state.contract_starts_on == TODAY + timedelta(days=45)
    assert (view.state.stage, view.state.expected_arrival_on) == (S.ARRIVAL, TODAY + timedelta(days=30))
    view = await journey.do(
        DelayArrival, expected_on=TODAY + timedelta(days=60), reason="Family illness",
        new_start_on=TODAY + timedelta(days=75),
    )  # fmt: skip
    assert (view.state.stage, view.state.visa_valid_until) == (S.VISA, None)
    assert "new visa needed" in last_step(view.state.history).summary


async def test_an_early_end_after_probation_and_the_employer_report(stack: Stack) -> None:
    handle, journey = await one_journey(stack)
    await journey.to_probation()
    # Probation passed; the integration course is still open, so the journey runs on.
    from models.journey import RecordProbationPassed

    view = await journey.do(RecordProbationPassed, passed_on=day(335))
    assert view.state.open_milestones == ["integration_course"]
    # §4a(5) reporting lasts the whole employment, not only the probation.
    view = await journey.do(
        RecordEmploymentEnded,
        ended_on=day(340),
        known_on=day(338),
        reason_code="resigned",
        reason="Moved to another city",
    )
    assert view.state.stage is S.EMPLOYER_REPORT_DUE
    policy = load_policy(DEFAULT_POLICY_FILE)
    due = policy.due_on(ClockName.EMPLOYER_REPORT, day(338), view.state.route, view.state.procedure)
    assert f"report it to the ABH by {due}" in last_step(view.state.history).summary
    clock = next(d for d in view.state.deadlines if d.clock is ClockName.EMPLOYER_REPORT)
    assert (clock.started_on, clock.due_on) == (day(338), due)
    view = await journey.do(RecordEmployerReport, reported_on=day(380))
    # Probation had passed: the person was placed; the early end is on record with its report.
    assert view.state.outcome is JourneyOutcome.PLACED
    assert (
        view.state.outcome_reason
        == f"probation passed on {day(335)}; employment ended on {day(340)} (resigned: Moved to another city)"
    )
    assert "late" in last_step(view.state.history).summary
    result: CaseState = await handle.result()
    assert result.outcome is Outcome.PLACED


async def test_withdrawing_while_a_replacement_is_awaited_keeps_the_placements(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=2))
    placed, gone = await open_journeys(stack.client, handle, [("THAMM-4711", "TN"), ("THAMM-0815", "MA")])
    await gone.do(WithdrawCandidate, reason_code="stays_in_home_country")
    await placed.to_probation()
    await placed.probation_passed()
    assert await eventually(lambda: _is(case_stage(handle), Stage.CANDIDATE_SELECTION))
    state = await case_update(
        handle, CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="vacancy_cancelled")
    )
    assert (state.stage, state.outcome) == (Stage.CLOSED, Outcome.PARTLY_PLACED)
    assert state.history[-1].summary.startswith("Withdrawn by the employer: vacancy cancelled: partly_placed")
