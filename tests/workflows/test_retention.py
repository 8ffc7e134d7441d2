"""The retention rule (#13 point 3): closed cases erased by themselves, run by a Schedule."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from temporalio.client import ScheduleCalendarSpec, WorkflowExecutionStatus

from models import clock
from models.case import AddCaseNote, Withdraw
from models.records import RetentionInput
from records.schema import cases, erasures
from tests.conftest import Stack
from tests.support import deleted_from_temporal, eventually
from tests.workflows.case_flow import ADVISOR, new_case, start_case
from tests.workflows.scaled import scaled_worker
from workflows.case import CaseWorkflow
from workflows.retention import SCHEDULE_ID, RetentionWorkflow, create_or_update_schedule


async def test_closed_cases_past_retention_are_erased_and_open_ones_kept(stack: Stack, tmp_path: Path) -> None:
    closed = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    await closed.execute_update(CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Rückruf Frau Sommer"))
    await closed.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise")
    )
    await closed.result()
    still_open = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    ours = [closed.id.removeprefix("case-"), still_open.id.removeprefix("case-")]

    def recorded_closed() -> bool:
        with stack.engine.connect() as conn:
            return conn.execute(select(cases.c.stage).where(cases.c.case_id == ours[0])).scalar() == "closed"

    await eventually(recorded_closed)
    # A client asking for a later cutoff than the policy's erases nothing (#25): 730 days of
    # retention have not passed.
    too_early = await stack.client.execute_workflow(
        RetentionWorkflow.run,
        RetentionInput(erase_closed_before=clock.now() + timedelta(days=1), case_ids=ours),
        id=f"retention-test-{uuid.uuid4()}",
        task_queue=stack.settings.task_queue,
    )
    assert too_early.erased == []
    # With a policy day of a millisecond the 730 days pass in 0.73 s: the policy's own cutoff.
    async with scaled_worker(stack, tmp_path, day_seconds=0.001) as queue:
        await asyncio.sleep(1.0)
        result = await stack.client.execute_workflow(
            RetentionWorkflow.run,
            RetentionInput(case_ids=ours),
            id=f"retention-test-{uuid.uuid4()}",
            task_queue=queue,
        )
    assert result.erased == [ours[0]]  # the open case is not due
    with stack.engine.connect() as conn:
        record = conn.execute(select(erasures).where(erasures.c.case_id == ours[0])).one()
    assert record.erased_by == "system" and record.basis.startswith("retention: Art. 5(1)(e) DSGVO")

    await eventually(lambda: deleted_from_temporal(closed), timeout=120, interval=1)
    assert (await still_open.describe()).status is WorkflowExecutionStatus.RUNNING


async def test_the_schedule_runs_daily_at_three_in_berlin_and_is_made_idempotently(stack: Stack) -> None:
    assert await create_or_update_schedule(stack.client, stack.settings.task_queue) in ("created", "updated")
    assert await create_or_update_schedule(stack.client, stack.settings.task_queue) == "updated"
    described = await stack.client.get_schedule_handle(SCHEDULE_ID).describe()
    spec = described.schedule.spec
    assert spec.time_zone_name == "Europe/Berlin"
    (calendar,) = spec.calendars
    assert isinstance(calendar, ScheduleCalendarSpec) and calendar.hour[0].start == 3
    assert described.schedule.action.workflow == "RetentionWorkflow"  # type: ignore[attr-defined]
    await stack.client.get_schedule_handle(SCHEDULE_ID).delete()
