"""Side effects of transitions, run in order by a workflow's main loop.

A transition queues its record write and its email here synchronously; the main
loop runs them one at a time, records first. Update handlers wait until their
event is recorded, so an advisor's command returns once the database has it, while
a slow mail server never holds the command up.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.records import SEND_NOTIFICATION, Notification

# Status writes are small and must land: short timeouts, retried until the database is back.
RECORD_TIMEOUT = timedelta(seconds=15)
RECORD_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Mail may be down for a while; after a day of retries the case goes on without that email.
NOTIFY_TIMEOUT = timedelta(seconds=60)
NOTIFY_GIVE_UP_AFTER = timedelta(days=1)
NOTIFY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10), non_retryable_error_types=["RecipientRefused"])


class Outbox:
    def __init__(self, record_activity: str) -> None:
        self._record_activity = record_activity
        self._records: deque[Any] = deque()
        self._emails: deque[Notification] = deque()
        self._recorded_seq = 0

    def queue(self, record: Any, email: Notification) -> None:
        """``record`` is the activity input; it carries the event (with its ``seq``)."""
        self._records.append(record)
        self._emails.append(email)

    def pending(self) -> bool:
        return bool(self._records or self._emails)

    async def run_next(self) -> None:
        if self._records:
            record = self._records.popleft()
            await workflow.execute_activity(
                self._record_activity,
                record,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY,
                summary=f"record {record.event.action}",
            )
            self._recorded_seq = record.event.seq
        elif self._emails:
            await self._send(self._emails.popleft())

    async def until_recorded(self, seq: int) -> None:
        await workflow.wait_condition(lambda: self._recorded_seq >= seq)

    async def _send(self, notification: Notification) -> None:
        try:
            await workflow.execute_activity(
                SEND_NOTIFICATION,
                notification,
                start_to_close_timeout=NOTIFY_TIMEOUT,
                schedule_to_close_timeout=NOTIFY_GIVE_UP_AFTER,
                retry_policy=NOTIFY_RETRY,
                summary=f"email {notification.recipient_role.value}",
            )
        except ActivityError as err:
            # A lost email must not stop the case; the failure stays visible in the history.
            workflow.logger.warning(
                "notification failed for good",
                extra={
                    "case_id": notification.case_id,
                    "key": notification.idempotency_key,
                    "cause": str(err.cause),
                },
            )

    async def drain_until(self, done: Any) -> None:
        """The main loop: run side effects until ``done()`` and every handler has finished."""
        while True:
            await workflow.wait_condition(lambda: self.pending() or done())
            if self.pending():
                await self.run_next()
            elif workflow.all_handlers_finished():
                return
            else:
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() or self.pending())
