"""Mail goes to the relay over TLS with the certificate verified (#13 point 6): a local
TLS SMTP server with a certificate from a throwaway CA."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from activities.notifications import NotificationActivities
from core.config import Settings
from models.records import NotificationKey
from records.database import create_records_engine
from tests.records.test_outbox import queued
from tests.support import SmtpRecorder, free_port


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA, and a server certificate it signed for localhost / 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)  # real clock: OpenSSL checks the certificate against it
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Welcome Center test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def tls_relay(tmp_path: Path) -> Iterator[tuple[int, Path, SmtpRecorder]]:
    """An SMTP server that offers STARTTLS and takes no mail without it."""
    ca, cert, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True, ready_timeout=10
    )
    controller.start()
    yield port, ca, recorder
    controller.stop()


def _notifier(tmp_path: Path, **smtp: Any) -> tuple[NotificationActivities, str]:
    engine = create_records_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    key = queued(engine)
    settings = Settings.model_validate({"smtp_host": "localhost", **smtp})
    return NotificationActivities(engine, settings), key


def test_starttls_with_the_relays_ca_delivers(tls_relay: tuple[int, Path, SmtpRecorder], tmp_path: Path) -> None:
    port, ca, recorder = tls_relay
    notifier, key = _notifier(tmp_path, smtp_port=port, smtp_starttls=True, smtp_ca_file=ca)
    assert notifier.deliver_notification(NotificationKey(idempotency_key=key)) is True
    assert len(recorder.messages) == 1


def test_a_certificate_that_does_not_verify_delivers_nothing(
    tls_relay: tuple[int, Path, SmtpRecorder], tmp_path: Path
) -> None:
    port, _ca, recorder = tls_relay
    notifier, key = _notifier(tmp_path, smtp_port=port, smtp_starttls=True)  # the system's CAs only
    with pytest.raises(ssl.SSLCertVerificationError):
        notifier.deliver_notification(NotificationKey(idempotency_key=key))
    assert recorder.messages == []


def test_the_relay_takes_no_mail_in_the_clear_when_it_requires_tls(
    tls_relay: tuple[int, Path, SmtpRecorder], tmp_path: Path
) -> None:
    port, _ca, recorder = tls_relay
    notifier, key = _notifier(tmp_path, smtp_port=port)
    with pytest.raises(Exception, match="STARTTLS"):
        notifier.deliver_notification(NotificationKey(idempotency_key=key))
    assert recorder.messages == []


def test_a_mail_login_without_tls_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="smtp_username: the mail login needs TLS"):
        Settings(smtp_username="welcome", smtp_password="secret", _env_file=None)  # type: ignore[call-arg]
    settings = Settings(smtp_username="welcome", smtp_password="pa55-w0rd-x7", smtp_ssl=True, _env_file=None)  # type: ignore[call-arg]
    assert "pa55-w0rd-x7" not in repr(settings)  # the value; field names may say "secret"
