"""Nothing stuck without an alarm (#26 point 6).

``StuckWatchWorkflow`` runs every five minutes (Temporal Schedule ``stuck-watch``, made by
``python -m workflows.stuck schedule``, which bin/run, bin/cluster and compose call). It
asks for every running workflow whose pending workflow task has been tried three times or
more, and starts one ``StuckAlarmWorkflow`` per such workflow (id ``stuck-<workflow id>``:
a second watch finds it running and starts none). The alarm shows in the operations views
(``Incident = true``, the Web UI's "Workflows whose tasks keep failing"), emails operations
once with the repair command, and ends by itself once the workflow's tasks go through again
(after ``bin/starter repair`` or a fixed release) or the workflow has ended.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from models.records import (
        FIND_STUCK_WORKFLOWS,
        QUEUE_STUCK_ALARM_EMAIL,
        STILL_STUCK,
        StuckAlarmInput,
        StuckAlarmResult,
        StuckWatchInput,
        StuckWorkflow,
    )
    from models.summaries import BR

if TYPE_CHECKING:
    from temporalio.client import Client

SCHEDULE_ID = "stuck-watch"
TIMEOUT = timedelta(minutes=2)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn
class StuckWatchWorkflow:
    @workflow.run
    async def run(self, request: StuckWatchInput) -> list[str]:
        stuck: list[StuckWorkflow] = await workflow.execute_activity(
            FIND_STUCK_WORKFLOWS,
            request.min_attempts,
            result_type=list[StuckWorkflow],
            summary="workflows whose tasks keep failing",
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
        )
        alarmed = []
        for found in stuck:
            if request.only_workflow_ids is not None and found.workflow_id not in request.only_workflow_ids:
                continue
            try:
                await workflow.start_child_workflow(
                    StuckAlarmWorkflow.run,
                    StuckAlarmInput(
                        stuck=found, check_every_seconds=request.check_every_seconds, min_attempts=request.min_attempts
                    ),
                    id=f"stuck-{found.workflow_id}",
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    static_summary=f"Stuck: {found.workflow_id}"[:200],
                )
                alarmed.append(found.workflow_id)
            except WorkflowAlreadyStartedError:
                pass  # its alarm is up already
        return alarmed


@workflow.defn
class StuckAlarmWorkflow:
    @workflow.run
    async def run(self, request: StuckAlarmInput) -> StuckAlarmResult:
        stuck = request.stuck.model_copy(update={"alarm_run_id": workflow.info().run_id})
        workflow.upsert_search_attributes(
            [sa.INCIDENT.value_set(True), *([sa.CASE_ID.value_set(stuck.case_id)] if stuck.case_id else [])]
        )
        self._show(stuck)
        await workflow.execute_activity(
            QUEUE_STUCK_ALARM_EMAIL,
            stuck,
            summary="email operations",
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
        )
        while True:
            await workflow.sleep(timedelta(seconds=request.check_every_seconds))
            attempts: int = await workflow.execute_activity(
                STILL_STUCK,
                stuck,
                result_type=int,
                summary="still failing?",
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
            )
            if attempts < request.min_attempts:
                return StuckAlarmResult(workflow_id=stuck.workflow_id, outcome="running again or ended")
            stuck.attempts = attempts
            self._show(stuck)

    def _show(self, stuck: StuckWorkflow) -> None:
        workflow.set_current_details(
            BR.join(
                [
                    f"**Tasks keep failing:** `{stuck.workflow_id}` ({stuck.workflow_type}), attempt {stuck.attempts}",
                    "**Its clocks do not run** until it is repaired or a release fixes it.",
                    f"**Repair:** `bin/starter repair {stuck.workflow_id} --advisor HANDLE`",
                ]
            )
        )


async def create_or_update_schedule(client: Client, task_queue: str) -> str:
    """Every five minutes (idempotent: an existing one gets today's definition)."""
    from temporalio.client import Schedule, ScheduleActionStartWorkflow, ScheduleIntervalSpec, ScheduleSpec

    from core.schedules import create_or_update

    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            StuckWatchWorkflow.run, StuckWatchInput(), id=f"{SCHEDULE_ID}-run", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(minutes=5))]),
    )
    return await create_or_update(client, SCHEDULE_ID, schedule)


if __name__ == "__main__":
    from core.schedules import schedule_command

    schedule_command("workflows.stuck", SCHEDULE_ID, create_or_update_schedule)
