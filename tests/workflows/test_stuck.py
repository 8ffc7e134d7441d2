"""Nothing stuck without an alarm (#26 point 6): a nondeterministic change reaches a running
case, its tasks keep failing, and within one watch it is listed, alarmed and emailed to
operations; once the right code runs it again, the alarm ends by itself. Real server."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.worker import Worker

from core import search_attributes as sa
from core.operations_views import OPERATIONS_VIEWS
from models.records import StuckWatchInput
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import new_case, start_case
from tests.workflows.scaled import LADDER, scaled_worker
from worker import build_worker
from workflows.case import CaseWorkflow
from workflows.stuck import SCHEDULE_ID, StuckWatchWorkflow, create_or_update_schedule

STUCK_VIEW = next(v for v in OPERATIONS_VIEWS if "keep failing" in v.question)


@workflow.defn(name="CaseWorkflow", sandboxed=False)
class ChangedCaseWorkflow:
    """A release that changed the case's code in a way its history cannot replay."""

    @workflow.run
    async def run(self, _case: Any) -> None:
        # Its first command is an activity where the history holds the case's first steps.
        await workflow.execute_activity("changed_first_step", start_to_close_timeout=timedelta(seconds=5))


async def attempts(stack: Stack, workflow_id: str) -> int:
    described = await stack.client.get_workflow_handle(workflow_id).describe()
    if not described.raw_description.HasField("pending_workflow_task"):
        return 0
    return int(described.raw_description.pending_workflow_task.attempt)


async def test_a_workflow_whose_tasks_keep_failing_is_alarmed_and_the_alarm_ends_when_it_runs(stack: Stack) -> None:
    queue = f"{stack.settings.task_queue}-changed-{uuid.uuid4().hex[:6]}"
    settings = stack.settings.model_copy(update={"task_queue": queue})
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(stack.client, settings, stack.engine, executor):
            handle = await start_case(stack.client, queue, new_case(positions=1))
            await handle.query("status")  # its first steps are in the history
        # The changed release takes over the queue; the next task cannot replay the history.
        async with Worker(stack.client, task_queue=queue, workflows=[ChangedCaseWorkflow]):
            await handle.signal("nudge")  # any new event needs a workflow task
            await eventually(lambda: attempts(stack, handle.id), timeout=60)
            await eventually(lambda: _at_least(stack, handle.id, 3), timeout=120, interval=1)
            alarmed = await stack.client.execute_workflow(
                StuckWatchWorkflow.run,
                StuckWatchInput(check_every_seconds=1, only_workflow_ids=[handle.id]),
                id=f"stuck-watch-test-{uuid.uuid4()}",
                task_queue=stack.settings.task_queue,
            )
            assert alarmed == [handle.id]
            alarm = stack.client.get_workflow_handle(f"stuck-{handle.id}")
            case_id = handle.id.removeprefix("case-")
            attributes = await eventually(lambda: _incident(alarm), timeout=30)
            assert attributes.get(sa.CASE_ID) == case_id
            # Listed by the operations view within moments.
            assert alarm.id in await eventually(lambda: _listed(stack, case_id), timeout=30)
            mail = await eventually(
                lambda: [m for m in stack.smtp.for_case(case_id) if "keep failing" in str(m["Subject"])], timeout=30
            )
            assert (
                mail[0]["To"] == stack.settings.operations_email
                and "bin/starter repair" in mail[0].get_payload(decode=True).decode()
            )
            # A second watch starts no second alarm.
            again = await stack.client.execute_workflow(
                StuckWatchWorkflow.run,
                StuckWatchInput(check_every_seconds=1, only_workflow_ids=[handle.id]),
                id=f"stuck-watch-test-{uuid.uuid4()}",
                task_queue=stack.settings.task_queue,
            )
            assert again == []
        # The right code again (a fixed release): the task goes through, the alarm ends.
        async with build_worker(stack.client, settings, stack.engine, executor):
            await eventually(lambda: _done(alarm), timeout=120, interval=1)
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING


async def test_a_stuck_cases_clocks_run_again_once_its_tasks_go_through(stack: Stack, tmp_path: Path) -> None:
    """While its tasks fail, a case's deadlines stand still (hence the alarm); once the right
    code runs it again, every rung that fell due meanwhile is taken, in order, and emailed."""
    clocks = {"consultation_follow_up": {"period": {"days": 4}, "escalation": LADDER}}
    queue = f"{stack.settings.task_queue}-stuck-clocks-{uuid.uuid4().hex[:6]}"
    async with scaled_worker(stack, tmp_path, day_seconds=1.0, clocks=clocks, queue=queue):
        case = new_case()
        handle = await start_case(stack.client, queue, case)
        state = await handle.query(CaseWorkflow.status)
        assert not [e for e in state.history if e.action.startswith("deadline_")]
    async with Worker(stack.client, task_queue=queue, workflows=[ChangedCaseWorkflow]):
        # The whole ladder (reminder at day 2 ... operations at day 8) falls due meanwhile.
        await eventually(lambda: _at_least(stack, handle.id, 3), timeout=120, interval=1)
        await asyncio.sleep(8.5)
    async with scaled_worker(stack, tmp_path, day_seconds=1.0, clocks=clocks, queue=queue):

        async def climbed() -> list[str] | None:
            try:
                history = (await handle.query(CaseWorkflow.status)).history
            except RPCError:  # its failed task has not been retried yet
                return None
            rungs = [e.action for e in history if e.action.startswith("deadline_")]
            return rungs if "deadline_operations" in rungs else None

        rungs = await eventually(climbed, timeout=60, interval=0.5)
        assert rungs == ["deadline_reminder", "deadline_due", "deadline_team_lead", "deadline_operations"]
        mails = await eventually(
            lambda: [m for m in stack.smtp.for_case(case.case_id) if "escalated to operations" in m["Subject"]],
            timeout=30,
        )
        assert mails[0]["To"] == stack.settings.operations_email


async def _at_least(stack: Stack, workflow_id: str, n: int) -> bool:
    return await attempts(stack, workflow_id) >= n


async def _incident(alarm: Any) -> Any:
    attributes = (await alarm.describe()).typed_search_attributes
    return attributes if attributes.get(sa.INCIDENT) is True else None


async def _listed(stack: Stack, case_id: str) -> list[str]:
    return [wf.id async for wf in stack.client.list_workflows(f"{STUCK_VIEW.query} AND CaseId = '{case_id}'")]


async def _done(alarm: Any) -> bool:
    return (await alarm.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_the_watch_runs_every_five_minutes_and_is_made_idempotently(stack: Stack) -> None:
    assert await create_or_update_schedule(stack.client, stack.settings.task_queue) in ("created", "updated")
    assert await create_or_update_schedule(stack.client, stack.settings.task_queue) == "updated"
    described = await stack.client.get_schedule_handle(SCHEDULE_ID).describe()
    (interval,) = described.schedule.spec.intervals
    assert interval.every == timedelta(minutes=5)
    assert described.schedule.action.workflow == "StuckWatchWorkflow"  # type: ignore[attr-defined]
