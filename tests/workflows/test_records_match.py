"""The records equal the workflows' own state after every step (#12): stage, next due
date (the open clocks), overdue and outcome, for the journey and the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.berlin import local_date
from models.clocks import next_due_on
from records.schema import cases, journeys
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import Journey, new_case, open_journeys, start_case
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow


def journey_row(stack: Stack, journey_id: str) -> Any:
    with stack.engine.connect() as conn:
        return conn.execute(select(journeys).where(journeys.c.journey_id == journey_id)).one_or_none()


async def matches(stack: Stack, journey: Journey) -> bool:
    view = await journey.handle.query(JourneyWorkflow.status)
    s = view.state
    row = journey_row(stack, s.workflow_id)
    if row is None or row.last_event_seq != len(s.history):
        return False  # not yet written: the command returned once its own event was
    expected = (s.stage.value, next_due_on(s.deadlines), s.outcome.value if s.outcome else None)
    assert (row.stage, row.next_due_on, row.outcome) == expected, f"after {s.history[-1].action}"
    today = local_date(s.history[-1].occurred_at)
    overdue_in_records = row.next_due_on is not None and row.next_due_on < today
    overdue_in_workflow = any(d.open and d.due_on < today for d in s.deadlines)
    assert overdue_in_records == overdue_in_workflow
    return True


class CheckedJourney(Journey):
    """Every step checks the records against the workflow's own state."""

    def __init__(self, journey: Journey, stack: Stack) -> None:
        super().__init__(journey.handle)
        self.stack = stack
        self.steps = 0

    async def do(self, model: type, **fields: Any) -> Any:
        view = await super().do(model, **fields)
        await eventually(lambda: matches(self.stack, self))
        self.steps += 1
        return view


async def test_the_records_equal_the_workflows_after_every_step(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (plain,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    journey = CheckedJourney(plain, stack)
    await journey.to_probation()
    await journey.probation_passed()
    assert journey.steps >= 15
    state = await handle.result()
    with stack.engine.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.case_id == state.case_id)).one()
    assert (row.stage, row.outcome, row.next_due_on, row.last_event_seq) == (
        state.stage.value,
        state.outcome.value if state.outcome else None,
        next_due_on(state.deadlines),
        len(state.history),
    )
    assert (await handle.query(CaseWorkflow.status)).stage.value == "closed"
