"""Status writes to the case records database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.exc import DataError, IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.email_text import written
from core.i18n import Text
from core.sealed import Sealer
from models.case import CaseEvent
from models.journey import JourneyEvent
from models.mail import Notification, again_key
from models.records import (
    RECORD_CASE_TRANSITION,
    RECORD_JOURNEY_TRANSITION,
    CaseTransitionRecord,
    JourneyTransitionRecord,
)
from records.database import insert_if_new, upsert_newer
from records.outbox import outbox_row
from records.schema import case_events, cases, journey_events, journeys, notifications

log = structlog.get_logger(__name__)


class CaseRecordActivities:
    def __init__(
        self,
        engine: Engine,
        text: Text | None = None,
        email_queued: Callable[[str], None] | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        self._engine = engine
        self._sealer = sealer or Sealer(None)
        self._text = text or Text()  # the office's language: the emails are written here (#16)
        self._email_queued = email_queued  # the worker's mail relay sends it (activities/mail_relay.py)

    @activity.defn(name=RECORD_CASE_TRANSITION)
    def record_case_transition(self, record: CaseTransitionRecord) -> bool:
        """Write one event and the case snapshot after it, in one transaction.

        Idempotent: the event is unique per (case, seq) and the snapshot only moves
        forward, so a retry or a late duplicate writes nothing new. Returns whether
        the event was new.
        """
        row = record.snapshot()
        with structlog.contextvars.bound_contextvars(case_id=row["case_id"], seq=record.event.seq):
            inserted = self._write(
                case_events,
                {"case_id": row["case_id"]},
                record.event,
                cases,
                row,
                "case_id",
                record.notification,
            )
            log.info("case event recorded", action=record.event.action, new=inserted)
            return inserted

    @activity.defn(name=RECORD_JOURNEY_TRANSITION)
    def record_journey_transition(self, record: JourneyTransitionRecord) -> bool:
        """Write one journey event and the journey snapshot after it; idempotent like
        ``record_case_transition``."""
        row = record.snapshot()
        with structlog.contextvars.bound_contextvars(
            case_id=row["case_id"], journey=row["number"], seq=record.event.seq
        ):
            inserted = self._write(
                journey_events,
                {"journey_id": row["journey_id"], "case_id": row["case_id"]},
                record.event,
                journeys,
                row,
                "journey_id",
                record.notification,
            )
            log.info("journey event recorded", action=record.event.action, new=inserted)
            return inserted

    def _write(
        self,
        events: Table,
        event_keys: dict[str, Any],
        event: CaseEvent | JourneyEvent,
        snapshots: Table,
        snapshot: dict[str, Any],
        snapshot_key: str,
        notification: Notification | None,
    ) -> bool:
        case_id = snapshot["case_id"]
        event_row = {
            **event_keys,
            "seq": event.seq,
            "occurred_at": event.occurred_at,
            "action": event.action,
            "advisor": event.advisor,
            "from_stage": event.from_stage.value if event.from_stage else None,
            "to_stage": event.to_stage.value,
            "summary": event.summary,
            "note": event.note,
        }
        row = {**snapshot, "last_event_seq": event.seq}
        if snapshots is cases:
            row["employer_pseudonym"] = self._sealer.pseudonym("employer", snapshot["employer_name"])
        else:  # the distinct people among the candidates, also once erased (#26 point 1)
            row["candidate_pseudonym"] = self._sealer.pseudonym("candidate", snapshot["candidate_ref"])
        email = written(notification, event, self._text) if notification is not None else None
        # Sealed before the transaction: a case's key is made (or read) outside it.
        event_row = self._sealer.seal_row(events.name, case_id, event_row)
        row = self._sealer.seal_row(snapshots.name, case_id, row)
        queued = self._sealer.seal_row(notifications.name, case_id, outbox_row(email)) if email is not None else None
        key = email.idempotency_key if email is not None else None
        with refused_for_good(event.action), self._engine.begin() as conn:
            inserted = conn.execute(insert_if_new(self._engine, events), event_row).first()
            conn.execute(
                upsert_newer(self._engine, snapshots, list(row), key=snapshot_key, version="last_event_seq"), row
            )
            if queued is not None and email is not None:
                # Queued with its event: the email exists exactly when the event does.
                new = conn.execute(insert_if_new(self._engine, notifications), queued).first()
                if new is None and inserted is not None:
                    key = self._written_again(conn, case_id, email, queued)
        if key is not None and self._email_queued is not None:
            self._email_queued(key)  # after the commit: the relay finds the row
        return inserted is not None

    def _written_again(self, conn: Connection, case_id: str, email: Notification, queued: dict[str, Any]) -> str | None:
        """The event is new but its email's key is taken: a repair (starter/repair.py) took
        the event back and the reset run wrote it again, after its email had gone out. The
        same email is not sent twice; one whose content differs goes out under a key of its
        own (``<key>/r2``, ``/r3``, ...), never suppressed (#26 point 6). Returns the key to
        send, or None."""
        for n in itertools.count(1):
            key = email.idempotency_key if n == 1 else again_key(email.idempotency_key, n)
            found = conn.execute(
                select(notifications.c.subject, notifications.c.body).where(notifications.c.idempotency_key == key)
            ).first()
            if found is None:
                conn.execute(insert_if_new(self._engine, notifications), {**queued, "idempotency_key": key})
                log.info("email written again with new content", notification=key)
                return key
            subject = self._sealer.open(case_id, "notifications.subject", found.subject)
            body = self._sealer.open(case_id, "notifications.body", found.body)
            if (subject, body) == (email.subject, email.body):
                return None  # that email, as it is now, exists already
        raise AssertionError("unreachable")


@contextmanager
def refused_for_good(action: str) -> Iterator[None]:
    """Values the database refuses (a NUL, a string too long): retrying cannot help. The
    workflow turns the non-retryable DataError into an incident (audit entry, operations
    email, Incident attribute); every other error is retried until the database is back."""
    try:
        yield
    except (DataError, IntegrityError) as err:
        log.error("records refused the event", error=type(err.orig).__name__, action=action)
        raise ApplicationError(
            f"the records database refused the values: {type(err.orig).__name__}: {str(err.orig)[:300]}",
            type="DataError",
            non_retryable=True,
        ) from None
