"""Helpers that drive cases and candidate journeys with the Temporal client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle

from models.case import (
    CompleteConsultation,
    Employer,
    NewCaseRequest,
    Procedure,
    ResidenceRoute,
    SelectCandidates,
    SelectedCandidate,
)
from models.journey import (
    BookVisaAppointment,
    DocumentReceipt,
    JourneyStage,
    JourneyView,
    RecordAnmeldung,
    RecordArrival,
    RecordBaDecision,
    RecordContract,
    RecordDocuments,
    RecordJobStart,
    RecordPermitApplication,
    RecordPermitDecision,
    RecordProbationPassed,
    RecordRecognition,
    RecordVisaDecision,
    RecordVorabzustimmung,
    StartAcceleratedProcedure,
)
from starter.cli import new_case_id
from starter.cli import start_case as start_case_as_the_starter_does
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow

ADVISOR = "m.koch"
TODAY = date.today()
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
        "occupation": "Anlagenmechaniker SHK",
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


async def open_journeys(
    client: Client, handle: WorkflowHandle, candidates: list[tuple[str, str]] | None = None
) -> list[Journey]:
    """Consultation done and candidates selected: one journey per candidate."""
    await handle.execute_update(
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    return await select_candidates(client, handle, candidates or [("THAMM-4711", "TN"), ("THAMM-0815", "MA")])


async def select_candidates(client: Client, handle: WorkflowHandle, candidates: list[tuple[str, str]]) -> list[Journey]:
    state = await handle.execute_update(
        CaseWorkflow.select_candidates,
        SelectCandidates(
            advisor=ADVISOR,
            candidates=[SelectedCandidate(candidate_ref=r, origin_country=c) for r, c in candidates],
        ),
    )
    return [Journey(client.get_workflow_handle(j.workflow_id)) for j in state.journeys]


@dataclass
class Journey:
    handle: WorkflowHandle

    async def view(self) -> JourneyView:
        return await self.handle.query(JourneyWorkflow.status)

    async def stage(self) -> JourneyStage:
        return (await self.view()).state.stage

    async def do(self, update: Any, model: type, **fields: Any) -> JourneyView:
        return await self.handle.execute_update(update, model(advisor=ADVISOR, **fields))

    async def hand_in_documents(self, on: date) -> JourneyView:
        """Record every document the current stage still lacks."""
        view = await self.view()
        missing = view.open_documents
        if not missing:
            return view
        receipts = [DocumentReceipt(code=c, reference=f"DMS-{c.value[:20]}", received_on=on) for c in missing]
        return await self.do(JourneyWorkflow.record_documents, RecordDocuments, documents=receipts)

    # The happy path, one stage at a time; each returns the view after the step.

    async def contract(self) -> JourneyView:
        await self.hand_in_documents(day(0))
        return await self.do(JourneyWorkflow.record_contract, RecordContract, signed_on=day(1), starts_on=day(200))

    async def accelerated_procedure(self) -> JourneyView:
        await self.hand_in_documents(day(2))
        return await self.do(
            JourneyWorkflow.start_accelerated_procedure,
            StartAcceleratedProcedure,
            agreement_signed_on=day(3),
            fee_paid_on=day(3),
        )

    async def recognition(self, decision: str = "full", **extra: Any) -> JourneyView:
        await self.hand_in_documents(day(5))
        return await self.do(
            JourneyWorkflow.record_recognition,
            RecordRecognition,
            decision=decision,
            decided_on=day(60),
            body="Handwerkskammer Hannover",
            **extra,
        )

    async def ba_consent(self, path: str = "vorabzustimmung", decision: str = "granted", **extra: Any) -> JourneyView:
        return await self.do(
            JourneyWorkflow.record_ba_decision,
            RecordBaDecision,
            decision=decision,
            path=path,
            decided_on=day(75),
            **extra,
        )

    async def vorabzustimmung(self, valid_days: int = 90) -> JourneyView:
        return await self.do(
            JourneyWorkflow.record_vorabzustimmung,
            RecordVorabzustimmung,
            issued_on=TODAY - timedelta(days=5),
            valid_until=TODAY + timedelta(days=valid_days),
        )

    async def visa_appointment(self, on: date | None = None) -> JourneyView:
        await self.hand_in_documents(day(80))
        return await self.do(
            JourneyWorkflow.book_visa_appointment,
            BookVisaAppointment,
            appointment_on=on or day(90),
            mission="Tunis",
        )

    async def visa(
        self, decision: str = "issued", on: date | None = None, valid_until: date | None = None
    ) -> JourneyView:
        decided_on = on or day(100)
        return await self.do(
            JourneyWorkflow.record_visa_decision,
            RecordVisaDecision,
            decision=decision,
            decided_on=decided_on,
            valid_until=(valid_until or decided_on + timedelta(days=365)) if decision == "issued" else None,
        )

    async def arrival(self) -> JourneyView:
        return await self.do(JourneyWorkflow.record_arrival, RecordArrival, arrived_on=day(150))

    async def settle_in(self) -> JourneyView:
        """Anmeldung, residence permit and job start: into probation."""
        await self.hand_in_documents(day(151))
        await self.do(JourneyWorkflow.record_anmeldung, RecordAnmeldung, moved_in_on=day(150), registered_on=day(155))
        await self.hand_in_documents(day(156))
        await self.do(JourneyWorkflow.record_permit_application, RecordPermitApplication, applied_on=day(160))
        await self.do(
            JourneyWorkflow.record_permit_decision,
            RecordPermitDecision,
            decision="granted",
            decided_on=day(190),
            valid_until=day(190 + 4 * 365),
        )
        return await self.do(JourneyWorkflow.record_job_start, RecordJobStart, started_on=day(200))

    async def probation_passed(self) -> JourneyView:
        return await self.do(JourneyWorkflow.record_probation_passed, RecordProbationPassed, passed_on=day(382))

    async def to_vorabzustimmung(self) -> JourneyView:
        """§81a journey: contract, the procedure's agreement, recognition, BA consent via the ABH."""
        await self.contract()
        await self.accelerated_procedure()
        await self.recognition()
        return await self.ba_consent(path="abh_81a")

    async def to_visa_stage(self) -> JourneyView:
        """Regular §18a journey: contract, recognition, BA consent."""
        await self.contract()
        await self.recognition()
        return await self.ba_consent()

    async def to_probation(self) -> JourneyView:
        await self.to_visa_stage()
        await self.visa_appointment()
        await self.visa()
        await self.arrival()
        return await self.settle_in()


def last_step(events: list[Any]) -> Any:
    """The newest advisor or statutory step, skipping the deadline ladder's notices."""
    return [e for e in events if not e.action.startswith("deadline_")][-1]
