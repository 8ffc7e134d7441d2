"""The email outbox: one row per notification, claimed for a lease while it is sent.

States: ``pending`` (queued with its event) -> ``sending`` (claimed by one attempt until
``claimed_until``) -> ``sent``; or -> ``undeliverable`` with ``last_error`` once the
sender gives up, from where a resend claims it again. The worker's mail relay (#23 point
5) claims only rows that are ``due``: pending and past their ``next_attempt_at``, or
sending past a lease whose attempt died. A claim is one conditional
UPDATE, so two attempts never send one email at the same time: the second finds the
row claimed and retries after the lease, by when the first has finished or died.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from models import clock
from models.mail import Notification
from records.database import aware
from records.schema import notifications as outbox

PENDING, SENDING, SENT, UNDELIVERABLE = "pending", "sending", "sent", "undeliverable"


def outbox_row(notification: Notification, now: datetime | None = None) -> dict[str, Any]:
    return {
        "idempotency_key": notification.idempotency_key,
        "case_id": notification.case_id,
        "recipient_role": notification.recipient_role.value,
        "advisor": notification.advisor,
        "subject": notification.subject,
        "body": notification.body,
        "status": PENDING,
        "attempts": 0,
        "created_at": now or clock.now(),
    }


@dataclass(frozen=True)
class Claim:
    """What ``claim`` found: the row to send under ``token``, or why not."""

    status: str  # "claimed", or the row's status when it could not be claimed
    token: str | None = None
    row: Any = None
    claimed_until: datetime | None = None


# Built once and executed with parameters: a statement per email cost more CPU than the
# database's work (#23 point 5).
_CLAIM = (
    update(outbox)
    .where(
        outbox.c.idempotency_key == bindparam("key"),
        or_(
            outbox.c.status.in_([PENDING, UNDELIVERABLE]),
            and_(outbox.c.status == SENDING, outbox.c.claimed_until < bindparam("now")),
        ),
    )
    .values(
        status=SENDING,
        claim_token=bindparam("token"),
        claimed_until=bindparam("until"),
        attempts=outbox.c.attempts + 1,
    )
    .returning(*outbox.c)  # the row as claimed: no second statement when the claim succeeds
)
# The relay's claim: the same, but a pending row only once its pause after a failure is over.
_CLAIM_DUE = _CLAIM.where(
    or_(
        outbox.c.status != PENDING,
        outbox.c.next_attempt_at.is_(None),
        outbox.c.next_attempt_at <= bindparam("now"),
    )
)
_DUE = (
    select(outbox.c.idempotency_key)
    .where(
        or_(
            and_(
                outbox.c.status == PENDING,
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= bindparam("now")),
            ),
            and_(outbox.c.status == SENDING, outbox.c.claimed_until < bindparam("now")),
        )
    )
    .order_by(outbox.c.created_at)
    .limit(bindparam("limit"))
)
_ROW = select(outbox).where(outbox.c.idempotency_key == bindparam("key"))
_SENT = (
    update(outbox)
    .where(outbox.c.idempotency_key == bindparam("key"), outbox.c.claim_token == bindparam("token"))
    .values(status=SENT, sent_at=bindparam("sent_at"), last_error=None, claim_token=None, claimed_until=None)
)


def due(engine: Engine, limit: int) -> list[str]:
    """The keys the relay may send now, oldest first."""
    with engine.connect() as conn:
        return list(conn.execute(_DUE, {"now": clock.now(), "limit": limit}).scalars())


def claim(engine: Engine, key: str, lease: timedelta, due_only: bool = False) -> Claim:
    """``due_only``: the relay's claim, which leaves a pending row alone until its next attempt."""
    now = clock.now()
    token = secrets.token_hex(16)
    with engine.begin() as conn:
        claimed = conn.execute(
            _CLAIM_DUE if due_only else _CLAIM, {"key": key, "now": now, "token": token, "until": now + lease}
        ).first()
        if claimed is not None:
            return Claim(status="claimed", token=token, row=claimed)
        row = conn.execute(_ROW, {"key": key}).first()
    if row is None:
        return Claim(status="missing")
    return Claim(status=row.status, row=row, claimed_until=aware(row.claimed_until))


def mark_sent(engine: Engine, key: str, token: str) -> None:
    # Only the attempt holding the claim may settle the row.
    with engine.begin() as conn:
        conn.execute(_SENT, {"key": key, "token": token, "sent_at": clock.now()})


def release(engine: Engine, key: str, token: str, error: str) -> None:
    """A failed attempt gives the row back at once, so the next retry need not wait for the lease."""
    with engine.begin() as conn:
        _finish(conn, key, token, status=PENDING, last_error=error[:2000])


def retry_later(engine: Engine, key: str, token: str, error: str, at: datetime) -> None:
    """The relay's failed attempt: pending again, not to be tried before ``at``."""
    with engine.begin() as conn:
        _finish(conn, key, token, status=PENDING, last_error=error[:2000], next_attempt_at=at)


def mark_undeliverable(engine: Engine, key: str, reason: str) -> bool:
    """Give up on an email (never on one already sent). Returns whether the row changed."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(outbox)
            .where(outbox.c.idempotency_key == key, outbox.c.status != SENT)
            .values(status=UNDELIVERABLE, last_error=reason[:2000], claim_token=None, claimed_until=None)
            .returning(outbox.c.idempotency_key)
        ).first()
    return changed is not None


def undeliverable(engine: Engine, case_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(outbox.c.idempotency_key, outbox.c.subject, outbox.c.recipient_role, outbox.c.last_error)
                .where(outbox.c.case_id == case_id, outbox.c.status == UNDELIVERABLE)
                .order_by(outbox.c.created_at)
            )
        )


def _finish(conn: Connection, key: str, token: str, **values: Any) -> None:
    # Only the attempt holding the claim may settle the row.
    conn.execute(
        update(outbox)
        .where(outbox.c.idempotency_key == key, outbox.c.claim_token == token)
        .values(claim_token=None, claimed_until=None, **values)
    )
