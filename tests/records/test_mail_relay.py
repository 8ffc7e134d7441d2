"""The worker's mail relay (#23 point 5): what the records queued goes out once, a failure
waits its pause, and what cannot go out is given up on. Real database (both kinds), real
SMTP server; the hand-over to Temporal is tested with the server (tests/workflows/test_mail.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update

from activities.mail_relay import GIVE_UP_AFTER, LOOK_EVERY_SECONDS, MailRelay, pause_after
from activities.notifications import NotificationActivities, message_id
from core.config import Settings
from models import clock
from models.mail import Notification, RecipientRole
from records.database import migrate
from records.outbox import outbox_row
from records.schema import notifications
from tests.records.test_outbox import queued, row
from tests.support import SmtpRecorder


def relay(engine: Engine, settings: Settings) -> MailRelay:
    # send_due never speaks to Temporal: only a given-up email is handed over (by run()).
    return MailRelay(NotificationActivities(engine, settings), engine, client=None, task_queue="unused")  # type: ignore[arg-type]


def set_row(engine: Engine, key: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(notifications).where(notifications.c.idempotency_key == key).values(**values))


@pytest.mark.parametrize(
    ("attempts", "pause"),
    [(1, timedelta(seconds=1)), (2, timedelta(seconds=2)), (4, timedelta(seconds=8)), (10, timedelta(seconds=512)),
     (11, timedelta(minutes=10)), (500, timedelta(minutes=10))],
)  # fmt: skip
def test_the_pause_after_a_failure_doubles_up_to_ten_minutes(attempts: int, pause: timedelta) -> None:
    assert pause_after(attempts) == pause


def test_a_queued_email_goes_out_once(fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    mail = relay(fresh_engine, settings)
    assert mail.send_due() == []
    assert mail.send_due() == []  # nothing due any more
    assert [m["Message-ID"] for m in recorder.messages] == [message_id(key)]
    assert row(fresh_engine, key)["status"] == "sent"


def test_a_failed_attempt_waits_its_pause_then_goes_out(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    recorder.refuse_next = 1  # 451: try again later
    mail = relay(fresh_engine, settings)
    before = clock.now()
    assert mail.send_due() == []
    stored = row(fresh_engine, key)
    assert (stored["status"], stored["attempts"], stored["claim_token"]) == ("pending", 1, None)
    assert "451" in stored["last_error"]
    retry_at = stored["next_attempt_at"].replace(tzinfo=before.tzinfo)
    assert before + timedelta(seconds=1) <= retry_at <= clock.now() + timedelta(seconds=1)
    assert mail.send_due() == [] and recorder.messages == []  # its pause is not over
    set_row(fresh_engine, key, next_attempt_at=clock.now() - timedelta(seconds=1))
    assert mail.send_due() == []
    assert [m["Message-ID"] for m in recorder.messages] == [message_id(key)]
    assert row(fresh_engine, key)["status"] == "sent"


@pytest.mark.parametrize(
    ("refused", "age", "given_up", "reason"),
    [
        ("recipient", timedelta(0), True, "recipient refused"),  # no retry can fix it
        ("451", GIVE_UP_AFTER - timedelta(hours=1), False, None),  # still within the day
        ("451", GIVE_UP_AFTER + timedelta(minutes=1), True, "no delivery within the retry window; last error:"),
    ],
)
def test_an_email_no_retry_can_send_is_given_up_on(
    fresh_engine: Engine,
    own_smtp: tuple[Settings, SmtpRecorder],
    refused: str,
    age: timedelta,
    given_up: bool,
    reason: str | None,
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    set_row(fresh_engine, key, created_at=clock.now() - age)
    if refused == "recipient":
        recorder.refuse_recipients = True
    else:
        recorder.refuse_next = 1
    found = relay(fresh_engine, settings).send_due()
    assert recorder.messages == []
    if not given_up:
        assert found == [] and row(fresh_engine, key)["status"] == "pending"
        return
    (email,) = found
    assert email.row.idempotency_key == key and email.reason.startswith(reason or "")
    # Still claimed while it is handed to Temporal: no other relay takes it meanwhile.
    assert row(fresh_engine, key)["status"] == "sending"
    assert relay(fresh_engine, settings).send_due() == []


def test_an_attempt_that_died_mid_send_is_taken_up_when_its_lease_ends(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    set_row(fresh_engine, key, status="sending", claim_token="dead", claimed_until=clock.now() + timedelta(seconds=60))
    mail = relay(fresh_engine, settings)
    assert mail.send_due() == [] and recorder.messages == []
    set_row(fresh_engine, key, claimed_until=clock.now() - timedelta(seconds=1))
    assert mail.send_due() == []
    assert [m["Message-ID"] for m in recorder.messages] == [message_id(key)]


def test_two_relays_never_send_one_email_twice(fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]) -> None:
    settings, recorder = own_smtp
    recorder.delay_seconds = 1.0  # the first relay is still sending when the second looks
    keys = [queued(fresh_engine, seq) for seq in (3, 4)]
    relays = [relay(fresh_engine, settings), relay(fresh_engine, settings)]
    threads = [threading.Thread(target=r.send_due) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["Message-ID"] for m in recorder.messages) == sorted(message_id(k) for k in keys)
    assert {row(fresh_engine, k)["status"] for k in keys} == {"sent"}


def test_the_relay_thread_sends_a_handed_key_at_once_and_stops_cleanly(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    settings, recorder = own_smtp
    key = queued(fresh_engine)
    mail = relay(fresh_engine, settings)
    loop = asyncio.new_event_loop()  # only a given-up email needs it running
    try:
        mail.start(loop)
        started = time.monotonic()
        mail.queued(key)
        while not recorder.messages and time.monotonic() - started < 10:
            time.sleep(0.02)
        # Handed over, not found by the look every few seconds.
        assert time.monotonic() - started < LOOK_EVERY_SECONDS
        mail.stop()
    finally:
        loop.close()
    assert [m["Message-ID"] for m in recorder.messages] == [message_id(key)]
    assert row(fresh_engine, key)["status"] == "sent"


def test_an_undeliverable_email_holds_up_no_other(
    fresh_engine: Engine, own_smtp: tuple[Settings, SmtpRecorder]
) -> None:
    """#26 point 4: the first email of a case cannot go out (its mailbox is gone), the later
    ones go out in the same pass, and the first keeps its row for resend-email."""
    settings, recorder = own_smtp
    migrate(fresh_engine)
    keys = []
    for seq, advisor in ((3, "gone.away"), (4, "m.koch"), (5, "m.koch")):
        email = Notification(
            idempotency_key=f"WC-0000000042/{seq}/advisor", case_id="WC-0000000042",
            recipient_role=RecipientRole.ADVISOR, advisor=advisor, subject=f"Step {seq}", body="...",
        )  # fmt: skip
        with fresh_engine.begin() as conn:
            conn.execute(insert(notifications).values(**outbox_row(email, clock.now() + timedelta(seconds=seq))))
        keys.append(email.idempotency_key)
    recorder.refused_addresses = {f"gone.away@{settings.staff_email_domain}"}
    (given_up,) = relay(fresh_engine, settings).send_due()
    assert given_up.row.idempotency_key == keys[0] and "recipient refused" in given_up.reason
    assert sorted(m["Message-ID"] for m in recorder.messages) == sorted(message_id(k) for k in keys[1:])
