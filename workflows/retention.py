"""RetentionWorkflow: closed cases erased by themselves after the policy's retention period.

Run daily at 03:00 Europe/Berlin by the Temporal Schedule ``case-retention`` (made by
``python -m workflows.retention schedule``, which bin/run calls); each closed case older
than ``retention.erase_closed_cases_after_days`` is erased as erase-case would, recorded
with the policy's basis. Payloads carry case ids only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.case import SYSTEM_HANDLE
    from models.deadlines import DeadlinePolicy
    from models.records import (
        CASES_DUE_FOR_ERASURE,
        ERASE_CLOSED_CASE,
        LOAD_DEADLINE_POLICY,
        ErasureRequest,
        RetentionInput,
        RetentionResult,
    )

if TYPE_CHECKING:
    from temporalio.client import Client

SCHEDULE_ID = "case-retention"


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, request: RetentionInput) -> RetentionResult:
        policy = await workflow.execute_local_activity(
            LOAD_DEADLINE_POLICY,
            result_type=DeadlinePolicy,
            start_to_close_timeout=timedelta(seconds=10),
            summary="load the retention rule",
        )
        if policy.retention is None:
            return RetentionResult(erased=[])
        days = policy.retention.erase_closed_cases_after_days
        cutoff = workflow.now() - timedelta(seconds=days * policy.day_seconds)
        # The policy sets the cutoff, not whoever starts the run (#25): a client may narrow a
        # run (an earlier cutoff, named cases), never widen it to cases not yet due.
        if request.erase_closed_before is not None and request.erase_closed_before < cutoff:
            cutoff = request.erase_closed_before
        due: list[str] = await workflow.execute_activity(
            CASES_DUE_FOR_ERASURE,
            cutoff,
            result_type=list[str],
            start_to_close_timeout=timedelta(seconds=30),
            summary=f"closed cases older than {days} days",
        )
        if request.case_ids is not None:
            due = [case_id for case_id in due if case_id in request.case_ids]
        basis = f"retention: {policy.retention.basis}"[:200]
        for case_id in due:
            await workflow.execute_activity(
                ERASE_CLOSED_CASE,
                ErasureRequest(case_id=case_id, erased_by=SYSTEM_HANDLE, basis=basis),
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
                summary=f"erase {case_id}",
            )
        return RetentionResult(erased=due)


async def create_or_update_schedule(client: Client, task_queue: str) -> str:
    """The daily Schedule (idempotent: an existing one gets today's definition)."""
    from core.schedules import berlin_calendar

    return await berlin_calendar(
        client, SCHEDULE_ID, RetentionWorkflow.run, RetentionInput(), task_queue, hour=3, minute=0
    )


if __name__ == "__main__":
    from core.schedules import schedule_command

    schedule_command("workflows.retention", SCHEDULE_ID, create_or_update_schedule)
