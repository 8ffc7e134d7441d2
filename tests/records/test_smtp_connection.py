"""Emails go out over a kept SMTP connection (#23 point 5: connecting, greeting and
closing cost more CPU than the email), and a kept connection the mail server has closed
meanwhile is replaced without losing the email."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, update

from activities import notifications
from activities.notifications import NotificationActivities
from core.config import Settings
from models.records import NotificationKey
from records.schema import notifications as notifications_table
from tests.records.test_outbox import queued, row
from tests.support import SmtpRecorder, free_port

SUBJECT = "[WC-0000000042] Vorabzustimmung beantragt – Prüfung läuft"


@pytest.fixture
def mail_server() -> Iterator[tuple[Settings, SmtpRecorder, Controller]]:
    recorder, port = SmtpRecorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield Settings(smtp_host="127.0.0.1", smtp_port=port, _env_file=None), recorder, controller  # type: ignore[call-arg]
    if controller._thread is not None:  # a test may have stopped it (a restarting server)
        controller.stop()


def test_a_long_email_goes_out_with_its_lines_as_smtp_wants_them(
    fresh_engine: Engine, mail_server: tuple[Settings, SmtpRecorder, Controller]
) -> None:
    settings, recorder, _server = mail_server
    key = queued(fresh_engine, 3)
    body = "\n".join(f"Offene Unterlage {n}: Nachweis über die Prüfung" for n in range(100))  # far over 1,000 bytes
    with fresh_engine.begin() as conn:
        conn.execute(update(notifications_table).where(notifications_table.c.idempotency_key == key).values(body=body))
    assert NotificationActivities(fresh_engine, settings).deliver_notification(NotificationKey(idempotency_key=key))
    (message,) = recorder.messages
    sent = message.get_payload(decode=True)
    assert isinstance(sent, bytes) and sent.decode().replace("\r\n", "\n").rstrip("\n") == body


def test_emails_in_a_row_share_one_connection(
    fresh_engine: Engine, mail_server: tuple[Settings, SmtpRecorder, Controller]
) -> None:
    settings, recorder, _server = mail_server
    keys = [queued(fresh_engine, seq) for seq in (3, 4, 5)]
    notifier = NotificationActivities(fresh_engine, settings)
    for key in keys:
        assert notifier.deliver_notification(NotificationKey(idempotency_key=key)) is True
    assert len(recorder.messages) == 3
    assert len(set(recorder.peers)) == 1, recorder.peers


def test_a_connection_idle_too_long_is_not_reused(
    fresh_engine: Engine, mail_server: tuple[Settings, SmtpRecorder, Controller], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, recorder, _server = mail_server
    first, second = queued(fresh_engine, 3), queued(fresh_engine, 4)
    notifier = NotificationActivities(fresh_engine, settings)
    notifier.deliver_notification(NotificationKey(idempotency_key=first))
    monkeypatch.setattr(notifications, "KEEP_CONNECTION_SECONDS", -1.0)  # every connection has idled too long
    notifier.deliver_notification(NotificationKey(idempotency_key=second))
    assert len(recorder.messages) == 2
    assert len(set(recorder.peers)) == 2


def test_a_kept_connection_closed_by_the_server_is_replaced_and_the_email_goes_out(
    fresh_engine: Engine, mail_server: tuple[Settings, SmtpRecorder, Controller]
) -> None:
    settings, recorder, server = mail_server
    first, second = queued(fresh_engine, 3), queued(fresh_engine, 4)
    notifier = NotificationActivities(fresh_engine, settings)
    notifier.deliver_notification(NotificationKey(idempotency_key=first))
    # The mail server restarts: the kept connection is dead, the server is back.
    server.stop()
    restarted = SmtpRecorder()
    again = Controller(restarted, hostname="127.0.0.1", port=settings.smtp_port)
    again.start()
    try:
        assert notifier.deliver_notification(NotificationKey(idempotency_key=second)) is True
    finally:
        again.stop()
    assert len(recorder.messages) == 1
    assert len(restarted.messages) == 1
    assert row(fresh_engine, second)["status"] == "sent"


@pytest.mark.parametrize(
    ("subject", "readable"),
    [
        (SUBJECT, "[WC-0000000042] Vorabzustimmung beantragt"),
        ("[WC-1] BA consent deemed given: no answer by 2027-01-12 (§36(2) BeschV)", "deemed given: no answer"),
        ("[WC-1] " + " ".join(["Prüfung läuft"] * 12), "[WC-1]"),  # a long run, folded
        ("Visa issued", "Visa issued"),
    ],
)
def test_only_the_words_outside_ascii_are_encoded(subject: str, readable: str) -> None:
    header = notifications.encoded_words(subject)
    assert header.isascii() and readable in header
    assert str(make_header(decode_header(header))) == subject


def test_a_german_subject_arrives_encoded_and_reads_back_the_same() -> None:
    Row = notifications.Opened(
        body="Guten Tag,\n\nÄnderung über die Prüfung.", subject=SUBJECT, idempotency_key="k", case_id="WC-0000000042"
    )

    from email import message_from_bytes

    raw = notifications._message("welcome-center@region-hannover.example", "m.koch@region-hannover.example", Row)
    assert raw.isascii()  # 7-bit on the wire: RFC 2047 subject, quoted-printable body
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF, as SMTP wants
    message = message_from_bytes(raw)
    assert str(make_header(decode_header(str(message["Subject"])))) == SUBJECT
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes) and body.decode().replace("\r\n", "\n") == Row.body
    assert message["Message-ID"] == notifications.message_id("k") and message["X-Case-Id"] == "WC-0000000042"


def test_a_subject_with_line_breaks_from_data_goes_out_on_one_line() -> None:
    # #26 point 4: a reason's note with a line break reached the subject; Python refused the
    # header and the email was lost for good.
    Row = notifications.Opened(
        body="Text",
        subject="[WC-0000000042] Zurückgezogen: Familie\r\nBcc: someone@example.org\nzweite Zeile",
        idempotency_key="k2",
        case_id="WC-0000000042",
    )

    from email import message_from_bytes

    raw = notifications._message("welcome-center@region-hannover.example", "m.koch@region-hannover.example", Row)
    message = message_from_bytes(raw)
    assert message["Bcc"] is None  # no header smuggled in
    subject = str(make_header(decode_header(str(message["Subject"]))))
    assert subject == "[WC-0000000042] Zurückgezogen: Familie Bcc: someone@example.org zweite Zeile"
