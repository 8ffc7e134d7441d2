"""The journey's rules as plain functions: no server, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.case import Procedure, ResidenceRoute, SelectedCandidate
from models.deadlines import add_months
from models.documents import DocumentCode as D
from models.documents import DocumentStep, required_documents
from models.journey import (
    DocumentReceipt,
    FileVisaLawsuit,
    JourneyStage,
    JourneyState,
    RecordContract,
    RecordDocuments,
)
from workflows import journey_rules
from workflows.case_rules import CaseRuleViolation

TODAY = date(2026, 11, 24)


def journey(
    route: str = "18a", procedure: str = "regular", stage: JourneyStage = JourneyStage.CONTRACT
) -> JourneyState:
    return JourneyState(
        case_id="WC-0000000042", number=1, workflow_id="case-WC-0000000042-j1",
        candidate=SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"), advisor="m.koch",
        employer_name="X GmbH", occupation="Koch", route=route, original_route=route, procedure=procedure,
        stage=stage, started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 24), 1, date(2026, 12, 24)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_checklists_follow_route_and_procedure() -> None:
    visa_18a = required_documents(DocumentStep.VISA_APPLICATION, ResidenceRoute.SECTION_18A, Procedure.REGULAR, True)
    assert D.RECOGNITION_DECISION in visa_18a and D.B1_CERTIFICATE not in visa_18a
    visa_16a = required_documents(DocumentStep.VISA_APPLICATION, ResidenceRoute.SECTION_16A, Procedure.REGULAR)
    assert {D.TRAINING_CONTRACT, D.B1_CERTIFICATE, D.PROOF_OF_FUNDS} <= set(visa_16a)
    visa_81a = required_documents(DocumentStep.VISA_APPLICATION, ResidenceRoute.SECTION_18A, Procedure.ACCELERATED_81A)
    assert {D.VORABZUSTIMMUNG, D.HEALTH_INSURANCE} <= set(visa_81a)
    assert len(visa_81a) == len(set(visa_81a))  # the contract is asked for once
    assert D.ZUSATZBLATT_A in required_documents(DocumentStep.CONTRACT, ResidenceRoute.SECTION_16D1, Procedure.REGULAR)
    assert required_documents(DocumentStep.RECOGNITION, ResidenceRoute.SECTION_18A, Procedure.ACCELERATED_81A) == []


def test_a_rejected_action_leaves_the_state_as_it_was() -> None:
    state = journey()
    before = state.model_copy(deep=True)
    with pytest.raises(CaseRuleViolation, match="documents missing for contract"):
        journey_rules.apply(state, RecordContract(advisor="m.koch", signed_on=TODAY, starts_on=TODAY), TODAY)
    assert state == before


def test_documents_complete_the_checklist_and_the_contract_moves_on() -> None:
    state = journey(route="16a")
    assert journey_rules.open_documents(state) == [D.TRAINING_CONTRACT, D.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS]
    receipts = [
        DocumentReceipt(code=c, reference="DMS-1", received_on=TODAY) for c in journey_rules.open_documents(state)
    ]
    journey_rules.apply(state, RecordDocuments(advisor="m.koch", documents=receipts), TODAY)
    assert journey_rules.open_documents(state) == []
    step = journey_rules.apply(state, RecordContract(advisor="m.koch", signed_on=TODAY, starts_on=TODAY), TODAY)
    # §16a needs no recognition: straight to the BA.
    assert step.to_stage is JourneyStage.BA_CONSENT


def test_the_lawsuit_period_is_one_month_from_the_refusal() -> None:
    state = journey(stage=JourneyStage.VISA_REFUSED)
    state.visa_refused_on = date(2026, 1, 31)
    late = FileVisaLawsuit(advisor="m.koch", filed_on=date(2026, 3, 1))
    with pytest.raises(CaseRuleViolation, match="ended on 2026-02-28"):
        journey_rules.apply(state.model_copy(deep=True), late, TODAY)
    step = journey_rules.apply(state, FileVisaLawsuit(advisor="m.koch", filed_on=date(2026, 2, 28)), TODAY)
    assert step.to_stage is JourneyStage.VISA_LAWSUIT


def test_next_steps_offer_the_expiry_of_the_vorabzustimmung_only_in_81a() -> None:
    assert "vorabzustimmung-expired" in journey_rules.next_steps(journey(procedure="81a", stage=JourneyStage.VISA))
    assert "vorabzustimmung-expired" not in journey_rules.next_steps(journey(stage=JourneyStage.VISA))
    assert journey_rules.next_steps(journey(stage=JourneyStage.FINISHED)) == []
