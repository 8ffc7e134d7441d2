"""The worker's mail relay: sends what the records queued in the outbox (#23 point 5).

Since ``mail-relay`` a case or journey no longer runs an activity per email: the record that
queues an email in the outbox table (one transaction with its event) is all the workflow
does. Every worker runs this relay beside its Temporal worker. It claims due rows
(records/outbox.py: one conditional UPDATE, so two relays or an older workflow's
``deliver_notification`` never send one email at the same time), sends them over SMTP and
marks them sent. A failed attempt puts the row back with a growing pause (1 s doubling to
10 minutes, as the activity's retry policy did). An email that no retry can fix (a refused
recipient) or that has not gone out within a day is handed to an
``UndeliverableEmailWorkflow`` (started by the client: operations see it in the UI, and
``resend-email`` ends it) and then marked undeliverable, in that order, so a relay that
dies between the two finds the row again and the start is idempotent.

The records activity hands the relay each email's key once its row is committed, so an
email leaves within moments of its event; the relay also looks every few seconds for due
rows (queued by another worker, a pause that ended, an attempt that died).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.notifications import LEASE, NotificationActivities
from core.names import UndeliverableEmail, undeliverable_summary, undeliverable_workflow_id
from models import clock
from models.records import UndeliverableNotification
from records import outbox
from records.database import aware

log = structlog.get_logger(__name__)

GIVE_UP_AFTER = timedelta(days=1)
FIRST_PAUSE = timedelta(seconds=1)
LONGEST_PAUSE = timedelta(minutes=10)
LOOK_EVERY_SECONDS = 3.0  # for rows another worker queued and pauses that ended
BATCH = 50


def pause_after(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: 1 s, 2 s, 4 s, ... at most 10 minutes."""
    return min(FIRST_PAUSE * 2 ** min(max(attempts - 1, 0), 20), LONGEST_PAUSE)


@dataclass(frozen=True)
class GivenUp:
    row: Any
    token: str
    reason: str


class MailRelay:
    """A thread of its own (SMTP and the database block, and it keeps its SMTP connection):
    fed the keys the records queue, and looking for due rows every few seconds."""

    def __init__(self, notifier: NotificationActivities, engine: Engine, client: Client, task_queue: str) -> None:
        self._notifier = notifier
        self._engine = engine
        self._client = client
        self._task_queue = task_queue
        self._keys: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def queued(self, key: str) -> None:
        """Called by the records activity (any thread) once the email's row is committed."""
        self._keys.put(key)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """``loop`` runs the client: a given-up email is handed to Temporal there."""
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="mail-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Blocking: an attempt under way is finished first."""
        self._stopping.set()
        self._keys.put(None)
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        swept = 0.0
        while not self._stopping.is_set():
            keys: list[str | None] = []
            try:
                keys.append(self._keys.get(timeout=LOOK_EVERY_SECONDS))
                while True:  # the rest of a burst
                    keys.append(self._keys.get_nowait())
            except queue.Empty:
                pass
            try:
                given_up = [email for key in keys if key and (email := self._send_one(key))]
                if time.monotonic() - swept >= LOOK_EVERY_SECONDS:
                    swept = time.monotonic()
                    given_up += self.send_due()
                for email in given_up:
                    self._hand_over(email)
            except Exception as err:  # the database or Temporal is away: look again shortly
                log.warning("mail relay could not go on", error=f"{type(err).__name__}: {str(err)[:300]}")

    def send_due(self) -> list[GivenUp]:
        """Send every due email: queued by another worker, in a pause that ended, or claimed
        by an attempt that died. Returns those given up on, still claimed."""
        given_up: list[GivenUp] = []
        while not self._stopping.is_set():
            keys = outbox.due(self._engine, BATCH)
            for key in keys:
                if self._stopping.is_set():
                    break
                if (email := self._send_one(key)) is not None:
                    given_up.append(email)
            if len(keys) < BATCH:
                break
        return given_up

    def _send_one(self, key: str) -> GivenUp | None:
        claim = outbox.claim(self._engine, key, LEASE, due_only=True)
        if claim.status != "claimed":
            return None  # sent meanwhile, or claimed by another relay or an older workflow's activity
        assert claim.token is not None
        row = claim.row
        with structlog.contextvars.bound_contextvars(notification=key):
            try:
                self._notifier.send_row(row)
            except Exception as err:
                reason = err.message if isinstance(err, ApplicationError) else f"{type(err).__name__}: {err}"
                now = clock.now()
                final = isinstance(err, ApplicationError) and err.non_retryable
                if not final and now - aware(row.created_at) < GIVE_UP_AFTER:
                    outbox.retry_later(self._engine, key, claim.token, reason, now + pause_after(row.attempts))
                    log.info("notification failed, tried again later", attempts=row.attempts, error=reason[:200])
                    return None
                if not final:
                    reason = f"no delivery within the retry window; last error: {reason}"
                return GivenUp(row, claim.token, reason[:500])
            outbox.mark_sent(self._engine, key, claim.token)
            log.info("notification sent", case_id=row.case_id, role=row.recipient_role)
            return None

    def _hand_over(self, email: GivenUp) -> None:
        assert self._loop is not None
        subject = self._notifier.subject_of(email.row)  # opened here, in the relay's thread
        asyncio.run_coroutine_threadsafe(self._start_workflow(email, subject), self._loop).result(timeout=60)
        row = email.row
        outbox.mark_undeliverable(self._engine, row.idempotency_key, email.reason)
        log.warning("notification undeliverable", case_id=row.case_id, notification=row.idempotency_key)

    async def _start_workflow(self, email: GivenUp, subject: str) -> None:
        row = email.row
        undeliverable = UndeliverableNotification(
            idempotency_key=row.idempotency_key, case_id=row.case_id, subject=subject, reason=email.reason
        )
        try:
            await self._client.start_workflow(
                UndeliverableEmail.workflow,
                undeliverable,
                id=undeliverable_workflow_id(row.idempotency_key),
                task_queue=self._task_queue,
                static_summary=undeliverable_summary(row.case_id, subject),
            )
        except WorkflowAlreadyStartedError:
            pass  # waiting for its resend already
        # Any other error (Temporal away) leaves the row claimed: when the lease runs out the
        # relay tries it again, and gives up on it again.
