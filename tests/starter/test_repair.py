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
# Set by the test: the step validator refuses the Update with this id, as a case's door
# refuses a command that the state (changed since it was first applied) no longer allows.
REFUSE: dict[str, str | None] = {"id": None}


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

    @step.validator
    def check_step(self) -> None:
        info = workflow.current_update_info()
        if info is not None and info.id == REFUSE["id"]:
            raise ValueError("this step is no longer allowed")

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
                repaired = await repair(stack.client, workflow_id, "o.weber", [DriftingWorkflow], stack.settings)
                assert repaired.diagnosis == diagnosis and repaired.new_run_id is not None
                # Steps 2 and 3 were discarded and applied again, each with its outcome.
                assert [(u.name, u.applied) for u in repaired.reapplied] == [("step", True), ("step", True)]
                await handle.signal(DriftingWorkflow.finish)
                # The updates after the reset point were applied again: three steps, not one.
                assert await stack.client.get_workflow_handle(workflow_id).result() == 3
                fresh: WorkflowHistory = await stack.client.get_workflow_handle(workflow_id).fetch_history()
                assert (await diagnose(fresh, [DriftingWorkflow], stack.settings)).replays
                # Nothing to repair in a workflow that replays.
                again = await repair(stack.client, workflow_id, "o.weber", [DriftingWorkflow], stack.settings)
                assert again.new_run_id is None and again.reapplied == ()
        finally:
            DRIFT["on"] = False


async def test_an_update_refused_when_applied_again_is_reported_not_dropped(stack: Stack) -> None:
    """#26 point 6: the reset applies the later Updates again in the new run; one that its
    validator now refuses is named in the repair's result (and by ``bin/starter repair``,
    which exits with 1 and says to send it again), never lost without a word."""
    queue, workflow_id = f"repair-{uuid.uuid4()}", f"repair-{uuid.uuid4()}"
    DRIFT["on"], REFUSE["id"] = False, None
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with _worker(stack, queue, executor):
            handle = await stack.client.start_workflow(DriftingWorkflow.run, id=workflow_id, task_queue=queue)
            for n in range(3):
                await handle.execute_update(DriftingWorkflow.step, id=f"step-{n + 1}")
        DRIFT["on"], REFUSE["id"] = True, "step-3"  # the third step is no longer allowed
        try:
            async with _worker(stack, queue, executor):
                repaired = await repair(stack.client, workflow_id, "o.weber", [DriftingWorkflow], stack.settings)
                assert repaired.new_run_id is not None
                assert [(u.name, u.applied) for u in repaired.reapplied] == [("step", True), ("step", False)], repaired
                (refused,) = repaired.refused
                assert refused.update_id == "step-3" and "refused" in (refused.why or "")
                await handle.signal(DriftingWorkflow.finish)
                assert await stack.client.get_workflow_handle(workflow_id).result() == 2
        finally:
            DRIFT["on"], REFUSE["id"] = False, None


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


def test_the_repair_command_names_each_refused_update_in_the_staffs_language() -> None:
    """What ``bin/starter repair`` says (and exits 1 with) when the new run refused some."""
    from core.i18n import Text
    from starter.operations import refused_on_reapply
    from starter.repair import Diagnosis, Reapplied, Repaired

    diagnosis = Diagnosis("case-WC-0000000042-j1", replays=False, failing_event_id=40, reset_to_event_id=31)
    applied = Reapplied("u-1", "record_recognition", applied=True)
    refused = Reapplied("u-2", "record_visa", applied=False, why="refused by the workflow when applied again")
    assert refused_on_reapply(diagnosis.workflow_id, Repaired(diagnosis, "run-2", (applied,))) is None
    said = refused_on_reapply(diagnosis.workflow_id, Repaired(diagnosis, "run-2", (applied, refused)))
    assert said is not None
    german = Text("de").said(said)
    assert "case-WC-0000000042-j1 ist repariert" in german and "1 seiner Änderungen" in german
    assert "record_visa u-2" in german and "record_recognition" not in german


def test_an_email_written_again_can_be_resent_by_its_key() -> None:
    from starter.operations import _EMAIL_KEY

    for key, valid in [
        ("WC-0123456789/4/advisor", True),
        ("case-WC-0123456789-j1/12/team_lead", True),
        ("case-WC-0123456789-j1/12/advisor/r2", True),  # models/mail.again_key
        ("case-WC-0123456789-j1/12/advisor/x2", False),
        ("WC-0123456789/4", False),
    ]:
        assert bool(_EMAIL_KEY.fullmatch(key)) is valid, key
