"""The Web UI as operations staff use it: case-file summaries and the queries of docs/operations.md,
verified against the real server through the visibility API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle

from core.operations_views import OPERATIONS_VIEWS
from models.case import CloseCase, Procedure
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, new_case, open_journeys, start_case
from tests.workflows.scaled import LADDER, scaled_worker
from workflows.case import CaseWorkflow

ROOT = Path(__file__).resolve().parents[2]
# Views that need a fault to show anything are checked where the fault is made.
VERIFIED_ELSEWHERE = {
    next(v.question for v in OPERATIONS_VIEWS if v.query.startswith("WorkflowType = 'UndeliverableEmail")): (
        "tests/workflows/test_mail.py"
    ),
    next(v.question for v in OPERATIONS_VIEWS if v.query.startswith("Incident")): "tests/workflows/test_incidents.py",
    next(v.question for v in OPERATIONS_VIEWS if "StuckAlarm" in v.query): "tests/workflows/test_stuck.py",
}


def test_the_operations_manual_lists_every_operations_view() -> None:
    readme = (ROOT / "docs" / "operations.md").read_text()
    for view in OPERATIONS_VIEWS:
        quoted = f"``{view.query}``" if "`" in view.query else f"`{view.query}`"
        assert f"| {view.question} | {quoted} |" in readme


async def current_details(handle: WorkflowHandle) -> str:
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return metadata.current_details


async def _waits_for_replacement(handle: WorkflowHandle) -> bool:
    return (await handle.query(CaseWorkflow.status)).stage.value == "candidate_selection"


async def test_case_and_journey_pages_read_like_a_case_file(stack: Stack) -> None:
    case = new_case(positions=1, occupation="nurse")
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "MA")])
    await journey.contract()

    described = await handle.describe()
    assert await described.static_summary() == (f"{case.case_id} · Haustechnik Gehrden GmbH · nurse · §18a AufenthG")
    assert "**Advisor:** m.koch" in (await described.static_details() or "")
    details = await current_details(handle)
    assert "**Stage:** journeys" in details
    assert "| 1 | THAMM-4711 | MA | running |" in details

    journey_described = await journey.handle.describe()
    assert await journey_described.static_summary() == (f"{case.case_id} · journey 1 · THAMM-4711 (MA) · nurse")
    details = await current_details(journey.handle)
    assert "**Stage:** recognition" in details
    assert "**Open milestones:** recognition" in details
    assert "**Next steps:** apply-for-recognition" in details
    assert "**Next deadline:**" in details and "Recognition decided" not in details  # not applied for yet

    # Activities and timers carry summaries in the history, as the UI shows them.
    history = await journey.handle.fetch_history()
    summaries = {e.user_metadata.summary.data.decode() for e in history.events if e.HasField("user_metadata")}
    assert '"record contract_signed"' in summaries


async def test_every_operations_view_answers_its_question(stack: Stack, tmp_path: Path) -> None:
    ids: dict[str, Any] = {}
    clocks = {"consultation_follow_up": {"period": {"days": 2}, "escalation": LADDER}}
    async with scaled_worker(stack, tmp_path, day_seconds=0.25, clocks=clocks) as queue:
        overdue = await start_case(stack.client, queue, new_case())
        ids["overdue"] = overdue.id

        nurse = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1, occupation="nurse"))
        (to_visa,) = await open_journeys(stack.client, nurse, [("ANAPEC-12", "MA")])
        await to_visa.to_visa_stage()

        accelerated = await start_case(
            stack.client, stack.settings.task_queue, new_case(positions=1, procedure=Procedure.ACCELERATED_81A)
        )
        (waiting,) = await open_journeys(stack.client, accelerated, [("ANETI-7", "TN")])
        await waiting.contract()
        await waiting.accelerated_procedure()
        await waiting.recognition()

        rejected = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
        (not_recognised,) = await open_journeys(stack.client, rejected, [("ANETI-8", "TN")])
        await not_recognised.contract()
        await not_recognised.recognition("rejected")

        placed = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
        (settled,) = await open_journeys(stack.client, placed, [("ANAPEC-13", "MA")])
        await settled.to_probation()
        await settled.probation_passed()
        await placed.result()
        # Nobody placed: the case waits for a replacement until the advisor closes it.
        await eventually(lambda: _waits_for_replacement(rejected))
        await rejected.execute_update(
            CaseWorkflow.close_case, CloseCase(advisor=ADVISOR, reason_code="no_suitable_candidates")
        )

        case_ids = [h.id.removeprefix("case-") for h in (overdue, nurse, accelerated, rejected, placed)]
        only_ours = " AND CaseId IN (" + ", ".join(f"'{c}'" for c in case_ids) + ")"
        expected = {
            "Every overdue case or journey": {overdue.id},
            "Everything escalated to the team lead or to operations": {overdue.id},
            "Every candidate in the visa stage from Morocco": {to_visa.handle.id},
            "§81a journeys waiting for the BA's consent": {waiting.handle.id},
            "Open cases of one advisor (cases per advisor: one query per advisor, or `temporal workflow count`)": {
                overdue.id,
                nurse.id,
                accelerated.id,
            },
            "Candidates for one occupation": {to_visa.handle.id},
            "Cases closed with everyone placed": {placed.id},
            "Journeys that ended because the recognition was rejected": {not_recognised.handle.id},
        }
        assert set(expected) | VERIFIED_ELSEWHERE.keys() == {v.question for v in OPERATIONS_VIEWS}

        for view in (v for v in OPERATIONS_VIEWS if v.question in expected):

            async def answer(view: Any = view) -> set[str] | None:
                found = {wf.id async for wf in stack.client.list_workflows(view.query + only_ours)}
                return found if found == expected[view.question] else None

            assert await eventually(answer, timeout=40), view.question
