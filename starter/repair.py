"""Repairing a workflow whose history no longer replays (#12).

A worker that starts cold (after a crash or restart) and receives an advisor's Update in
the same workflow task as a finished activity can write a history that the SDK itself
cannot replay later: the Update's acceptance and the command that followed the activity
are recorded in one order and replayed in the other ("[TMPRL1100] Nondeterminism error:
Update machine does not handle this event", the Python SDK's open issue
temporalio/sdk-python#1591; seen once in about 300 cases of the fault-injection run).
The case itself went on correctly while its worker kept it in memory; but after the next
restart its workflow task fails on every attempt (visible in the Web UI as a failing
workflow task) and ``status`` cannot read it.

The repair resets the workflow to the start of the workflow task that wrote the
unreplayable order: Temporal keeps the history before it, discards the rest and applies
every later Update and signal again, and the workflow runs that part anew. Its audit
events from there on may differ (time has passed: a deadline may have run out since), so
first the records of the discarded part are taken back: its audit events (by seq), the
row's version, and its emails not yet sent; the new run writes its own. Emails already
sent stay sent: the same email is not sent again, and one whose content changed goes out
under a key of its own (``<key>/r2``, activities/records.py), so nothing new is suppressed.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import WorkflowSerializationContext
from temporalio.worker import Replayer

from core.client import data_converter
from core.config import Settings
from models.mail import AGAIN, RecipientRole
from models.records import LOCAL_RECORD_ID_PREFIX, RECORD_CASE_TRANSITION, RECORD_JOURNEY_TRANSITION

log = structlog.get_logger(__name__)

_EVENT = re.compile(r"HistoryEvent\(id: (\d+)")
CASE_WORKFLOW_ID = re.compile(r"case-WC-[0-9A-Z]{10}")  # a journey's id adds -j<n>
_NONDETERMINISM = "TMPRL1100"
RECORDS = (RECORD_CASE_TRANSITION, RECORD_JOURNEY_TRANSITION)
LOCAL_ACTIVITY_MARKER = "core_local_activity"


@dataclass(frozen=True)
class Diagnosis:
    workflow_id: str
    replays: bool
    failure: str | None = None
    failing_event_id: int | None = None
    reset_to_event_id: int | None = None  # the WorkflowTaskCompleted event to reset to


async def diagnose(history: WorkflowHistory, workflows: Sequence[type], settings: Settings) -> Diagnosis:
    """Replay ``history`` against today's code; where it fails with a nondeterminism error,
    find the workflow task whose commands it fails on."""
    from workflows.registry import workflow_runner

    replayer = Replayer(workflows=workflows, data_converter=data_converter(settings), workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is None:
        return Diagnosis(history.workflow_id, replays=True)
    failure = str(result.replay_failure)
    found = _EVENT.search(failure)
    if _NONDETERMINISM not in failure or found is None:
        return Diagnosis(history.workflow_id, replays=False, failure=failure)
    failing = int(found.group(1))
    return Diagnosis(
        history.workflow_id,
        replays=False,
        failure=failure,
        failing_event_id=failing,
        reset_to_event_id=task_completed_before(history.events, failing),
    )


def task_completed_before(events: Sequence[Any], event_id: int) -> int | None:
    """The completion of the task that recorded ``event_id``: the last one before it.
    Reset to it, Temporal keeps the history up to the task's start and runs the task again."""
    completed = None
    for event in events:
        if event.event_id >= event_id:
            break
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            completed = event.event_id
    return completed


async def reset(client: Client, run_id: str, diagnosis: Diagnosis, actor: str) -> str:
    """Reset run ``run_id`` to the diagnosed workflow task; later Updates and signals are
    applied again. Returns the new run's id."""
    assert diagnosis.reset_to_event_id is not None
    response = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=diagnosis.workflow_id, run_id=run_id),
            reason=(
                f"repair by {actor}: history does not replay at event {diagnosis.failing_event_id} "
                "(temporalio/sdk-python#1591)"
            ),
            workflow_task_finish_event_id=diagnosis.reset_to_event_id,
            request_id=str(uuid.uuid4()),
        )
    )
    return str(response.run_id)


