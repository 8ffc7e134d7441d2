"""The repair takes back the records of the part a reset discards (starter/repair.py): after
the reset the journey writes that part again, and its records equal its own state, with
every audit event once. The reset point is chosen here as the repair would choose it for
a history that fails to replay there (the SDK bug itself cannot be provoked on demand)."""

from __future__ import annotations

from sqlalchemy import select
from temporalio.api.enums.v1 import EventType

from records.schema import journey_events, notifications
from starter.repair import Diagnosis, discarded_records, reset, take_back, task_completed_before
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import new_case, open_journeys, start_case
from tests.workflows.test_records_match import matches
from workflows.journey import JourneyWorkflow


async def test_a_reset_journey_writes_its_discarded_part_again_and_the_records_match(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    before = (await journey.recognition()).state
    assert await eventually(lambda: matches(stack, journey))
    history = await journey.handle.fetch_history()
    run_id = (await journey.handle.describe()).run_id

    # Reset before the second advisor step (everything after it is applied again).
    accepted = [
        e.event_id for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    completed = task_completed_before(history.events, accepted[1])
    assert completed is not None
    discarded = await discarded_records(stack.client, history, completed)
    first = min(r["event"]["seq"] for r in discarded)
    assert first > 1 and len(discarded) >= 2
    assert take_back(stack.settings.database_url, journey.handle.id, discarded) == len(before.history) - first + 1
    with stack.engine.connect() as conn:
        seqs = conn.execute(select(journey_events.c.seq).where(journey_events.c.journey_id == journey.handle.id))
        assert sorted(seqs.scalars()) == list(range(1, first))
    diagnosis = Diagnosis(journey.handle.id, replays=False, failing_event_id=accepted[1], reset_to_event_id=completed)
    assert await reset(stack.client, run_id, diagnosis, "ops.lead") != run_id

    async def written_again() -> bool:
        view = await stack.client.get_workflow_handle(journey.handle.id).query(JourneyWorkflow.status)
        return view.state.stage == before.stage and await matches(stack, journey)

    assert await eventually(written_again, timeout=60)
    view = await journey.view()
    with stack.engine.connect() as conn:
        seqs = conn.execute(select(journey_events.c.seq).where(journey_events.c.journey_id == journey.handle.id))
        assert sorted(seqs.scalars()) == list(range(1, len(view.state.history) + 1))  # each once, no gaps
        keys = conn.execute(
            select(notifications.c.idempotency_key).where(notifications.c.case_id == view.state.case_id)
        )
        assert len(set(keys.scalars())) >= len(view.state.history)
