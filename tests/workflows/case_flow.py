"""Helpers that drive one case through its stages with the Temporal client."""

from __future__ import annotations

from datetime import date, timedelta

from temporalio.client import Client, WorkflowHandle

from models.case import (
    CompleteConsultation,
    Employer,
    NewCase,
    Procedure,
    RecordArrival,
    RecordBaConsent,
    RecordVisaDecision,
    ResidenceRoute,
    SelectCandidates,
    SelectedCandidate,
    workflow_id_for,
)
from starter.cli import new_case_id
from workflows.case import CaseWorkflow

ADVISOR = "m.koch"
TODAY = date.today()


def new_case(**overrides: object) -> NewCase:
    fields: dict[str, object] = {
        "case_id": new_case_id(),
        "advisor": ADVISOR,
        "employer": Employer(name="Haustechnik Gehrden GmbH", sector="SHK"),
        "occupation": "Anlagenmechaniker SHK",
        "positions": 2,
        "route": ResidenceRoute.SECTION_18A,
        "procedure": Procedure.REGULAR,
        "origin_programme": "THAMM Plus",
    }
    fields.update(overrides)
    return NewCase.model_validate(fields)


async def start_case(client: Client, task_queue: str, case: NewCase | None = None) -> WorkflowHandle:
    case = case or new_case()
    return await client.start_workflow(
        CaseWorkflow.run, case, id=workflow_id_for(case.case_id), task_queue=task_queue
    )


async def advance_to_visa(handle: WorkflowHandle) -> None:
    await handle.execute_update(
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    await handle.execute_update(
        CaseWorkflow.select_candidates,
        SelectCandidates(
            advisor=ADVISOR,
            candidates=[
                SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"),
                SelectedCandidate(candidate_ref="THAMM-0815", origin_country="MA"),
            ],
        ),
    )
    await handle.execute_update(
        CaseWorkflow.record_ba_consent,
        RecordBaConsent(
            advisor=ADVISOR, decision="granted", path="vorabzustimmung", decided_on=TODAY - timedelta(days=30)
        ),
    )


async def visa_issued(handle: WorkflowHandle) -> None:
    await handle.execute_update(
        CaseWorkflow.record_visa_decision,
        RecordVisaDecision(
            advisor=ADVISOR,
            decision="issued",
            decided_on=TODAY - timedelta(days=10),
            valid_until=TODAY + timedelta(days=80),
        ),
    )


async def arrival(handle: WorkflowHandle) -> None:
    await handle.execute_update(
        CaseWorkflow.record_arrival, RecordArrival(advisor=ADVISOR, arrived_on=TODAY - timedelta(days=1))
    )
