"""WeeklyDigestWorkflow: each advisor's week at a glance, by email, once per ISO week (#16).

Run on Mondays at 07:30 Europe/Berlin by the Temporal Schedule ``weekly-digest`` (made by
``python -m workflows.digest schedule``, which bin/run and bin/cluster call). One activity
collects and queues every digest in the outbox (key ``digest/<handle>/<week>``: a worker
restart or a second run in the same week queues nothing new); each is then delivered like
every other email, so a digest already sent is not sent again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.berlin import local_date
    from models.digest import SEND_WEEKLY_DIGESTS, WeeklyDigestInput, WeeklyDigestResult, iso_week
    from workflows.outbox import deliver

if TYPE_CHECKING:
    from temporalio.client import Client

SCHEDULE_ID = "weekly-digest"


@workflow.defn
class WeeklyDigestWorkflow:
    @workflow.run
    async def run(self, request: WeeklyDigestInput) -> WeeklyDigestResult:
        week = request.week or iso_week(local_date(workflow.now()))
        keys: list[str] = await workflow.execute_activity(
            SEND_WEEKLY_DIGESTS,
            week,
            result_type=list[str],
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
            summary="collect and queue the week's digests",
        )
        for key in keys:
            await deliver(key, "email digest")
        return WeeklyDigestResult(sent=keys)


async def create_or_update_schedule(client: Client, task_queue: str) -> str:
    """The weekly Schedule (idempotent: an existing one gets today's definition)."""
    from core.schedules import berlin_calendar

    return await berlin_calendar(
        client, SCHEDULE_ID, WeeklyDigestWorkflow.run, WeeklyDigestInput(), task_queue, hour=7, minute=30, day_of_week=1
    )


if __name__ == "__main__":
    from core.schedules import schedule_command

    schedule_command("workflows.digest", SCHEDULE_ID, create_or_update_schedule)
