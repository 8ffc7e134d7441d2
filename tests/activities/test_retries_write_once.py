"""Activities run at least once: a retried activity must not write or send twice.

The worker here registers wrappers under the real activity names. Each wrapper runs
the real activity and then fails its first attempt, as if the worker had crashed
after the side effect and before reporting success. Temporal retries; the second
attempt must find the side effect already done. The email a record queues is queued once
however often the record runs, and the mail relay sends it once (two relays never send
one email at once: tests/records/test_mail_relay.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from temporalio import activity

from activities.records import CaseRecordActivities
from core.i18n import Text
from models.records import (
    RECORD_CASE_TRANSITION,
    RECORD_JOURNEY_TRANSITION,
    CaseTransitionRecord,
    JourneyTransitionRecord,
)
from records.schema import case_events, journey_events, notifications
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import open_journeys, start_case
from worker import build_worker
from workflows.case import CaseWorkflow


class FailAfterSideEffect:
    def __init__(self, stack: Stack) -> None:
        self.records = CaseRecordActivities(stack.engine, Text(stack.settings.language))
        self.attempts: Counter[str] = Counter()

    def _fail_first_attempt(self, what: str) -> None:
        info = activity.info()
        self.attempts[what] += 1
        if info.attempt == 1:
            raise RuntimeError(f"simulated crash after {what} (attempt {info.attempt})")

    @activity.defn(name=RECORD_CASE_TRANSITION)
    def record_case_transition(self, record: CaseTransitionRecord) -> bool:
        written = self.records.record_case_transition(record)
        self._fail_first_attempt("record")
        return written

    @activity.defn(name=RECORD_JOURNEY_TRANSITION)
    def record_journey_transition(self, record: JourneyTransitionRecord) -> bool:
        written = self.records.record_journey_transition(record)
        self._fail_first_attempt("record")
        return written


async def test_retried_activities_write_once_and_send_once(stack: Stack) -> None:
    # The stack fixture's worker polls this test's queue too; use a queue of our own.
    settings = stack.settings.model_copy(update={"task_queue": stack.settings.task_queue + "-flaky"})
    task_queue = settings.task_queue
    flaky = FailAfterSideEffect(stack)
    replacing: dict[str, Callable[..., Any]] = {
        RECORD_CASE_TRANSITION: flaky.record_case_transition,
        RECORD_JOURNEY_TRANSITION: flaky.record_journey_transition,
    }
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(stack.client, settings, stack.engine, executor, replacing=replacing):
            handle = await start_case(stack.client, task_queue)
            (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
            journey_state = (await journey.contract()).state
            state = await handle.query(CaseWorkflow.status)
            case_id = state.case_id
            transitions = len(state.history) + len(journey_state.history)

            def sent_keys() -> list[str]:
                with stack.engine.connect() as conn:
                    return list(
                        conn.execute(
                            select(notifications.c.idempotency_key).where(
                                notifications.c.case_id == case_id, notifications.c.status == "sent"
                            )
                        ).scalars()
                    )

            # Wait for the retries too: the first attempt already queued the email.
            await eventually(lambda: len(sent_keys()) == transitions and flaky.attempts["record"] >= 2 * transitions)

    # Every record really ran twice, but each event is in the database once, and each email arrived once.
    with stack.engine.connect() as conn:
        per_seq = conn.execute(
            select(case_events.c.seq, func.count()).where(case_events.c.case_id == case_id).group_by(case_events.c.seq)
        ).all()
        journey_per_seq = conn.execute(
            select(journey_events.c.seq, func.count())
            .where(journey_events.c.case_id == case_id)
            .group_by(journey_events.c.seq)
        ).all()
    assert sorted(seq for seq, _ in per_seq) == [e.seq for e in state.history]
    assert sorted(seq for seq, _ in journey_per_seq) == [e.seq for e in journey_state.history]
    assert all(count == 1 for _, count in [*per_seq, *journey_per_seq])
    received = stack.smtp.for_case(case_id)
    assert len(received) == transitions
    assert len({m["Message-ID"] for m in received}) == transitions


async def test_smtp_temporary_failure_is_retried_and_delivered_once(stack: Stack) -> None:
    stack.smtp.refuse_next = 1
    refused_before = stack.smtp.refused
    handle = await start_case(stack.client, stack.settings.task_queue)
    case_id = (await handle.query(CaseWorkflow.status)).case_id

    received = await eventually(lambda: stack.smtp.for_case(case_id))
    assert stack.smtp.refused == refused_before + 1
    assert len(received) == 1
    with stack.engine.connect() as conn:
        attempts = conn.execute(select(notifications.c.attempts).where(notifications.c.case_id == case_id)).scalar_one()
    assert attempts == 2
