"""Late facts against the real dev server (#24): the office records the BA's letters and the
visa application after the law's period has run out. The journey acts on what it knows (the
consent is deemed, the Vorabzustimmung expires); the late fact, dated within the period,
takes that back, and the history says why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError

from core.versions import CURRENT_PROCESS_VERSION
from models.case import Procedure
from models.checklists import required_documents
from models.documents import DocumentStep
from models.journey import (
    BaAnswersSent,
    BaInformationRequested,
    DocumentReceipt,
    JourneyStage,
    JourneyView,
    Milestone,
    RecordDocuments,
    RecordFiktionsbescheinigung,
    RecordPermitApplication,
    RecordVisaApplication,
    RecordVorabzustimmung,
    RequestBaConsent,
)
from tests.conftest import Stack
from tests.starter.test_import import _run as run_starter
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, TODAY, Journey, day, last_step, new_case, open_journeys, start_case

S, M = JourneyStage, Milestone


async def one_journey(stack: Stack, **case_fields: Any) -> Journey:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1, **case_fields))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    return journey


async def has_event(journey: Journey, action: str) -> JourneyView | None:
    view = await journey.view()
    return view if any(e.action == action for e in view.state.history) else None


async def test_a_late_ba_question_takes_back_the_consent_the_journey_deemed(stack: Stack) -> None:
    journey = await one_journey(stack)
    await journey.contract()
    await journey.recognition()
    await journey.visa_appointment()
    await journey.visa_application(on=day(90))
    # Recorded weeks late: the two weeks of §36(2) BeschV ended long ago, so the journey deems at once.
    view = await journey.do(RequestBaConsent, path="embassy", requested_on=day(92))
    assert view.state.process_version == CURRENT_PROCESS_VERSION == 4
    requested = next(e for e in view.state.history if e.action == "ba_consent_requested")
    assert "That day has passed" in requested.summary
    view = await eventually(lambda: has_event(journey, "ba_consent_deemed"))
    record = view.state.ba_requests[-1]
    assert record.decision == "deemed_granted"
    assert record.decided_on == record.fiction_ended_on + timedelta(days=1)  # the day the fiction took effect
    assert M.BA_CONSENT in view.state.done_milestones

    # The BA's question dated after the period does not undo the consent; one within it does.
    late = record.fiction_ended_on + timedelta(days=1)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.do(BaInformationRequested, asked_on=late)
    assert "belongs to 'ba_consent'" in str(err.value.cause)
    view = await journey.do(BaInformationRequested, asked_on=day(100))
    step = last_step(view.state.history)
    assert step.action == "ba_information_requested"
    assert step.summary.startswith(
        f"Deemed consent taken back: the BA acted within the fiction period (until {record.fiction_ended_on}"
    )
    assert (view.state.stage, view.state.ba_question_asked_on) == (S.BA_CONSENT, day(100))
    assert not view.state.ba_consent_given
    assert "ba-answers-sent" in view.next_steps

    # The answers arrive recently: the fiction runs afresh from them, on a live clock.
    received = TODAY - timedelta(days=1)
    view = await journey.do(BaAnswersSent, received_on=received)
    fiction = next(d for d in view.state.deadlines if d.clock == "ba_consent_fiction" and d.open)
    assert fiction.started_on == received and fiction.due_on > TODAY
    view = await journey.ba_consent(path="embassy", decision="granted", decided_on=TODAY)
    assert [r.decision for r in view.state.ba_requests] == ["granted"]
    assert view.state.ba_decided_on == TODAY


async def test_a_late_visa_application_takes_back_the_expiry_the_journey_recorded(stack: Stack) -> None:
    journey = await one_journey(stack, procedure=Procedure.ACCELERATED_81A)
    await journey.to_vorabzustimmung()
    issued, valid_until = TODAY - timedelta(days=3), TODAY - timedelta(days=1)
    await journey.do(
        RecordVorabzustimmung, issued_on=issued, valid_until=valid_until, latest_start_on=TODAY + timedelta(days=90)
    )
    # Its validity ended yesterday and no application is recorded: the journey records the expiry.
    view = await eventually(lambda: has_event(journey, "vorabzustimmung_expired"))
    assert view.state.stage is S.VORABZUSTIMMUNG and view.state.vorabzustimmung_valid_until is None

    # The application's documents were handed in with it (the visa step is closed, so not on offer).
    visa_documents = required_documents(
        DocumentStep.VISA_APPLICATION, view.state.route, view.state.procedure, recognised=True, version=4
    )
    receipts = [DocumentReceipt(code=c, reference="DMS-0201-1", received_on=issued) for c in visa_documents]
    await journey.do(RecordDocuments, documents=receipts)
    view = await journey.do(RecordVisaApplication, applied_on=valid_until)
    step = last_step(view.state.history)
    assert step.summary.startswith(f"Expiry taken back: the visa application lies within the Vorabzustimmung's "
                                   f"validity (until {valid_until}")  # fmt: skip
    assert (view.state.stage, view.state.visa_applied_on) == (S.VISA, valid_until)
    assert view.state.vorabzustimmung_valid_until == valid_until
    assert "record-visa-decision" in view.next_steps


async def test_a_late_permit_application_keeps_the_status_only_by_the_abhs_order(stack: Stack) -> None:
    journey = await one_journey(stack)
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa_application()
    await journey.visa(on=day(100), valid_until=day(160))
    await journey.arrival()
    await journey.hand_in_documents(day(151))
    view = await journey.do(RecordPermitApplication, applied_on=day(170))  # ten days after the visa ran out
    assert "no Fiktionswirkung" in last_step(view.state.history).summary
    certificate = {"issued_on": day(171), "valid_until": day(260), "reference": "DMS-0201-12345-1"}
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.do(RecordFiktionsbescheinigung, **certificate)
    assert "§81(4) S.1 AufenthG does not apply" in str(err.value.cause)
    assert (await journey.view()).state.fiktionsbescheinigung_valid_until is None  # unchanged
    # The flag as the advisor gives it on the command line.
    case_id = journey.handle.id.removeprefix("case-").rsplit("-j", 1)[0]
    code, _, told = await run_starter(
        stack, "record-fiktionsbescheinigung", case_id, "--advisor", ADVISOR, "--issued-on", str(day(171)),
        "--valid-until", str(day(260)), "--reference", "DMS-0201-12345-1", "--ordered-for-late-application",
    )  # fmt: skip
    assert code == 0, told
    view = await journey.view()
    assert "ordered the status kept for the late application (§81(4) S.3" in last_step(view.state.history).summary
    assert view.state.fiktionsbescheinigung_valid_until == day(260)
