"""Email notifications over SMTP, from the outbox table, at least once and never twice at a time.

The record activity queues each email in the ``notifications`` table with its event;
``deliver_notification`` claims the row for a lease (records/outbox.py), sends it and
marks it sent. A key marked ``sent`` is never sent again; a row claimed by another
attempt is left alone (that attempt is retried after the lease). The Message-ID is
derived from the key, so in the one window left (the worker dies after the SMTP server
accepted the mail and before the row is marked) a receiving system can still
recognise the duplicate.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.email_text import one_line
from core.config import Settings
from core.sealed import Sealer
from models import clock
from models.mail import Notification, RecipientRole
from models.records import (
    DELIVER_NOTIFICATION,
    MARK_NOTIFICATION_UNDELIVERABLE,
    SEND_NOTIFICATION,
    NotificationKey,
    UndeliverableNotification,
)
from records import outbox
from records.database import insert_ignoring_duplicates
from records.schema import notifications

log = structlog.get_logger(__name__)

# Longer than an attempt can last (the workflow's start-to-close timeout of 60 s): when
# the lease ends, the attempt that held it has finished or its worker is gone. The next
# attempt is retried right then (next_retry_delay), so a worker killed mid-send delays
# an email by about this long.
LEASE = timedelta(seconds=90)


# A connection is kept this long after an email: well inside the idle timeouts of mail
# servers (Postfix 300 s, RFC 5321 at least 5 minutes), so a kept connection is rarely stale.
KEEP_CONNECTION_SECONDS = 30.0
_HOSTNAME = socket.getfqdn()  # smtplib looks it up (DNS) on every connection otherwise
_ON_THE_WIRE = compat32.clone(linesep="\r\n")
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in the raw message, as the email package's default did


@dataclass(frozen=True)
class Opened:
    """An outbox row's email, its subject and body opened (core/sealed.py)."""

    subject: str
    body: str
    idempotency_key: str
    case_id: str


def _message(sender: str, recipient: str, row: Opened) -> bytes:
    """The email as bytes: MIMEText with the compat32 policy writes the same headers as
    EmailMessage for a quarter of its CPU (its header registry parses every header)."""
    message = MIMEText(row.body, "plain", _UTF8)  # type: ignore[arg-type]  # set_payload takes a Charset
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = encoded_words(one_line(row.subject))  # also rows queued before subjects were folded
    message["Message-ID"] = message_id(row.idempotency_key)
    message["X-Case-Id"] = row.case_id
    return message.as_bytes(policy=_ON_THE_WIRE)  # sendmail sends bytes as they are


def encoded_words(text: str) -> str:
    """The header as the email package's default policy writes it: only the words outside
    ASCII become RFC 2047 encoded-words (neighbouring ones together, since the space
    between two encoded-words is dropped when they are decoded); the rest stays readable."""
    out: list[str] = []
    run: list[str] = []  # non-ASCII words and the spaces between them

    def flush() -> None:
        trailing: list[str] = []
        while run and run[-1].isspace():
            trailing.insert(0, run.pop())
        if run:
            out.append(Header("".join(run), "utf-8").encode())
        out.extend(trailing)
        run.clear()

    for token in re.split(r"(\s+)", text):
        if not token.isascii() or (run and token.isspace()):
            run.append(token)
        else:
            flush()
            out.append(token)
    flush()
    return "".join(out)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@welcome-center.cases>"


