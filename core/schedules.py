"""Temporal Schedules the product keeps (retention, weekly digest): created, or updated to
today's definition when they exist, so a new release's change reaches a running server."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from temporalio.client import Client, Schedule


async def berlin_calendar(
    client: Client,
    schedule_id: str,
    run: Any,
    arg: Any,
    task_queue: str,
    *,
    hour: int,
    minute: int,
    day_of_week: int | None = None,
) -> str:
    """Start ``run(arg)`` at hour:minute Europe/Berlin, daily or on one weekday (0 = Sunday)."""
    from temporalio.client import (
        Schedule,
        ScheduleActionStartWorkflow,
        ScheduleCalendarSpec,
        ScheduleRange,
        ScheduleSpec,
    )

    days = [ScheduleRange(day_of_week)] if day_of_week is not None else [ScheduleRange(0, 6)]
    calendar = ScheduleCalendarSpec(day_of_week=days, hour=[ScheduleRange(hour)], minute=[ScheduleRange(minute)])
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(run, arg, id=f"{schedule_id}-run", task_queue=task_queue),
        spec=ScheduleSpec(calendars=[calendar], time_zone_name="Europe/Berlin"),
    )
    return await create_or_update(client, schedule_id, schedule)


async def create_or_update(client: Client, schedule_id: str, schedule: Schedule) -> str:
    from temporalio.client import ScheduleAlreadyRunningError, ScheduleUpdate, ScheduleUpdateInput

    try:
        await client.create_schedule(schedule_id, schedule)
        return "created"
    except ScheduleAlreadyRunningError:

        async def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(replace)
        return "updated"


def schedule_command(module: str, schedule_id: str, create: Callable[[Client, str], Awaitable[str]]) -> None:
    """``python -m <module> schedule``: create or update the Schedule on the configured server."""
    if sys.argv[1:] != ["schedule"]:
        sys.exit(f"usage: python -m {module} schedule")
    from core.process import run_to_exit

    async def from_settings() -> None:
        from core.client import connect
        from core.config import get_settings

        settings = get_settings()
        outcome = await create(await connect(settings), settings.task_queue)
        print(f"schedule {schedule_id}: {outcome}", file=sys.stderr)

    run_to_exit(from_settings())
