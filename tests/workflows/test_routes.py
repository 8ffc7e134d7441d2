"""One example case per route to ``placed`` against the real server, and the wage checks
that name their threshold, year and basis."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models import clock
from models.case import CaseState, CompleteConsultation, Outcome, Procedure, ResidenceRoute, SelectCandidates
from models.case import SelectedCandidate as Candidate
from models.documents import DocumentCode
from models.journey import DocumentReceipt, JourneyView, RecordDocuments
from tests.conftest import Stack
from tests.process.test_routes import script
from tests.workflows.case_flow import ADVISOR, Journey, act, case_update, new_case, start_case
from workflows.case import CaseWorkflow


async def walk(journey: Journey, keep_back: tuple[DocumentCode, ...] = ()) -> JourneyView:
    """Take the steps ``status`` offers, in order, handing in what each asks for, to the end."""
    steps = script(clock.today())
    taken: list[str] = []
    for _ in range(60):
        view = await journey.view()
        if view.state.outcome is not None:
            return view
        missing = [c for c in view.open_documents if c not in keep_back]
        if missing:
            receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=view.state.started_at.date())
                        for c in missing]  # fmt: skip
            await journey.do(RecordDocuments, documents=receipts)
            view = await journey.view()
        command = next(c for c in view.next_steps if c in steps and c not in taken)
        await act(journey.handle, steps[command](view.state))
        taken.append(command)
    raise AssertionError(f"journey did not finish: {view.state.open_milestones}")


async def open_case(stack: Stack, **fields: Any) -> WorkflowHandle[Any, Any]:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1, **fields))
    return handle


async def consult_and_select(handle: WorkflowHandle[Any, Any], candidate: Candidate) -> tuple[CaseState, Journey]:
    state = await case_update(
        handle,
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    state = await case_update(
        handle, CaseWorkflow.select_candidates, SelectCandidates(advisor=ADVISOR, candidates=[candidate])
    )
    return state, Journey(stack_client(handle).get_workflow_handle(state.journeys[-1].workflow_id))


def stack_client(handle: WorkflowHandle[Any, Any]) -> Any:
    return handle._client  # the client the handle was made with


TN = Candidate(candidate_ref="THAMM-4711", origin_country="TN")


@pytest.mark.parametrize(
    ("fields", "passes", "skips", "wage_check"),
    [
        (dict(route=ResidenceRoute.SECTION_18G, qualification_level="academic", monthly_gross_wage_eur=4500,
              regulated_profession=False), {"comparability"}, {"ba_consent", "recognition"},
         "54,000 EUR a year) meets 50,700.00 EUR gross a year in 2026"),
        (dict(route=ResidenceRoute.SECTION_18G, qualification_level="academic", monthly_gross_wage_eur=3900,
              regulated_profession=False, shortage_occupation_or_career_starter=True),
         {"comparability", "ba_consent"}, {"recognition"}, "45,934.20 EUR gross a year in 2026"),
        (dict(route=ResidenceRoute.SECTION_19C2, qualification_level="vocational", monthly_gross_wage_eur=3900,
              occupation="cook"), {"experience", "ba_consent"}, {"recognition"}, "§19c(2) AufenthG with §6 BeschV"),
        (dict(route=ResidenceRoute.SECTION_18B, qualification_level="academic", monthly_gross_wage_eur=4200,
              regulated_profession=False), {"comparability", "ba_consent"}, {"recognition"}, None),
        (dict(route=ResidenceRoute.SECTION_16D3, qualification_level="vocational", monthly_gross_wage_eur=2800),
         {"ba_consent"}, {"recognition"}, None),
        (dict(route=ResidenceRoute.SECTION_16D1, qualification_level="vocational", monthly_gross_wage_eur=2700),
         {"ba_consent", "follow_up_recognition"}, {"recognition"}, None),
        (dict(route=ResidenceRoute.SECTION_16A, qualification_level="trainee", monthly_gross_wage_eur=1100,
              procedure=Procedure.ACCELERATED_81A), {"ba_consent", "vorabzustimmung"}, {"recognition"}, None),
    ],
    ids=["18g-blue-card", "18g-shortage", "19c2-experience", "18b-comparability", "16d3-partnership", "16d1-direct",
         "16a-81a"],
)  # fmt: skip
async def test_an_example_case_per_route_reaches_placed(
    stack: Stack, fields: dict[str, Any], passes: set[str], skips: set[str], wage_check: str | None
) -> None:
    handle = await open_case(stack, **fields)
    state, journey = await consult_and_select(handle, TN)
    if wage_check:
        assert state.wage_check and wage_check in state.wage_check
    view = await walk(journey)
    assert view.state.outcome == "placed"
    if fields["route"] in (ResidenceRoute.SECTION_16D1, ResidenceRoute.SECTION_16D3):
        # Recognised in full after entry: the journey ends on §18a and says why.
        assert view.state.route is ResidenceRoute.SECTION_18A
        assert any("route changed from" in e.summary for e in view.state.history)
    assert passes <= set(view.state.done_milestones)
    assert not skips & set(view.state.done_milestones)
    result: CaseState = await handle.result()
    assert result.outcome is Outcome.PLACED


@pytest.mark.parametrize(
    ("fields", "parts"),
    [
        (dict(route=ResidenceRoute.SECTION_18G, qualification_level="academic", monthly_gross_wage_eur=3500,
              regulated_profession=False),
         ["monthly_gross_wage_eur: 3,500 EUR a month (42,000 EUR a year) is below 50,700.00 EUR gross a year in 2026",
          "§18g(1) S.1 AufenthG", "45,934.20 EUR", "raise the wage or choose §18b"]),
        (dict(route=ResidenceRoute.SECTION_19C2, qualification_level="vocational", monthly_gross_wage_eur=3000),
         ["is below 45,630.00 EUR gross a year in 2026 (45.0% of the pension contribution ceiling",
          "§19c(2) AufenthG with §6 BeschV", "collective agreement"]),
        # #24: with the shortage/career-starter flag the threshold that applies is §18g(1) S.2's
        (dict(route=ResidenceRoute.SECTION_18G, qualification_level="academic", monthly_gross_wage_eur=3827,
              regulated_profession=False, shortage_occupation_or_career_starter=True),
         ["monthly_gross_wage_eur: 3,827 EUR a month (45,924 EUR a year) is below 45,934.20 EUR gross a year in 2026",
          "§18g(1) S.2 AufenthG"]),
    ],
    ids=["blue-card", "19c2", "blue-card-shortage"],
)  # fmt: skip
async def test_a_wage_below_the_routes_threshold_is_refused_naming_it(
    stack: Stack, fields: dict[str, Any], parts: list[str]
) -> None:
    handle = await open_case(stack, **fields)
    before = await handle.query(CaseWorkflow.status)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.complete_consultation, CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True)
        )
    message = str(err.value.cause)
    for part in parts:
        assert part in message
    if fields.get("shortage_occupation_or_career_starter"):
        assert "50,700" not in message  # the general threshold does not apply
    after = await handle.query(CaseWorkflow.status)
    assert (after.stage, len(after.history)) == (before.stage, len(before.history))


async def test_a_collective_agreement_carries_a_19c2_wage_below_the_threshold(stack: Stack) -> None:
    handle = await open_case(
        stack, route=ResidenceRoute.SECTION_19C2, qualification_level="vocational", monthly_gross_wage_eur=3000,
        collective_agreement=True,
    )  # fmt: skip
    state, _ = await consult_and_select(handle, TN)
    assert state.wage_check and "collective agreement" in state.wage_check


async def test_a_candidate_of_45_or_over_below_55_percent_needs_the_pension_proof(stack: Stack) -> None:
    # The README's SHK example: 3,100 EUR a month on §18a.
    handle = await open_case(stack)
    older = Candidate(candidate_ref="THAMM-4545", origin_country="MA", aged_45_or_over_at_first_title=True)
    _, journey = await consult_and_select(handle, older)
    view = await journey.view()
    assert view.state.pension_proof_needed and "37,200 EUR a year is below 55,770.00" in view.state.pension_proof_needed
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await walk(journey, keep_back=(DocumentCode.PENSION_PROVISION_PROOF,))
    message = str(err.value.cause)
    assert "pension_provision_proof" in message and "§18(2) Nr. 5 AufenthG" in message
    view = await walk(journey)  # with the proof handed in
    assert view.state.outcome == "placed"
