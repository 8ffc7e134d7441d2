"""What the workspace and the employer's page read of a case: its workflows' state, and the
names staff and employers read for a journey's stage."""

from __future__ import annotations

from temporalio.client import Client

from core import names
from core.i18n import Text
from models.case import CaseState
from models.journey import JourneyView, Milestone
from process.definition import BY_MILESTONE


def milestone_title(stage: str, t: Text) -> str:
    """A journey's stage as people read it: its milestone's title (the catalogue has them)."""
    try:
        return t(BY_MILESTONE[Milestone(stage)].title)
    except (ValueError, KeyError):
        return stage


async def read_case(client: Client, case_id: str) -> tuple[CaseState, list[JourneyView]]:
    """The case and its journeys as ``status`` reads them (RPCError NOT_FOUND: no such case)."""
    handle = client.get_workflow_handle(f"case-{case_id}")
    state: CaseState = await handle.query(names.Case.status, result_type=CaseState)
    views = [
        await client.get_workflow_handle(j.workflow_id).query(names.Journey.status, result_type=JourneyView)
        for j in state.journeys
    ]
    return state, views