async def discarded_records(client: Client, history: WorkflowHistory, after_event_id: int) -> list[dict[str, Any]]:
    """The records written after ``after_event_id``, what the reset discards: the record
    activities' inputs (event, row, email); for records written as local activities (#14),
    whose markers keep no input, the event's seq from the activity id and the keys its
    email may have had."""
    context = WorkflowSerializationContext(namespace=client.namespace, workflow_id=history.workflow_id)
    converter = client.data_converter.with_context(context)
    found: list[dict[str, Any]] = []
    for event in history.events:
        if event.event_id <= after_event_id:
            continue
        attrs = event.activity_task_scheduled_event_attributes
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and attrs.activity_type.name in RECORDS:
            (record,) = await converter.decode(attrs.input.payloads, [dict])
            found.append(record)
        marker = event.marker_recorded_event_attributes
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and marker.marker_name == LOCAL_ACTIVITY_MARKER:
            (data,) = await converter.decode(marker.details["data"].payloads, [dict])
            seq = local_record_seq(data.get("activity_type", ""), data.get("activity_id", ""))
            if seq is not None:
                found.extend(
                    {"event": {"seq": seq}, "notification": {"idempotency_key": key}}
                    for key in possible_email_keys(history.workflow_id, seq)
                )
    return found


def local_record_seq(activity_type: str, activity_id: str) -> int | None:
    """The event seq of a record written as a local activity (its id is ``record-<seq>``)."""
    if activity_type not in RECORDS or not activity_id.startswith(LOCAL_RECORD_ID_PREFIX):
        return None
    return int(activity_id.removeprefix(LOCAL_RECORD_ID_PREFIX))


def possible_email_keys(workflow_id: str, seq: int) -> list[str]:
    """The idempotency keys an event's email can have (workflows/case.py, journey.py)."""
    owner = workflow_id.removeprefix("case-") if CASE_WORKFLOW_ID.fullmatch(workflow_id) else workflow_id
    return [f"{owner}/{seq}/{role.value}" for role in RecipientRole]


def take_back(database_url: str, workflow_id: str, records: list[dict[str, Any]]) -> int:
    """Remove the discarded part's audit events and unsent emails from the records and let
    the row be written again from there. Returns the number of events taken back."""
    from sqlalchemy import and_, delete, or_, update

    from records.database import create_records_engine
    from records.schema import case_events, cases, journey_events, journeys, notifications

    if not records:
        return 0
    first = min(int(r["event"]["seq"]) for r in records)
    keys = [r["notification"]["idempotency_key"] for r in records if r.get("notification")]
    journey = CASE_WORKFLOW_ID.fullmatch(workflow_id) is None
    events, rows = (journey_events, journeys) if journey else (case_events, cases)
    owner = workflow_id if journey else workflow_id.removeprefix("case-")
    event_owner = events.c.journey_id if journey else events.c.case_id
    row_owner = rows.c.journey_id if journey else rows.c.case_id
    engine = create_records_engine(database_url)
    try:
        with engine.begin() as conn:
            taken = conn.execute(delete(events).where(and_(event_owner == owner, events.c.seq >= first))).rowcount
            conn.execute(
                update(rows)
                .where(and_(row_owner == owner, rows.c.last_event_seq >= first))
                .values(last_event_seq=first - 1)
            )
            if keys:
                # Also the emails a reset run wrote again with new content (``<key>/r2``, ...:
                # activities/records.py): unsent, they belong to the part discarded now.
                key = notifications.c.idempotency_key
                again = [key.like(f"{k}{AGAIN}%") for k in keys]
                unsent = notifications.c.status != "sent"
                conn.execute(delete(notifications).where(and_(or_(key.in_(keys), *again), unsent)))
    finally:
        engine.dispose()
    return int(taken or 0)


@dataclass(frozen=True)
class Reapplied:
    """An Update the reset discarded and Temporal applied again in the new run: applied, or
    refused there (its validator or handler said no, or no outcome came) and why."""

    update_id: str
    name: str
    applied: bool
    why: str | None = None


