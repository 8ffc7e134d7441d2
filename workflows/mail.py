"""UndeliverableEmailWorkflow: an email given up on, waiting in the UI for its resend.

Started (abandoned, so it outlives its case) by a case's or journey's outbox when an
email could not be delivered. It shows in the operations view "Emails that could not
be delivered" with the reason; ``bin/starter resend-email KEY`` (the ``resend``
Update) tries once more and ends it when the email is out. A resend that fails again
answers with the reason and leaves it waiting.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError, TimeoutError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from core.names import undeliverable_workflow_id
    from models.door import refusals
    from models.records import (
        DELIVER_NOTIFICATION,
        MARK_NOTIFICATION_UNDELIVERABLE,
        EmailResult,
        NotificationKey,
        ResendEmail,
        UndeliverableNotification,
    )
    from models.summaries import BR

__all__ = ["UndeliverableEmailWorkflow", "failure_reason", "undeliverable_workflow_id"]

RESEND_RETRY = RetryPolicy(maximum_attempts=3, non_retryable_error_types=["RecipientRefused", "BadNotification"])


@workflow.defn
class UndeliverableEmailWorkflow:
    @workflow.init
    def __init__(self, email: UndeliverableNotification) -> None:
        self._email = email
        self._sent = False

    @workflow.run
    async def run(self, email: UndeliverableNotification) -> EmailResult:
        workflow.upsert_search_attributes([sa.CASE_ID.value_set(email.case_id), sa.INCIDENT.value_set(True)])
        self._show()
        await workflow.wait_condition(lambda: self._sent and workflow.all_handlers_finished())
        return EmailResult(idempotency_key=email.idempotency_key, outcome="sent")

    def _show(self) -> None:
        e = self._email
        workflow.set_current_details(
            BR.join(
                [
                    f"**Undeliverable email** of case {e.case_id}: {e.subject}",
                    f"**Why:** {e.reason}",
                    f"**Resend:** `bin/starter resend-email '{e.idempotency_key}' --advisor HANDLE`",
                ]
            )
        )

    @workflow.query
    def status(self) -> UndeliverableNotification:
        return self._email

    @workflow.update
    async def resend(self, request: ResendEmail) -> EmailResult:
        key = self._email.idempotency_key
        try:
            await workflow.execute_activity(
                DELIVER_NOTIFICATION,
                NotificationKey(idempotency_key=key),
                start_to_close_timeout=timedelta(seconds=60),
                schedule_to_close_timeout=timedelta(minutes=5),
                retry_policy=RESEND_RETRY,
                summary=f"resend by {request.advisor}",
            )
        except ActivityError as err:
            self._email.reason = failure_reason(err)
            self._show()
            await workflow.execute_activity(
                MARK_NOTIFICATION_UNDELIVERABLE,
                self._email,
                start_to_close_timeout=timedelta(seconds=15),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
                summary="still undeliverable",
            )
            raise ApplicationError(f"still undeliverable: {self._email.reason}", type="Undeliverable") from None
        self._sent = True
        return EmailResult(idempotency_key=key, outcome="sent")

    @resend.validator
    def _validate_resend(self, request: ResendEmail) -> None:
        if found := refusals(request):
            raise ApplicationError("; ".join(map(str, found)), type="Refused", non_retryable=True)
        if self._sent:
            raise ApplicationError("already sent", type="AlreadySent")


def failure_reason(err: ActivityError) -> str:
    """The innermost application error's message: what went wrong, not how it was wrapped."""
    if isinstance(err.cause, TimeoutError):
        last = err.cause.cause
        return f"no delivery within the retry window; last error: {getattr(last, 'message', None) or last}"[:500]
    cause: BaseException | None = err.cause
    while isinstance(cause, FailureError) and not isinstance(cause, ApplicationError) and cause.cause is not None:
        cause = cause.cause
    return (getattr(cause, "message", None) or str(cause or err))[:500]
