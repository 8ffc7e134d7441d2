"""Helpers that drive cases and candidate journeys with the Temporal client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle

from core.updates import execute_update
from models import clock
from models.case import (
    ActionReply,
    CaseState,
    CompleteConsultation,
    Employer,
    NewCaseRequest,
    Procedure,
    ResidenceRoute,
    SelectCandidates,
    SelectedCandidate,
)
from models.journey import (
    ApplyForRecognition,
    BookVisaAppointment,
    ConfirmRecognitionReceipt,
    DocumentReceipt,
    JourneyStage,
    JourneyView,
    RecordAnmeldung,
    RecordArrival,
    RecordBaDecision,
    RecordContract,
    RecordDocuments,
    RecordIntegrationCourse,
    RecordJobStart,
    RecordMovingIn,
    RecordPermitApplication,
    RecordPermitDecision,
    RecordProbationPassed,
    RecordRecognition,
    RecordVisaApplication,
    RecordVisaDecision,
    RecordVorabzustimmung,
    RequestBaConsent,
    StartAcceleratedProcedure,
)
from process.definition import BY_MODEL
from starter.cases import new_case_id
from starter.cases import start_case as start_case_as_the_starter_does
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow

ADVISOR = "m.koch"
TODAY = clock.today()
# The story of a journey is told in the past: every recorded fact is dated before today.
START = TODAY - timedelta(days=400)


def day(n: int) -> date:
    return START + timedelta(days=n)


def new_case(**overrides: Any) -> NewCaseRequest:
    fields: dict[str, Any] = {
        "case_id": new_case_id(),
        "advisor": ADVISOR,
        "employer": Employer(
            name="Haustechnik Gehrden GmbH",
            sector="SHK",
            contact="personal@haustechnik-gehrden.example",
            earlier_international_hires=True,
        ),
        "occupation": "shk_installer",
        "qualification_level": "vocational",
        "monthly_gross_wage_eur": 3100,
        "positions": 2,
        "route": ResidenceRoute.SECTION_18A,
        "procedure": Procedure.REGULAR,
        "origin_programme": "THAMM Plus",
    }
    fields.update(overrides)
    return NewCaseRequest.model_validate(fields)


async def start_case(client: Client, task_queue: str, case: NewCaseRequest | None = None) -> WorkflowHandle:
    # Exactly as the starter starts a case (id policy, summaries for the Web UI).
    return await start_case_as_the_starter_does(client, case or new_case(), task_queue)


async def case_update(handle: WorkflowHandle, update: Any, action: Any) -> CaseState:
    """An advisor's Update on the case, then the whole case (the Update answers the step only)."""
    await execute_update(handle, update, action)
    return await handle.query(CaseWorkflow.status)