class NotificationActivities:
    def __init__(self, engine: Engine, settings: Settings, sealer: Sealer | None = None) -> None:
        self._engine = engine
        self._settings = settings
        self._sealer = sealer or Sealer(None)  # subjects and bodies are sealed at rest (#26 point 1)
        self._connections = threading.local()  # each activity thread keeps its own SMTP connection

    def recipient(self, role: str, advisor: str | None) -> str:
        s = self._settings
        if role == RecipientRole.ADVISOR:
            if not advisor:
                raise ApplicationError(
                    "advisor: missing for an advisor notification", type="BadNotification", non_retryable=True
                )
            return f"{advisor}@{s.staff_email_domain}"
        if role == RecipientRole.TEAM_LEAD:
            return s.team_lead_email
        return s.operations_email

    @activity.defn(name=DELIVER_NOTIFICATION)
    def deliver_notification(self, notification: NotificationKey) -> bool:
        """Send the queued email unless it was sent before. Returns whether it sent now."""
        key = notification.idempotency_key
        with structlog.contextvars.bound_contextvars(notification=key):
            claim = outbox.claim(self._engine, key, LEASE)
            if claim.status == outbox.SENT:
                log.info("notification already sent, skipped")
                return False
            if claim.status == "missing":
                raise ApplicationError(
                    f"notification {key}: not in the outbox", type="BadNotification", non_retryable=True
                )
            if claim.status != "claimed":
                # Another attempt is sending it right now (a slow SMTP server), or its worker
                # died while sending: never send beside it; try again when its lease ends.
                remaining = (claim.claimed_until or clock.now()) - clock.now()
                raise ApplicationError(
                    f"notification {key}: being sent by another attempt until {claim.claimed_until}",
                    type="NotificationClaimed",
                    next_retry_delay=max(remaining, timedelta(0)) + timedelta(seconds=1),
                )
            assert claim.token is not None
            try:
                self.send_row(claim.row)
            except Exception as err:
                outbox.release(self._engine, key, claim.token, f"{type(err).__name__}: {err}")
                raise
            outbox.mark_sent(self._engine, key, claim.token)
            log.info("notification sent", case_id=claim.row.case_id, role=claim.row.recipient_role)
            return True

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, notification: Notification) -> bool:
        """Scheduled by histories from before #12: queue the email here, then deliver it."""
        # Sealed at rest like every queued email (#26 point 1), before the transaction.
        row = self._sealer.seal_row(notifications.name, notification.case_id, outbox.outbox_row(notification))
        with self._engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(self._engine, notifications).values(**row))
        return self.deliver_notification(NotificationKey(idempotency_key=notification.idempotency_key))

    @activity.defn(name=MARK_NOTIFICATION_UNDELIVERABLE)
    def mark_notification_undeliverable(self, notification: UndeliverableNotification) -> bool:
        changed = outbox.mark_undeliverable(self._engine, notification.idempotency_key, notification.reason)
        log.warning(
            "notification undeliverable",
            case_id=notification.case_id,
            notification=notification.idempotency_key,
            reason=notification.reason,
            changed=changed,
        )
        return changed

    def _connect(self) -> smtplib.SMTP:
        """Plain only when no TLS is configured (a local relay or sink); TLS always verifies
        the relay's certificate and name (with the office's CA when smtp_ca_file is set)."""
        s = self._settings
        context = None
        if s.smtp_starttls or s.smtp_ssl:
            context = ssl.create_default_context(cafile=str(s.smtp_ca_file) if s.smtp_ca_file else None)
        host, port, timeout = s.smtp_host, s.smtp_port, s.smtp_timeout_seconds
        smtp: smtplib.SMTP
        if s.smtp_ssl:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context, local_hostname=_HOSTNAME)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout, local_hostname=_HOSTNAME)
        try:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=context)
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value() if s.smtp_password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send(self, sender: str, recipient: str, message: bytes) -> None:
        """Over this thread's connection while it is fresh (connecting, greeting and TLS
        cost more than the email); a kept connection the server has closed meanwhile is
        replaced once. Any other failure closes it: the next attempt starts clean."""
        kept: smtplib.SMTP | None = getattr(self._connections, "smtp", None)
        if kept is not None and time.monotonic() - self._connections.used > KEEP_CONNECTION_SECONDS:
            _close(kept)
            kept = None
        smtp = kept or self._connect()
        self._connections.smtp = None
        try:
            try:
                smtp.sendmail(sender, [recipient], message)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                if kept is None:
                    raise
                # Closed by the server while kept. Had it accepted the email first, the
                # receiving side recognises the second copy by its Message-ID.
                _close(smtp)
                smtp = self._connect()
                smtp.sendmail(sender, [recipient], message)
        except BaseException:
            _close(smtp)
            raise
        self._connections.smtp, self._connections.used = smtp, time.monotonic()

    def subject_of(self, row: Any) -> str:
        return self._sealer.open(row.case_id, "notifications.subject", row.subject) or ""

    def send_row(self, row: Any) -> None:
        """Send an outbox row (the caller holds its claim); non-retryable errors say so."""
        s = self._settings
        if row.body is None:
            raise ApplicationError(
                f"notification {row.idempotency_key}: queued without a body", type="BadNotification", non_retryable=True
            )
        recipient = self.recipient(row.recipient_role, row.advisor)
        opened = Opened(
            subject=self.subject_of(row),
            body=self._sealer.open(row.case_id, "notifications.body", row.body) or "",
            idempotency_key=row.idempotency_key,
            case_id=row.case_id,
        )
        try:
            self._send(s.smtp_sender, recipient, _message(s.smtp_sender, recipient, opened))
        except smtplib.SMTPRecipientsRefused as err:
            # A wrong address does not heal by retrying.
            raise ApplicationError(
                f"recipient refused by the mail server: {sorted(err.recipients)}",
                type="RecipientRefused",
                non_retryable=True,
            ) from err
