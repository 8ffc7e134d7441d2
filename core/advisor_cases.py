"""An advisor's running cases as their workflows answer them: the visibility store lists
the cases, each case and journey answers its status query. Shared by the calendar and the
weekly digest, which read the same deadlines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core import names
from core import search_attributes as sa
from models.case import CaseState, JourneySummary
from models.journey import JourneyView

if TYPE_CHECKING:
    from temporalio.client import Client

    from core.config import Settings


@dataclass(frozen=True)
class AdvisorCase:
    workflow_id: str
    state: CaseState
    journeys: list[tuple[JourneySummary, JourneyView]]


async def advisor_cases(client: Client, settings: Settings, advisor: str) -> AsyncIterator[AdvisorCase]:
    query = (
        f"WorkflowType = 'CaseWorkflow' AND {sa.ADVISOR.name} = '{advisor}' AND ExecutionStatus = 'Running' "
        f"AND TaskQueue = '{settings.task_queue}'"
    )
    async for wf in client.list_workflows(query):
        state: CaseState = await client.get_workflow_handle(wf.id).query(names.Case.status, result_type=CaseState)
        journeys = [
            (
                summary,
                await client.get_workflow_handle(summary.workflow_id).query(
                    names.Journey.status, result_type=JourneyView
                ),
            )
            for summary in state.journeys
        ]
        yield AdvisorCase(wf.id, state, journeys)


async def reopened_journeys(
    client: Client, settings: Settings, advisor: str, known: set[str]
) -> AsyncIterator[JourneyView]:
    """The advisor's running journeys whose case is not running: a placed journey reopened for
    an end of employment (#24, starter/reopen.py), its case closed long ago."""
    query = (
        f"WorkflowType = 'JourneyWorkflow' AND {sa.ADVISOR.name} = '{advisor}' AND ExecutionStatus = 'Running' "
        f"AND TaskQueue = '{settings.task_queue}'"
    )
    async for wf in client.list_workflows(query):
        case_id = wf.typed_search_attributes.get(sa.CASE_ID)
        if case_id is None or case_id in known:
            continue
        yield await client.get_workflow_handle(wf.id).query(names.Journey.status, result_type=JourneyView)
