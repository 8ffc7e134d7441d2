"""Real test peers: an SMTP server on loopback that records what it receives."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any, TypeVar

from aiosmtpd.controller import Controller

T = TypeVar("T")


@dataclass
class SmtpRecorder:
    """aiosmtpd handler: keeps every accepted message; can refuse the next N deliveries,
    refuse every recipient or some (a wrong address) or answer slowly (a slow mail server)."""

    messages: list[Message] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # the client's address per message: its connection
    refuse_next: int = 0
    refused: int = 0
    refuse_recipients: bool = False
    refused_addresses: set[str] = field(default_factory=set)  # these mailboxes only
    delay_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.refuse_recipients or address in self.refused_addresses:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
            msg = message_from_bytes(envelope.original_content)
            self.messages.append(msg)
            self.peers.append(session.peer)
        return "250 OK"

    def for_case(self, case_id: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m["X-Case-Id"] == case_id]

    def message_ids(self, case_id: str) -> list[str]:
        return [str(m["Message-ID"]) for m in self.for_case(case_id)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp_server() -> tuple[Controller, SmtpRecorder]:
    recorder = SmtpRecorder()
    # aiosmtpd's start-up self-check needs a concrete port: take a free one from the OS.
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, recorder


async def eventually(probe: Callable[[], Any], timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Poll ``probe`` (sync or async) until it returns a truthy value; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


async def deleted_from_temporal(handle: Any) -> bool:
    """Whether Temporal no longer knows the workflow (deletion is asynchronous)."""
    from temporalio.service import RPCError, RPCStatusCode

    try:
        await handle.describe()
    except RPCError as e:
        return e.status is RPCStatusCode.NOT_FOUND
    return False


def on_or_before_the_28th(day: date) -> date:
    """``day``, or the 28th of its month if later: a day every month has, so a test's own
    month arithmetic (``shift_months``) is exact in both directions."""
    return day - timedelta(days=max(0, day.day - 28))


def shift_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months (the tests' own arithmetic, independent of the
    product's); the day of the month must be one every month has."""
    assert day.day <= 28, day
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)