async def open_journeys(
    client: Client, handle: WorkflowHandle, candidates: list[tuple[str, str]] | None = None
) -> list[Journey]:
    """Consultation done and candidates selected: one journey per candidate."""
    await execute_update(
        handle,
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    return await select_candidates(client, handle, candidates or [("THAMM-4711", "TN"), ("THAMM-0815", "MA")])


async def select_candidates(client: Client, handle: WorkflowHandle, candidates: list[tuple[str, str]]) -> list[Journey]:
    await execute_update(
        handle,
        CaseWorkflow.select_candidates,
        SelectCandidates(
            advisor=ADVISOR,
            candidates=[SelectedCandidate(candidate_ref=r, origin_country=c) for r, c in candidates],
        ),
    )
    state = await handle.query(CaseWorkflow.status)
    # The journeys started by this selection (earlier ones keep running).
    return [Journey(client.get_workflow_handle(j.workflow_id)) for j in state.journeys[-len(candidates) :]]


async def act(handle: WorkflowHandle, action: Any) -> JourneyView:
    """Send one advisor action as the starter does: the Update is named after the action."""
    await execute_update(handle, BY_MODEL[type(action)].update, action, result_type=ActionReply)
    return await handle.query(JourneyWorkflow.status)


@dataclass
class Journey:
    handle: WorkflowHandle

    async def view(self) -> JourneyView:
        return await self.handle.query(JourneyWorkflow.status)

    async def stage(self) -> JourneyStage:
        return (await self.view()).state.stage

    async def do(self, model: type, **fields: Any) -> JourneyView:
        return await act(self.handle, model(advisor=ADVISOR, **fields))

    async def hand_in_documents(self, on: date) -> JourneyView:
        """Record every document the actions on offer still lack."""
        view = await self.view()
        missing = view.open_documents
        if not missing:
            return view
        receipts = [DocumentReceipt(code=c, reference=f"DMS-{c.value[:20]}", received_on=on) for c in missing]
        return await self.do(RecordDocuments, documents=receipts)

    # The usual path, one step at a time; each returns the view after the step.

    async def contract(self) -> JourneyView:
        await self.hand_in_documents(day(0))
        return await self.do(RecordContract, signed_on=day(1), starts_on=day(200))

    async def accelerated_procedure(self) -> JourneyView:
        await self.hand_in_documents(day(2))
        return await self.do(StartAcceleratedProcedure, agreement_signed_on=day(3), fee_paid_on=day(3))

    async def recognition(self, decision: str = "full", **extra: Any) -> JourneyView:
        """Applied for, receipt confirmed with complete documents, decided."""
        view = await self.hand_in_documents(day(4))
        if view.state.recognition_applied_on is None:
            await self.do(ApplyForRecognition, applied_on=day(5), body="Handwerkskammer Hannover")
            await self.do(ConfirmRecognitionReceipt, confirmed_on=day(12), complete_on=day(12))
        return await self.do(RecordRecognition, decision=decision, decided_on=day(60), **extra)

    async def ba_consent(
        self,
        path: str = "vorabzustimmung",
        decision: str = "granted",
        requested_on: date | None = None,
        decided_on: date | None = None,
        **extra: Any,
    ) -> JourneyView:
        """Request and decision. A request dated long ago on a path with the consent fiction
        would be deemed granted at once (as the law has it): such paths are dated recently."""
        state = (await self.view()).state
        if state.ba_request is None:
            await self.do(RequestBaConsent, path=path, requested_on=requested_on or day(65))
        return await self.do(RecordBaDecision, decision=decision, decided_on=decided_on or day(75), **extra)

    async def vorabzustimmung(self, valid_days: int = 90) -> JourneyView:
        return await self.do(
            RecordVorabzustimmung,
            issued_on=TODAY - timedelta(days=2),
            valid_until=TODAY + timedelta(days=valid_days),
            latest_start_on=TODAY + timedelta(days=valid_days + 60),
        )

    async def visa_appointment(self, on: date | None = None) -> JourneyView:
        return await self.do(BookVisaAppointment, appointment_on=on or day(90), mission="Tunis")

    async def visa_application(self, on: date | None = None) -> JourneyView:
        await self.hand_in_documents(day(80))
        return await self.do(RecordVisaApplication, applied_on=on or day(90))

    async def visa(
        self, decision: str = "issued", on: date | None = None, valid_until: date | None = None
    ) -> JourneyView:
        decided_on = on or day(100)
        if decision == "issued":
            extra = {"valid_until": valid_until or decided_on + timedelta(days=365)}
        else:
            extra = {"notified_on": decided_on}
        return await self.do(RecordVisaDecision, decision=decision, decided_on=decided_on, **extra)

    async def arrival(self) -> JourneyView:
        return await self.do(RecordArrival, arrived_on=day(150))

    async def settle_in(self) -> JourneyView:
        """Job start on the visa, Anmeldung, residence permit: into probation."""
        await self.do(RecordJobStart, started_on=day(152))
        await self.do(RecordMovingIn, moved_in_on=day(150))
        await self.hand_in_documents(day(151))
        await self.do(RecordAnmeldung, registered_on=day(155))
        await self.hand_in_documents(day(156))
        await self.do(RecordPermitApplication, applied_on=day(160))
        await self.hand_in_documents(day(161))  # process version 3: the application's documents follow it
        return await self.do(
            RecordPermitDecision, decision="granted", decided_on=day(190), valid_until=day(190 + 4 * 365)
        )

    async def probation_passed(self) -> JourneyView:
        """Probation passed and, where §44 gives the entitlement, the integration course
        registered: the journey is done."""
        view = await self.do(RecordProbationPassed, passed_on=day(335))
        if "record-integration-course" not in view.next_steps:
            return view
        return await self.do(RecordIntegrationCourse, status="registered", recorded_on=day(336))

    async def to_vorabzustimmung(self) -> JourneyView:
        """§81a journey: contract, the procedure's agreement, recognition, BA consent via the ABH."""
        await self.contract()
        await self.accelerated_procedure()
        await self.recognition()
        recently = TODAY - timedelta(days=4)
        return await self.ba_consent(path="abh_81a", requested_on=recently, decided_on=recently + timedelta(days=1))

    async def to_visa_stage(self) -> JourneyView:
        """Regular §18a journey: contract, recognition, BA consent (employer's Vorabzustimmung)."""
        await self.contract()
        await self.recognition()
        return await self.ba_consent()

    async def to_probation(self) -> JourneyView:
        await self.to_visa_stage()
        await self.visa_appointment()
        await self.visa_application()
        await self.visa()
        await self.arrival()
        return await self.settle_in()


def last_step(events: list[Any]) -> Any:
    """The newest advisor or statutory step, skipping the deadline ladder's notices."""
    return [e for e in events if not e.action.startswith("deadline_")][-1]