@dataclass(frozen=True)
class Repaired:
    diagnosis: Diagnosis
    new_run_id: str | None = None  # None: nothing reset
    reapplied: tuple[Reapplied, ...] = ()

    @property
    def refused(self) -> list[Reapplied]:
        return [u for u in self.reapplied if not u.applied]


def updates_after(events: Sequence[Any], event_id: int) -> list[tuple[str, str]]:
    """(update id, Update name) of every Update admitted or accepted after ``event_id``, in
    order: what a reset to that event discards and applies again."""
    found: dict[str, str] = {}
    for event in events:
        if event.event_id <= event_id:
            continue
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED:
            request = event.workflow_execution_update_admitted_event_attributes.request
        else:
            continue
        found.setdefault(request.meta.update_id, request.input.name)
    return list(found.items())


async def outcomes(
    client: Client, workflow_id: str, run_id: str, updates: list[tuple[str, str]], wait_seconds: float
) -> tuple[Reapplied, ...]:
    """Each re-applied Update's outcome, read from the new run's history as it goes on.

    Temporal admits each one again; the next workflow task either accepts it (Accepted,
    then Completed with its result or failure) or its validator refuses it, which leaves
    no event at all (and polling such an Update fails on the server), so an Update still
    without acceptance after a completed task since its admission was refused."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        history = await handle.fetch_history()
        found = {update_id: _outcome(history.events, update_id, name) for update_id, name in updates}
        if all(found.values()) or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.5)
    return tuple(
        found[update_id] or Reapplied(update_id, name, applied=False, why=f"no outcome within {wait_seconds:.0f} s")
        for update_id, name in updates
    )


def _outcome(events: Sequence[Any], update_id: str, name: str) -> Reapplied | None:
    """The Update's outcome in a history, or None while it is still open. A task's
    acceptances follow its WorkflowTaskCompleted event, written with it in one go."""
    admitted = accepted = answered = False  # answered: a task completed since its admission
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED:
            request = event.workflow_execution_update_admitted_event_attributes.request
            admitted = admitted or request.meta.update_id == update_id
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            # An admitted Update's acceptance names it by its protocol instance (its id) only.
            attrs = event.workflow_execution_update_accepted_event_attributes
            accepted = accepted or update_id in (attrs.protocol_instance_id, attrs.accepted_request.meta.update_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            attrs = event.workflow_execution_update_completed_event_attributes
            if attrs.meta.update_id == update_id:
                if attrs.outcome.HasField("failure"):
                    return Reapplied(update_id, name, applied=False, why=attrs.outcome.failure.message[:500])
                return Reapplied(update_id, name, applied=True)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            answered = admitted
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED and answered and not accepted:
            break
    if answered and not accepted:
        return Reapplied(update_id, name, applied=False, why="refused by the workflow when applied again")
    return None


async def repair(
    client: Client,
    workflow_id: str,
    actor: str,
    workflows: Sequence[type],
    settings: Settings,
    wait_seconds: float = 60.0,
) -> Repaired:
    """Diagnose the workflow's current run and, where it fails to replay in a way a reset
    mends, take back the records of the part the reset discards and reset it. Then wait for
    every Update of that part in the new run: one refused there is reported, never dropped
    silently (#26 point 6)."""
    handle = client.get_workflow_handle(workflow_id)
    run_id = (await handle.describe()).run_id
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    diagnosis = await diagnose(history, workflows, settings)
    if diagnosis.reset_to_event_id is None:
        return Repaired(diagnosis)
    discarded = await discarded_records(client, history, diagnosis.reset_to_event_id)
    updates = updates_after(history.events, diagnosis.reset_to_event_id)
    take_back(settings.database_url, workflow_id, discarded)
    new_run = await reset(client, run_id, diagnosis, actor)
    reapplied = await outcomes(client, workflow_id, new_run, updates, wait_seconds)
    for update in reapplied:
        if not update.applied:
            log.warning("a re-applied update was refused", workflow_id=workflow_id, update=update.name, why=update.why)
    return Repaired(diagnosis, new_run, reapplied)
