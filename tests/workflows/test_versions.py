"""Old versions retire (#23 point 4): one registry of the guards with their retirement
condition (core/versions.py), the running workflows counted per code version
(``bin/starter versions``), and a running journey on older code that moves onto the current
rules at its next milestone instead of keeping them for its lifetime."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus

from activities.deadlines import DeadlinePolicyActivities
from core import search_attributes as sa
from core import versions
from models import clock
from models.case import Procedure, ResidenceRoute, SelectedCandidate
from models.checklists import required_documents
from models.documents import DocumentCode, DocumentStep
from models.journey import AddNote, JourneyInput, JourneyStage, JourneyState, journey_workflow_id
from process import engine
from process.conditions import process_version_at_milestone
from starter.cases import new_case_id
from starter.cli import main
from starter.versions import retirements
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, Journey, new_case, start_case
from workflows import case as case_module
from workflows import journey as journey_module
from workflows.journey import JourneyWorkflow

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def test_every_guard_is_in_the_registry_with_its_retirement_condition() -> None:
    used = {
        "CaseWorkflow": set(case_module.PATCHES),
        "JourneyWorkflow": set(journey_module.PATCHES),
    }
    assert {g.id for g in versions.GUARDS} == used["CaseWorkflow"] | used["JourneyWorkflow"]
    for guard in versions.GUARDS:
        assert {kind for kind, ids in used.items() if guard.id in ids} == set(guard.workflows), guard.id
        assert guard.retire_when.startswith(("deprecate it once", "remove it once")) and guard.why
    # Every workflow.patched / deprecate_patch call names one of the listed constants.
    names = {
        name
        for path in WORKFLOWS.glob("*.py")
        for name in re.findall(r"workflow\.(?:patched|deprecate_patch)\((\w+)\)", path.read_text(encoding="utf-8"))
    }
    constants = {
        **vars(journey_module),
        **vars(case_module),
    }
    assert names and {constants[n] for n in names} <= {g.id for g in versions.GUARDS}


@pytest.mark.parametrize(
    ("running", "may"),
    [
        # Journeys started before versions were recorded still need every guard of version 10.
        ({"JourneyWorkflow": {versions.UNRECORDED: 3}}, {"route-requirements": "wait", "wage-thresholds": "deprecate"}),
        ({"CaseWorkflow": {versions.UNRECORDED: 1}}, {"route-requirements": "deprecate", "wage-thresholds": "wait"}),
        (
            {"JourneyWorkflow": {10: 5}, "CaseWorkflow": {10: 2}},
            {"mail-apart": "deprecate", "local-records": "deprecate"},
        ),
        ({}, {"move-at-milestones": "deprecate"}),
    ],
)
def test_a_guard_may_retire_once_no_running_workflow_needs_it(
    running: dict[str, dict[int, int]], may: dict[str, str]
) -> None:
    rows = {row["guard"]: row["may"] for row in retirements(running)}
    assert {guard: rows[guard] for guard in may} == may


@pytest.mark.parametrize(
    ("route", "regulated", "moves_to"),
    [
        (ResidenceRoute.SECTION_18A, None, 4),
        (ResidenceRoute.SECTION_16A, None, 4),
        (ResidenceRoute.SECTION_19C2, None, 4),
        (ResidenceRoute.SECTION_18B, False, 1),  # recognition or comparability: bound to its version
        (ResidenceRoute.SECTION_18G, True, 1),
        (ResidenceRoute.SECTION_16D1, None, 1),
    ],
)
def test_the_process_version_a_journey_moves_to(route: ResidenceRoute, regulated: bool | None, moves_to: int) -> None:
    state = _state("WC-0000000001", route, regulated=regulated)
    assert process_version_at_milestone(state, versions.CURRENT_PROCESS_VERSION) == moves_to


def _state(case_id: str, route: ResidenceRoute, regulated: bool | None = None) -> JourneyState:
    """A journey's state as the code before version 10 started it (process version 1)."""
    state = JourneyState(
        case_id=case_id,
        number=1,
        workflow_id=journey_workflow_id(case_id, 1),
        candidate=SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"),
        advisor=ADVISOR,
        employer_name="Gastro Nord GmbH",
        occupation="cook",
        route=route,
        original_route=route,
        procedure=Procedure.REGULAR,
        regulated_profession=regulated,
        stage=JourneyStage.CONTRACT,
        started_at=clock.now(),
        process_version=1,
    )
    engine.start(state, clock.today())
    return state


async def test_a_journey_on_older_code_moves_onto_the_current_rules_at_its_next_milestone(stack: Stack) -> None:
    case_id = new_case_id()
    state = _state(case_id, ResidenceRoute.SECTION_18A)
    older = JourneyInput(
        case_id=case_id, number=1, candidate=state.candidate, advisor=ADVISOR, employer_name=state.employer_name,
        occupation="cook", route=state.route, procedure=state.procedure,
        policy=DeadlinePolicyActivities(stack.settings).load(),
        resume=state,  # a run of a journey started before version 10 (no code version)
    )  # fmt: skip
    handle = await stack.client.start_workflow(
        JourneyWorkflow.run, older, id=state.workflow_id, task_queue=stack.settings.task_queue
    )
    first_run = handle.result_run_id
    journey = Journey(stack.client.get_workflow_handle(handle.id))
    before = await journey.view()
    assert before.state.process_version == 1
    assert (await handle.describe()).typed_search_attributes.get(sa.CODE_VERSION) is None
    # Process version 1's visa checklist lacks the health insurance that version 2 asks for.
    visa = DocumentStep.VISA_APPLICATION
    assert DocumentCode.HEALTH_INSURANCE not in required_documents(visa, state.route, state.procedure, version=1)

    await journey.contract()  # the contract milestone is done

    async def continued() -> bool:
        described = await stack.client.get_workflow_handle(handle.id, run_id=first_run).describe()
        return described.status is WorkflowExecutionStatus.CONTINUED_AS_NEW

    await eventually(continued)
    after = await journey.view()
    assert after.state.process_version == versions.CURRENT_PROCESS_VERSION
    assert [e.action for e in after.state.history][-2:] == ["contract_signed", "moved_to_current_rules"]
    assert DocumentCode.HEALTH_INSURANCE in required_documents(
        visa, after.state.route, after.state.procedure, version=after.state.process_version
    )
    described = await stack.client.get_workflow_handle(handle.id).describe()
    assert described.typed_search_attributes.get(sa.CODE_VERSION) == versions.CODE_VERSION
    # The next milestone changes nothing more: it follows the current code now.
    await journey.do(AddNote, note="weiter")
    assert (await journey.view()).state.history[-1].action == "note_added"


async def test_versions_counts_the_running_workflows_per_code_version(stack: Stack) -> None:
    await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    out = io.StringIO()
    assert await main(["versions", "--json"], client=stack.client, settings=stack.settings, out=out) == 0
    shown = json.loads(out.getvalue())
    assert shown["code_version"] == versions.CODE_VERSION
    assert {row["guard"] for row in shown["guards"]} == {g.id for g in versions.GUARDS}
    # The case started by the starter carries the current version.
    assert shown["running"]["CaseWorkflow"].get(str(versions.CODE_VERSION), 0) >= 1
    out = io.StringIO()
    assert await main(["versions"], client=stack.client, settings=stack.settings, out=out) == 0
    assert f"Code version {versions.CODE_VERSION}" in out.getvalue() and "route-requirements" in out.getvalue()
