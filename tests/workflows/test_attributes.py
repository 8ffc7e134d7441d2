"""Search attributes are written lean (#14, workflows/attributes.py): at most one upsert
per step, only the attributes that changed, none for a step that changes none."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from core import search_attributes as sa
from models.journey import AddNote
from tests.conftest import Stack
from tests.workflows.case_flow import new_case, open_journeys, start_case

E = EventType


def _upserts_per_step(events: Sequence[HistoryEvent]) -> list[list[set[str]]]:
    """The product's upserts (their attribute names), split at each accepted Update."""
    steps: list[list[set[str]]] = [[]]  # before the first Update: the journey's start
    for event in events:
        if event.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            steps.append([])
        elif event.event_type == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
            if fields != {"TemporalChangeVersion"}:  # the SDK's own, one per patch marker
                steps[-1].append(fields)
    return steps


async def test_one_upsert_per_step_with_only_what_changed_and_none_for_a_note(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    before_note = len(_upserts_per_step((await journey.handle.fetch_history()).events))
    await journey.do(AddNote, note="Rückruf vereinbart")
    await journey.recognition()
    steps = _upserts_per_step((await journey.handle.fetch_history()).events)

    start, *later = steps
    assert len(start) == 1 and sa.CASE_ID.name in start[0]  # everything, once
    assert all(sa.CASE_ID.name not in fields for step in later for fields in step)  # then only changes
    assert steps[before_note] == []  # a note changes no attribute
    # One upsert per step; a second only from the deadline loop (a late fact escalating at once).
    assert all(len(step) <= 2 for step in later) and sum(len(step) for step in later) <= len(later) + 2
    assert any(step == [{sa.CASE_STAGE.name, sa.NEXT_DEADLINE.name}] for step in later)  # stage and clock together
    described = await journey.handle.describe()
    assert described.typed_search_attributes.get(sa.CASE_STAGE) == (await journey.stage()).value
