"""Side effects of transitions: records written in order, emails sent beside them.

A transition queues its record (the event, the row after it and its email) here
synchronously. The records loop writes them one at a time; update handlers wait until
their event is recorded, so an advisor's command returns once the database has it.

Since #12 (``workflow.patched(MAIL_APART)``) emails are delivered by a loop of their own
once their record (which queued them in the outbox table) is written: a mail outage
holds up no record and no command. An email that cannot be delivered within a day (or
that no retry can fix) is marked undeliverable in the records and handed to an
``UndeliverableEmailWorkflow``, which operations see in the UI and which a resend ends.
Workflows from before the patch keep running records and emails one queue, as then.

Since #23 (``workflow.patched(MAIL_RELAY)``) the workflow sends no email itself: the record
that queues it in the outbox is all, and the worker's mail relay (activities/mail_relay.py)
sends it, retries it and hands it to an ``UndeliverableEmailWorkflow``, as the loop did, for
a third of the workflow tasks and no activity per email.

Since #14 (``workflow.patched(LOCAL_RECORDS)``) records are local activities: run by the
worker inside the workflow task that queued them, so an Update is accepted, recorded and
answered in one task.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from core.names import undeliverable_summary
    from models.mail import Notification
    from models.records import (
        DELIVER_NOTIFICATION,
        LOCAL_RECORD_ID_PREFIX,
        MARK_NOTIFICATION_UNDELIVERABLE,
        SEND_NOTIFICATION,
        NotificationKey,
        UndeliverableNotification,
    )
    from models.said import Said, say
    from workflows.mail import UndeliverableEmailWorkflow, failure_reason, undeliverable_workflow_id

MAIL_APART = "mail-apart"  # #12: emails leave the records' queue; slim record inputs
# #14: records written as local activities, inside the workflow task that queued them (an
# Update's own task): one task per step instead of two, a marker instead of three events.
LOCAL_RECORDS = "local-records"
MAIL_RELAY = "mail-relay"  # #23: the worker's mail relay sends the outbox; no activity per email
RECORD_INCIDENT = "record_incident"  # the audit action when the records refuse an event

# Status writes are small and must land: short timeouts, retried until the database is back.
# A data error the database refuses for good is non-retryable (the workflow reports it).
RECORD_TIMEOUT = timedelta(seconds=15)
RECORD_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), non_retryable_error_types=["DataError"])
# Mail may be down for a while; after a day of retries the email is given up on (and kept).
NOTIFY_TIMEOUT = timedelta(seconds=60)
NOTIFY_GIVE_UP_AFTER = timedelta(days=1)
NOTIFY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=10), non_retryable_error_types=["RecipientRefused", "BadNotification"]
)


class Outbox:
    def __init__(
        self, record_activity: str, mail_apart: bool, local_records: bool = False, relay: bool = False
    ) -> None:
        self._record_activity = record_activity
        self._mail_apart = mail_apart or relay
        self._relay = relay
        self._local_records = local_records
        self._records: deque[Any] = deque()
        self._emails: deque[Notification] = deque()
        self._recorded_seq = 0
        self._mailing: Notification | None = None  # the email being delivered
        # (action, summary): the workflow's incident; summary None when the failed record
        # was itself an incident (then only the Incident attribute can tell).
        self.on_incident: Callable[[str, Said | None], None] | None = None

    def queue(self, record: Any, email: Notification | None) -> None:
        """``record`` is the activity input; it carries the event (with its ``seq``) and,
        with mail apart, the email it queues in the outbox table (None: no email)."""
        self._records.append(record)
        if not self._mail_apart and email is not None:
            self._emails.append(email)

    def refresh_row(self, seq: int, row: Any) -> None:
        """The row to write with a queued event, as the state is now (after its clocks)."""
        for record in self._records:
            if record.event.seq == seq:
                record.row = row

    def pending(self) -> bool:
        return bool(self._records or self._emails or self._mailing)

    def unsent(self) -> list[Notification]:
        """Emails recorded and not yet delivered, the one in flight first: what a run that
        continues as new hands over (its outbox rows exist, so delivering again is safe)."""
        return ([self._mailing] if self._mailing else []) + list(self._emails)

    def hand_over(self, emails: list[Notification]) -> None:
        """Emails a previous run of this workflow had not delivered (with the relay: its
        outbox rows are pending, so the relay sends them)."""
        if not self._relay:
            self._emails.extend(emails)

    async def until_recorded(self, seq: int) -> None:
        await workflow.wait_condition(lambda: self._recorded_seq >= seq)

    async def drain_until(self, done: Any, hand_over: Any = None) -> None:
        """The main loop: run side effects until ``done()`` and every handler has finished.

        With ``hand_over()`` true it returns as soon as every record is written and every
        handler has finished, leaving undelivered emails to ``unsent()`` (continue-as-new):
        a busy mail server never holds a long workflow back."""
        if self._mail_apart and not self._relay:
            asyncio.create_task(self._mail_loop())

        def handing_over() -> bool:
            return hand_over is not None and hand_over() and not self._records

        while True:
            await workflow.wait_condition(lambda: self.pending() or done() or handing_over())
            if self._records:
                await self._write(self._records.popleft())
            elif handing_over() and workflow.all_handlers_finished():
                return
            elif self._emails and not self._mail_apart:
                await self._send_in_line(self._emails.popleft())
            elif self.pending():
                await workflow.wait_condition(lambda: bool(self._records) or not self.pending() or handing_over())
            elif workflow.all_handlers_finished():
                return
            else:
                await workflow.wait_condition(
                    lambda: workflow.all_handlers_finished() or self.pending() or handing_over()
                )

    async def _write(self, record: Any) -> None:
        try:
            options: dict[str, Any] = {
                "start_to_close_timeout": RECORD_TIMEOUT,
                "retry_policy": RECORD_RETRY,
                "summary": f"record {record.event.action}",
            }
            if self._local_records:
                activity_id = f"{LOCAL_RECORD_ID_PREFIX}{record.event.seq}"
                await workflow.execute_local_activity(self._record_activity, record, activity_id=activity_id, **options)
            else:
                await workflow.execute_activity(self._record_activity, record, **options)
        except (ActivityError, ApplicationError) as err:
            # A local activity's failure arrives as the ApplicationError itself, not wrapped.
            # Only a data error ends the retries: the event stays in the workflow's own
            # trail, the incident tells operations, and the case goes on.
            if self.on_incident is None:
                raise
            event = record.event
            again = event.action == RECORD_INCIDENT
            self.on_incident(RECORD_INCIDENT, None if again else record_incident_summary(event.seq, event.action, err))
        self._recorded_seq = record.event.seq
        if self._mail_apart and not self._relay and record.notification is not None:
            self._emails.append(record.notification)

    async def _mail_loop(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._emails))
            notification = self._mailing = self._emails.popleft()
            try:
                await self._deliver(notification)
            finally:
                self._mailing = None

    async def _deliver(self, notification: Notification) -> None:
        try:
            await deliver(notification.idempotency_key, f"email {notification.recipient_role.value}")
        except ActivityError as err:
            await self._give_up(notification, failure_reason(err))

    async def _give_up(self, notification: Notification, reason: str) -> None:
        undeliverable = UndeliverableNotification(
            idempotency_key=notification.idempotency_key,
            case_id=notification.case_id,
            subject=notification.subject,
            reason=reason,
        )
        workflow.logger.warning(
            "notification undeliverable",
            extra={"case_id": notification.case_id, "key": notification.idempotency_key, "reason": reason},
        )
        await workflow.execute_activity(
            MARK_NOTIFICATION_UNDELIVERABLE,
            undeliverable,
            start_to_close_timeout=RECORD_TIMEOUT,
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            summary="email undeliverable",
        )
        try:
            await workflow.start_child_workflow(
                UndeliverableEmailWorkflow.run,
                undeliverable,
                id=undeliverable_workflow_id(notification.idempotency_key),
                parent_close_policy=ParentClosePolicy.ABANDON,
                static_summary=undeliverable_summary(notification.case_id, notification.subject),
            )
        except WorkflowAlreadyStartedError:
            pass  # already waiting for its resend

    async def _send_in_line(self, notification: Notification) -> None:
        """Before MAIL_APART: the email is sent in the records' queue and given up on after a day."""
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
            workflow.logger.warning(
                "notification failed for good",
                extra={"case_id": notification.case_id, "key": notification.idempotency_key, "cause": str(err.cause)},
            )


async def deliver(key: str, summary: str) -> None:
    """Send the queued email with this key (the outbox row holds it), retried for a day."""
    await workflow.execute_activity(
        DELIVER_NOTIFICATION,
        NotificationKey(idempotency_key=key),
        start_to_close_timeout=NOTIFY_TIMEOUT,
        schedule_to_close_timeout=NOTIFY_GIVE_UP_AFTER,
        retry_policy=NOTIFY_RETRY,
        summary=summary,
    )


def record_incident_summary(seq: int, action: str, err: Exception) -> Said:
    if isinstance(err, ActivityError):
        reason = failure_reason(err)
    elif isinstance(err, ApplicationError):
        reason = err.message[:500]
    else:
        reason = f"{type(err).__name__}: {err}"
    return say(
        "Incident: the records database refused event {seq} ({action}) for good ({reason}); "
        "the workflow's own history keeps it, the records miss it",
        seq=seq,
        action=action,
        reason=reason,
    )
