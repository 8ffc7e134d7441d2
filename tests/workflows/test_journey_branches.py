"""Every branch a real case must survive, each reached by an advisor action,
against the real dev server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError

from models.case import CaseState, Outcome, Procedure, Stage, Withdraw
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
    VorabzustimmungExpired,
    WithdrawCandidate,
)
from tests.conftest import Stack
from tests.workflows.case_flow import ADVISOR, TODAY, Journey, day, last_step, new_case, open_journeys, start_case
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow

S = JourneyStage


async def one_journey(stack: Stack, **case_fields: object) -> tuple[object, Journey]:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1, **case_fields))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    return handle, journey


async def rejected(coro: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await coro  # type: ignore[misc]
    return str(err.value.cause)


async def test_candidate_withdraws(stack: Stack) -> None:
    handle, journey = await one_journey(stack)
    await journey.contract()
    view = await journey.do(JourneyWorkflow.withdraw_candidate, WithdrawCandidate, reason="Accepted an offer in Canada")
    assert (view.state.stage, view.state.outcome) == (S.FINISHED, JourneyOutcome.WITHDRAWN_BY_CANDIDATE)
    result: CaseState = await handle.result()  # type: ignore[attr-defined]
    assert result.outcome is Outcome.NOT_PLACED
    assert result.outcome_reason == "0 of 1 placed; THAMM-4711: withdrawn_by_candidate (Accepted an offer in Canada)"


async def test_employer_withdraws_the_vacancy_and_every_open_journey_ends(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    first, second = await open_journeys(stack.client, handle)
    await first.to_visa_stage()

    # A candidate cannot withdraw the whole case: that is the employer's or the centre's call.
    message = await rejected(
        handle.execute_update(CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="candidate", reason="n/a"))
    )
    assert "withdraw-candidate" in message
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason="Order book collapsed")
    )
    result: CaseState = await handle.result()
    assert (result.stage, result.outcome) == (Stage.CLOSED, Outcome.NOT_PLACED)
    for journey, stage in ((first, S.VISA), (second, S.CONTRACT)):
        state = (await journey.view()).state
        assert (state.outcome, state.outcome_reason) == (
            JourneyOutcome.VACANCY_WITHDRAWN,
            "Order book collapsed",
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
    assert (await handle.result()).outcome is Outcome.NOT_PLACED  # type: ignore[attr-defined]

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
    await journey.do(JourneyWorkflow.reapply_ba_consent, ReapplyBaConsent, changes="Wage raised to 3,300 EUR")
    view = await journey.ba_consent()
    assert view.state.stage is S.VISA
    assert [d["decision"] for d in view.state.ba_decisions] == ["refused", "granted"]


async def test_vorabzustimmung_expires_before_the_visa_appointment(stack: Stack) -> None:
    _, journey = await one_journey(stack, procedure=Procedure.ACCELERATED_81A)
    view = await journey.contract()
    assert view.state.stage is S.ACCELERATED_PROCEDURE
    assert "fee_receipt_81a" in view.open_documents
    await journey.accelerated_procedure()
    view = await journey.recognition()  # the ABH filed it: no extra documents
    assert view.state.stage is S.BA_CONSENT
    assert "abh_81a" in await rejected(journey.ba_consent(path="embassy"))
    view = await journey.ba_consent(path="abh_81a")
    assert view.state.stage is S.VORABZUSTIMMUNG
    await journey.vorabzustimmung(valid_days=10)

    message = await rejected(journey.visa_appointment(on=TODAY + timedelta(days=20)))
    assert "after the Vorabzustimmung expires" in message
    view = await journey.do(
        JourneyWorkflow.vorabzustimmung_expired,
        VorabzustimmungExpired,
        reason="Embassy closed, no slot in time",
    )
    assert (view.state.stage, view.state.vorabzustimmung_valid_until) == (S.VORABZUSTIMMUNG, None)
    await journey.vorabzustimmung(valid_days=90)
    view = await journey.visa_appointment(on=TODAY + timedelta(days=20))
    assert view.state.visa_appointment_on == TODAY + timedelta(days=20)


async def test_visa_refused_then_new_application(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    view = await journey.visa("refused")
    assert view.state.stage is S.VISA_REFUSED
    assert "lawsuit at the VG Berlin by" in last_step(view.state.history).summary
    view = await journey.do(JourneyWorkflow.new_visa_application, NewVisaApplication)
    assert (view.state.stage, view.state.visa_appointment_on) == (S.VISA, None)
    await journey.visa_appointment(on=day(110))
    view = await journey.visa(on=day(120))
    assert (view.state.stage, view.state.visa_applications) == (S.ARRIVAL, 2)


async def test_visa_refused_then_lawsuit_within_one_month(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa("refused", on=day(100))
    message = await rejected(journey.do(JourneyWorkflow.file_visa_lawsuit, FileVisaLawsuit, filed_on=day(140)))
    assert "§74 VwGO" in message
    view = await journey.do(JourneyWorkflow.file_visa_lawsuit, FileVisaLawsuit, filed_on=day(120))
    assert view.state.stage is S.VISA_LAWSUIT
    view = await journey.visa(on=day(135))
    assert view.state.stage is S.ARRIVAL
    assert "after the lawsuit" in last_step(view.state.history).summary


async def test_arrival_delayed_within_and_past_the_visa(stack: Stack) -> None:
    _, journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    visa_until = TODAY + timedelta(days=40)
    await journey.visa(on=day(100), valid_until=visa_until)
    view = await journey.do(
        JourneyWorkflow.delay_arrival,
        DelayArrival,
        expected_on=TODAY + timedelta(days=30),
        reason="Flight cancelled",
    )
    assert (view.state.stage, view.state.expected_arrival_on) == (S.ARRIVAL, TODAY + timedelta(days=30))
    view = await journey.do(
        JourneyWorkflow.delay_arrival,
        DelayArrival,
        expected_on=TODAY + timedelta(days=60),
        reason="Family illness",
    )
    assert (view.state.stage, view.state.visa_valid_until) == (S.VISA, None)
    assert "new visa needed" in last_step(view.state.history).summary


async def test_probation_failure_and_the_employer_report(stack: Stack) -> None:
    handle, journey = await one_journey(stack)
    await journey.to_probation()
    view = await journey.do(
        JourneyWorkflow.record_employment_ended,
        RecordEmploymentEnded,
        ended_on=day(260),
        reason="Probation not passed",
    )
    assert view.state.stage is S.EMPLOYER_REPORT_DUE
    assert f"report to the ABH by {day(260) + timedelta(weeks=4)}" in last_step(view.state.history).summary
    view = await journey.do(JourneyWorkflow.record_employer_report, RecordEmployerReport, reported_on=day(300))
    assert (view.state.outcome, view.state.outcome_reason) == (
        JourneyOutcome.EMPLOYMENT_ENDED,
        "Probation not passed",
    )
    assert "late" in last_step(view.state.history).summary
    result: CaseState = await handle.result()  # type: ignore[attr-defined]
    assert result.outcome is Outcome.NOT_PLACED
