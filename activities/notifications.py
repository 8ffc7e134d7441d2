"""Email notifications over SMTP, sent at most once per idempotency key.

The ``notifications`` table is an outbox: a key already marked ``sent`` is never
sent again. The Message-ID is derived from the key, so in the one narrow window
left (the worker dies after the SMTP server accepted the mail and before the row
is marked) a receiving system can still recognise the duplicate.
"""

from __future__ import annotations

import hashlib
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage

import structlog
from sqlalchemy import Engine, select, update
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from models.records import SEND_NOTIFICATION, Notification, RecipientRole
from records.database import insert_ignoring_duplicates
from records.schema import notifications

log = structlog.get_logger(__name__)


class NotificationActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    def recipient(self, notification: Notification) -> str:
        s = self._settings
        if notification.recipient_role is RecipientRole.ADVISOR:
            if not notification.advisor:
                raise ApplicationError("advisor: missing for an advisor notification", non_retryable=True)
            return f"{notification.advisor}@{s.staff_email_domain}"
        if notification.recipient_role is RecipientRole.TEAM_LEAD:
            return s.team_lead_email
        return s.operations_email

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, notification: Notification) -> bool:
        """Send the email unless this key was sent before. Returns whether it sent now."""
        key = notification.idempotency_key
        with structlog.contextvars.bound_contextvars(
            case_id=notification.case_id, notification=key, role=notification.recipient_role.value
        ):
            with self._engine.begin() as conn:
                conn.execute(
                    insert_ignoring_duplicates(self._engine, notifications).values(
                        idempotency_key=key,
                        case_id=notification.case_id,
                        recipient_role=notification.recipient_role.value,
                        subject=notification.subject,
                        status="pending",
                        attempts=0,
                        created_at=datetime.now(UTC),
                    )
                )
                status = conn.execute(
                    select(notifications.c.status).where(notifications.c.idempotency_key == key)
                ).scalar_one()
                conn.execute(
                    update(notifications)
                    .where(notifications.c.idempotency_key == key)
                    .values(attempts=notifications.c.attempts + 1)
                )
            if status == "sent":
                log.info("notification already sent, skipped")
                return False

            self._deliver(notification)

            with self._engine.begin() as conn:
                conn.execute(
                    update(notifications)
                    .where(notifications.c.idempotency_key == key)
                    .values(status="sent", sent_at=datetime.now(UTC))
                )
            log.info("notification sent")
            return True

    def _deliver(self, notification: Notification) -> None:
        s = self._settings
        message = EmailMessage()
        message["From"] = s.smtp_sender
        message["To"] = self.recipient(notification)
        message["Subject"] = notification.subject
        digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<{digest}@welcome-center.cases>"
        message["X-Case-Id"] = notification.case_id
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as err:
            # A wrong address does not heal by retrying.
            raise ApplicationError(
                f"recipient refused by the mail server: {sorted(err.recipients)}",
                type="RecipientRefused",
                non_retryable=True,
            ) from err
