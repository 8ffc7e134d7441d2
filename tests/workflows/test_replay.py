"""Determinism guard: recorded case histories must replay against today's workflow code.

``histories/*.json`` are real histories of cases run by earlier versions of the
workflow. A change to the workflow's command sequence without a ``workflow.patched``
guard makes these fail, long before a running case hits it in production.
Record a new one with ``python -m scripts.export_history CASE_ID``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.client import data_converter
from tests.conftest import Stack
from tests.workflows.case_flow import new_case, open_journeys, start_case
from worker import WORKFLOWS, workflow_runner

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def _replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=data_converter(), workflow_runner=workflow_runner())


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    workflow_id = path.stem
    history = WorkflowHistory.from_json(workflow_id, path.read_text())
    result = await _replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def test_there_are_recorded_histories() -> None:
    # Without files the parametrised test above silently runs zero times.
    assert HISTORIES


async def test_a_fresh_case_and_its_journey_replay(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.to_probation()
    await journey.probation_passed()
    await handle.result()
    for h in (handle, journey.handle):
        await _replayer().replay_workflow(await h.fetch_history())
