"""Reopening a placed journey (#24): the employer must report an early end of employment to
the ABH within four weeks whenever it happens (§4a(5) S.3 Nr.3 AufenthG), but a placed
journey's workflow has completed. The action goes to a new run of the same journey id, from
its final state and its stored input (policy, route, candidate), sent with the start
(update-with-start): the new run's first task runs the Update's validator before anything,
so a refused end leaves a run that completes at once, its state unchanged. Only actions the
process definition marks ``after_placement`` reopen."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from core import names, versions
from core import search_attributes as sa
from core.updates import as_one_command
from models.case import ActionReply
from models.journey import JourneyInput, JourneyView, carried


async def completed(handle: WorkflowHandle[Any, Any]) -> bool:
    return (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def reopened_update(
    client: Client, handle: WorkflowHandle[Any, Any], update: str, action: Any, task_queue: str
) -> ActionReply:
    """Send ``update`` to a new run of the completed journey ``handle``, started from its end."""
    history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (stored,) = await client.data_converter.decode(started.input.payloads, [JourneyInput])
    view: JourneyView = await handle.query(names.Journey.status, result_type=JourneyView)
    journey = stored.model_copy(
        update={
            "resume": carried(view.state),
            "imported": None,
            "incident": False,
            "unsent_emails": [],
            "code_version": versions.CODE_VERSION,
        }
    )
    start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
        names.Journey.workflow,
        journey,
        id=handle.id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        search_attributes=TypedSearchAttributes([SearchAttributePair(sa.CODE_VERSION, versions.CODE_VERSION)]),
    )

    async def send(command: str) -> ActionReply:
        reply: ActionReply = await client.execute_update_with_start_workflow(
            update, action, id=command, start_workflow_operation=start, result_type=ActionReply
        )
        return reply

    return await as_one_command(handle.id, update, action, send)  # a reopen sent again is one command
