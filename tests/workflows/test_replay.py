"""Running cases outlive releases: recorded histories must replay against today's code,
and the commands each workflow issues must not change without a ``workflow.patched`` guard.

``histories/<generation>/<scenario>--<role>--<workflow id>.json`` are histories of the
stories in ``scenarios.py`` (fired timers, escalation rungs, the BA's deemed consent, a
lapsed Vorabzustimmung, replacements). Every generation must keep replaying; the newest
is the baseline of the fingerprints. ``WC_RECORD_HISTORIES=1`` records a new generation
(after a guarded change; the older ones stay).

The fingerprint of a history is the commands its workflow issued (activities with their
summaries, children, signals, markers, completion; whether timers and search-attribute
upserts were used), as in PostHog's temporal package. The scenarios run fresh in every
test run; a fingerprint that differs from the recorded one fails the test, unless the
fresh run carries a ``workflow.patched`` marker the recording did not: then the old
histories keep replaying below and the change is guarded.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.client import data_converter
from tests.conftest import Stack
from tests.workflows.scenarios import SCENARIOS
from workflows.registry import WORKFLOWS, workflow_runner

HISTORY_DIR = Path(__file__).parent / "histories"
HISTORIES = sorted(HISTORY_DIR.glob("*/*.json"))
GENERATIONS = sorted(int(p.name) for p in HISTORY_DIR.iterdir() if p.is_dir() and p.name.isdigit())
RECORD = bool(os.environ.get("WC_RECORD_HISTORIES"))
# The baseline the fingerprints compare with; a recording run writes the next generation.
BASELINE = HISTORY_DIR / str(GENERATIONS[-1] + (1 if RECORD else 0) if GENERATIONS else 1)
E = EventType


def _replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=data_converter(), workflow_runner=workflow_runner())


def _load(path: Path) -> WorkflowHistory:
    _scenario, _role, workflow_id = path.stem.split("--")
    return WorkflowHistory.from_json(unquote(workflow_id), path.read_text())


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.stem.rsplit('--', 1)[0]}" for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    result = await _replayer().replay_workflow(_load(path), raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def test_every_scenario_and_workflow_type_has_recorded_histories() -> None:
    # Without files the parametrised tests silently run zero times.
    recorded = {p.stem.split("--")[0] for p in BASELINE.glob("*.json")}
    assert recorded == set(SCENARIOS)
    kinds = {p.stem.split("--")[1].rstrip("0123456789") for p in HISTORIES}
    assert kinds == {"case", "journey", "mail", "retention", "digest"}


def _summary(event: HistoryEvent) -> str:
    """The command's summary, with case ids (different in every run) left out."""
    if event.HasField("user_metadata") and event.user_metadata.HasField("summary"):
        return re.sub(r"WC-[0-9A-Z]{10}", "WC-*", json.loads(event.user_metadata.summary.data))
    return ""


def fingerprint(history: WorkflowHistory) -> Counter[str]:
    """The commands a workflow issued, counted; timers and upserts only as used or not."""
    counted: Counter[str] = Counter()
    used: set[str] = set()
    for event in history.events:
        t = event.event_type
        if t == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            counted[f"activity {attrs.activity_type.name}: {_summary(event)}"] += 1
        elif t == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            counted[f"child {event.start_child_workflow_execution_initiated_event_attributes.workflow_type.name}"] += 1
        elif t == E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
            counted[f"signal {event.signal_external_workflow_execution_initiated_event_attributes.signal_name}"] += 1
        elif t == E.EVENT_TYPE_MARKER_RECORDED:
            counted[f"marker {event.marker_recorded_event_attributes.marker_name}"] += 1
        elif t == E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            counted["completed"] += 1
        elif t == E.EVENT_TYPE_TIMER_STARTED:
            used.add(f"timer: {_summary(event)}")
        elif t == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            used.add("upsert search attributes")
        elif t == E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
            used.add("modify properties")
    counted.update({name: 1 for name in used})
    return counted


def patches(history: WorkflowHistory) -> set[str]:
    found = set()
    for event in history.events:
        attrs = event.marker_recorded_event_attributes
        if event.event_type == E.EVENT_TYPE_MARKER_RECORDED and attrs.marker_name == "core_patch":
            found.add(json.loads(attrs.details["patch-data"].payloads[0].data)["id"])
    return found


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_command_fingerprints_match_the_recorded_histories(stack: Stack, tmp_path: Path, name: str) -> None:
    runs = await SCENARIOS[name](stack, tmp_path)
    for role, handle in runs:
        fresh = await handle.fetch_history()
        # Whatever else it shows, a fresh run replays against the code that made it.
        await _replayer().replay_workflow(fresh)
        if RECORD:
            BASELINE.mkdir(exist_ok=True)
            for old in BASELINE.glob(f"{name}--{role}--*.json"):
                old.unlink()
            # An email's workflow id holds slashes: quoted in the file name.
            (BASELINE / f"{name}--{role}--{quote(handle.id, safe='-_.')}.json").write_text(fresh.to_json())
            continue
        (path,) = BASELINE.glob(f"{name}--{role}--*.json")
        recorded = _load(path)
        before, after = fingerprint(recorded), fingerprint(fresh)
        if before == after:
            continue
        guarded = patches(fresh) - patches(recorded)
        changes = sorted((k, before[k], after[k]) for k in before.keys() | after.keys() if before[k] != after[k])
        assert guarded, (
            f"{name}/{role}: the workflow's commands changed without a workflow.patched guard "
            f"(command, recorded, now): {changes}. Guard the change with workflow.patched, keep "
            "the recorded histories replaying, and record new ones with WC_RECORD_HISTORIES=1."
        )
