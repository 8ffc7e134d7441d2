"""The email outbox against each database: queued with its event, claimed for a lease,
never sent twice at the same time, given up on with a reason and re-sent from there."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select
from temporalio.exceptions import ApplicationError

from activities.notifications import NotificationActivities, message_id
from activities.records import CaseRecordActivities
from core.config import Settings
from models.mail import Notification, RecipientRole
from models.records import CaseRow, CaseTransitionRecord, NotificationKey, UndeliverableNotification
from records import outbox
from records.database import migrate
from records.schema import notifications
from tests.records.test_record_activities import case_record
from tests.support import SmtpRecorder


def queued(engine: Engine, seq: int = 3) -> str:
    """Record an event the way a workflow does since #12: its row and its email in one go."""
    legacy = case_record(seq, "journeys")  # type: ignore[arg-type]
    assert legacy.case is not None
    key = f"WC-0000000042/{seq}/advisor/{engine.dialect.name}"
    record = CaseTransitionRecord(
        event=legacy.event,
        row=CaseRow.model_validate(legacy.case.summary_fields()),
        notification=Notification(
            idempotency_key=key, case_id="WC-0000000042", recipient_role=RecipientRole.ADVISOR,
            advisor="m.koch", subject="[WC-0000000042] Visa issued", body="Visa issued on 2026-11-20",
        ),
    )  # fmt: skip
    migrate(engine)
    CaseRecordActivities(engine).record_case_transition(record)
    CaseRecordActivities(engine).record_case_transition(record)  # at least once: queued once
    return key


def row(engine: Engine, key: str) -> dict:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return dict(conn.execute(select(notifications).where(notifications.c.idempotency_key == key)).one()._mapping)


def test_the_record_queues_its_email_and_delivery_sends_it_once(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    assert row(fresh_engine, key)["status"] == "pending"
    notifier = NotificationActivities(fresh_engine, settings)
    assert notifier.deliver_notification(NotificationKey(idempotency_key=key)) is True
    assert notifier.deliver_notification(NotificationKey(idempotency_key=key)) is False
    assert [m["Message-ID"] for m in recorder.messages] == [message_id(key)]
    assert recorder.messages[0]["To"] == "m.koch@region-hannover.example"
    assert row(fresh_engine, key)["status"] == "sent"


def test_a_slow_mail_server_never_sees_two_concurrent_sends(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    recorder.delay_seconds = 1.5  # the first attempt is still sending when the second starts
    key = queued(fresh_engine)
    notifier = NotificationActivities(fresh_engine, settings)
    results: list[object] = []

    def attempt() -> None:
        try:
            results.append(notifier.deliver_notification(NotificationKey(idempotency_key=key)))
        except ApplicationError as err:
            results.append(err.type)
            # Retried when the lease ends, not on the ordinary back-off.
            assert err.next_retry_delay is not None and 85 <= err.next_retry_delay.total_seconds() <= 92

    first = threading.Thread(target=attempt)
    first.start()
    # The second attempt starts once the first has claimed the row.
    for _ in range(100):
        if row(fresh_engine, key)["status"] == "sending":
            break
        threading.Event().wait(0.02)
    attempt()
    first.join()
    assert sorted(map(str, results)) == ["NotificationClaimed", "True"]
    assert len(recorder.messages) == 1
    assert row(fresh_engine, key)["status"] == "sent"


def test_a_failed_attempt_releases_its_claim_and_keeps_the_reason(fresh_engine: Engine) -> None:
    key = queued(fresh_engine)
    dead = Settings(smtp_host="127.0.0.1", smtp_port=9, smtp_timeout_seconds=2, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(OSError):
        NotificationActivities(fresh_engine, dead).deliver_notification(NotificationKey(idempotency_key=key))
    stored = row(fresh_engine, key)
    assert (stored["status"], stored["attempts"], stored["claim_token"]) == ("pending", 1, None)
    assert "ConnectionRefusedError" in stored["last_error"]


def test_undeliverable_is_marked_with_its_reason_and_a_resend_claims_it_again(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    notifier = NotificationActivities(fresh_engine, settings)
    recorder.refuse_recipients = True
    with pytest.raises(ApplicationError) as refused:
        notifier.deliver_notification(NotificationKey(idempotency_key=key))
    assert refused.value.type == "RecipientRefused" and refused.value.non_retryable
    gave_up = UndeliverableNotification(
        idempotency_key=key, case_id="WC-0000000042", subject="s", reason=refused.value.message
    )
    assert notifier.mark_notification_undeliverable(gave_up) is True
    assert [dict(r._mapping)["idempotency_key"] for r in outbox.undeliverable(fresh_engine, "WC-0000000042")] == [key]
    assert "recipient refused" in row(fresh_engine, key)["last_error"]

    recorder.refuse_recipients = False
    assert notifier.deliver_notification(NotificationKey(idempotency_key=key)) is True
    assert row(fresh_engine, key)["status"] == "sent"
    assert outbox.undeliverable(fresh_engine, "WC-0000000042") == []
    # A late give-up never marks a sent email undeliverable.
    assert notifier.mark_notification_undeliverable(gave_up) is False
    assert len(recorder.messages) == 1


def test_values_the_database_refuses_are_a_non_retryable_data_error(fresh_engine: Engine) -> None:
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores NUL characters and over-long strings; PostgreSQL refuses them")
    migrate(fresh_engine)
    record = case_record(1, "consultation")  # type: ignore[arg-type]
    record.event.summary = "poison \x00 text"  # got past every validator: the database is the last door
    with pytest.raises(ApplicationError) as refused:
        CaseRecordActivities(fresh_engine).record_case_transition(record)
    assert refused.value.type == "DataError" and refused.value.non_retryable
