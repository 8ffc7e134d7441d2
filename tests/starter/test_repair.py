"""The repair of a workflow whose history no longer replays (starter/repair.py): found by
replaying, reset to the workflow task that wrote the unreplayable commands, and every
later Update applied again, so the workflow ends as if nothing had happened."""

from __future__ import annotations

import gzip
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Worker

from core.config import Settings
from starter.repair import diagnose, repair, task_completed_before
from tests.conftest import Stack

# Flipped by the test: the workflow then issues a command its recorded history does not
# have, as the SDK does after a cold start with an Update (sdk-python#1591).
DRIFT = {"on": False}


@activity.defn(name="repair_test_step")
def step_activity(n: int) -> int:
    return n


@workflow.defn(sandboxed=False)
class DriftingWorkflow:
    def __init__(self) -> None:
        self.steps = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done and workflow.all_handlers_finished())
        return self.steps

    @workflow.update
    async def step(self) -> int:
        if DRIFT["on"] and self.steps == 1:
            await workflow.sleep(timedelta(milliseconds=10))  # a timer the history does not have
        await workflow.execute_activity(step_activity, self.steps, start_to_close_timeout=timedelta(seconds=10))
        self.steps += 1
        return self.steps

    @workflow.signal
    def finish(self) -> None:
        self.done = True


def _worker(stack: Stack, queue: str, executor: ThreadPoolExecutor) -> Worker:
    return Worker(
        stack.client,
        task_queue=queue,
        workflows=[DriftingWorkflow],
        activities=[step_activity],
        activity_executor=executor,
        max_cached_workflows=0,  # every task replays: the drift shows at once
    )


async def test_a_workflow_that_no_longer_replays_is_found_and_reset_and_ends_with_every_update(
    stack: Stack,
) -> None:
    queue, workflow_id = f"repair-{uuid.uuid4()}", f"repair-{uuid.uuid4()}"
    DRIFT["on"] = False
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with _worker(stack, queue, executor):
            handle = await stack.client.start_workflow(DriftingWorkflow.run, id=workflow_id, task_queue=queue)
            for expected in (1, 2, 3):
                assert await handle.execute_update(DriftingWorkflow.step) == expected
        history = await handle.fetch_history()
        assert (await diagnose(history, [DriftingWorkflow], stack.settings)).replays

        DRIFT["on"] = True
        try:
            diagnosis = await diagnose(history, [DriftingWorkflow], stack.settings)
            assert not diagnosis.replays and "TMPRL1100" in (diagnosis.failure or "")
            # Reset to the task that ran the second step: its commands are the first to differ.
            assert diagnosis.reset_to_event_id == task_completed_before(history.events, diagnosis.failing_event_id or 0)
            async with _worker(stack, queue, executor):
                found, new_run = await repair(stack.client, workflow_id, "o.weber", [DriftingWorkflow], stack.settings)
                assert found == diagnosis and new_run is not None
                await handle.signal(DriftingWorkflow.finish)
                # The updates after the reset point were applied again: three steps, not one.
                assert await stack.client.get_workflow_handle(workflow_id).result() == 3
                fresh: WorkflowHistory = await stack.client.get_workflow_handle(workflow_id).fetch_history()
                assert (await diagnose(fresh, [DriftingWorkflow], stack.settings)).replays
                # Nothing to repair in a workflow that replays.
                assert (await repair(stack.client, workflow_id, "o.weber", [DriftingWorkflow], stack.settings))[
                    1
                ] is None
        finally:
            DRIFT["on"] = False


def _captured() -> WorkflowHistory:
    # A journey's history from the fault-injection run (invented data): a cold worker got an
    # Update in the task where an email's delivery finished (events 49-55).
    text = gzip.decompress((Path(__file__).parent / "histories" / "sdk-python-1591-journey.json.gz").read_bytes())
    return WorkflowHistory.from_json("case-WC-TE5PQP1JJK-j1", text.decode())


async def test_the_captured_history_is_diagnosed_at_the_task_that_wrote_it() -> None:
    from workflows.registry import WORKFLOWS

    # Captured from an unencrypted run: read under the migration switch.
    settings = Settings(allow_plaintext_payloads=True, _env_file=None)  # type: ignore[call-arg]
    diagnosis = await diagnose(_captured(), WORKFLOWS, settings)
    assert not diagnosis.replays
    assert "Update machine does not handle this event" in (diagnosis.failure or "")
    # Event 54 (the next email's delivery) was recorded before the Update's acceptance (55);
    # the task that wrote both completed at event 53: the reset runs it again.
    assert (diagnosis.failing_event_id, diagnosis.reset_to_event_id) == (54, 53)
