"""An advisor's open deadlines as an iCalendar file (RFC 5545, the `icalendar` library; #16).

    bin/starter calendar --advisor m.koch > deadlines.ics

One all-day event per open deadline on its due date. The summary names the deadline and
the opaque case id only (no candidate, no employer); the description adds the legal basis
and the Web UI link. The UID is the workflow and the clock, so importing a newer file
updates the events instead of adding copies; SEQUENCE counts how often the due date moved
(the clock's generation), so calendars take the newer one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar, Event

from core.advisor_cases import advisor_cases
from core.i18n import Text
from models import clock, staff
from models.clocks import Deadline
from starter.render import ui_link

if TYPE_CHECKING:
    from temporalio.client import Client

    from core.config import Settings

PRODUCT_ID = "-//Welcome Center Region Hannover//Case deadlines//EN"
UID_DOMAIN = "welcome-center.region-hannover.example"


@dataclass(frozen=True)
class DeadlineEntry:
    workflow_id: str
    case_id: str
    where: str  # "case" or "journey 2": which part of the case the clock runs in
    deadline: Deadline
    ui_link: str


def event_uid(entry: DeadlineEntry) -> str:
    return f"{entry.workflow_id}.{entry.deadline.clock.value}@{UID_DOMAIN}"


def build_calendar(entries: Iterable[DeadlineEntry], advisor: str, now: datetime, t: Text | None = None) -> bytes:
    t = t or Text()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", t("Welcome Center deadlines ({advisor})", advisor=advisor))
    for entry in sorted(entries, key=lambda e: (e.deadline.due_on, e.workflow_id, e.deadline.clock.value)):
        d = entry.deadline
        event = Event()
        event.add("uid", event_uid(entry))
        event.add("sequence", d.generation - 1)
        event.add("dtstamp", now)
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + timedelta(days=1))
        event.add("summary", f"{t(d.label)} · {entry.case_id}")
        paused = t(" (paused)") if d.paused_on else ""
        where = t("case") if entry.where == "case" else t("journey {number}", number=entry.where.split()[-1])
        lines = [
            t(
                "Due {day}{paused}, {where} of case {case_id}.",
                day=t.date(d.due_on),
                paused=paused,
                where=where,
                case_id=entry.case_id,
            ),
            t("Legal basis: {basis}", basis=t(d.basis)),
            t("Started {day}.", day=t.date(d.started_on)),
            entry.ui_link,
        ]
        event.add("description", "\n".join(lines))
        event.add("url", entry.ui_link)
        event.add("categories", ["Welcome Center", d.clock.value])
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: leaves the day free
        calendar.add_component(event)
    return calendar.to_ical()


async def calendar_for(client: Client, settings: Settings, advisor: str) -> bytes:
    """The advisor's open deadlines, from their running cases' status queries."""
    entries: list[DeadlineEntry] = []
    async for case in advisor_cases(client, settings, advisor):
        link = ui_link(settings, case.state.case_id)
        parts = [(case.workflow_id, "case", case.state.deadlines)] + [
            (summary.workflow_id, f"journey {summary.number}", view.state.deadlines) for summary, view in case.journeys
        ]
        entries += [
            DeadlineEntry(workflow_id, case.state.case_id, where, d, link)
            for workflow_id, where, deadlines in parts
            for d in deadlines
            if d.open
        ]
    return build_calendar(entries, advisor, clock.now(), Text(settings.language))


def subscription_token(secret: str, advisor: str) -> str:
    """A token per advisor: whoever has it reads that advisor's deadlines, nobody else's."""
    return hmac.new(secret.encode(), f"calendar:{advisor}".encode(), hashlib.sha256).hexdigest()[:32]


def subscription_url(settings: Settings, advisor: str) -> str | None:
    if settings.calendar_secret is None or not settings.calendar_port:
        return None
    token = subscription_token(settings.calendar_secret.get_secret_value(), advisor)
    return f"http://{settings.calendar_public_host}:{settings.calendar_port}/calendar/{advisor}.ics?token={token}"


class CalendarServer:
    """GET /calendar/<advisor>.ics?token=<token>: the advisor's calendar, for subscription.

    Run by the worker in a thread beside its event loop; each request asks the worker's loop
    for the calendar (the status queries), so it shows what the cases say right now."""

    def __init__(self, client: Client, settings: Settings, loop: asyncio.AbstractEventLoop, port: int | None = None):
        assert settings.calendar_secret is not None
        self._secret = settings.calendar_secret.get_secret_value()
        self._client, self._settings, self._loop = client, settings, loop
        self.httpd = ThreadingHTTPServer(
            (settings.calendar_host, settings.calendar_port if port is None else port), self._handler()
        )
        self.port = int(self.httpd.server_address[1])

    def start(self) -> CalendarServer:
        threading.Thread(target=self.httpd.serve_forever, name="calendar-server", daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def calendar(self, advisor: str, token: str) -> tuple[HTTPStatus, bytes]:
        if staff.role_of(advisor) is None:
            return HTTPStatus.NOT_FOUND, b"no such calendar"
        if not hmac.compare_digest(token.encode(), subscription_token(self._secret, advisor).encode()):
            return HTTPStatus.FORBIDDEN, b"token required"
        future = asyncio.run_coroutine_threadsafe(calendar_for(self._client, self._settings, advisor), self._loop)
        return HTTPStatus.OK, future.result(timeout=60)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass  # the request line carries the token: never logged

            def do_GET(self) -> None:  # noqa: N802 - the HTTP method
                url = urlsplit(self.path)
                found = re.fullmatch(r"/calendar/([^/]+)\.ics", url.path)
                token = parse_qs(url.query).get("token", [""])[0]
                try:
                    status, body = (
                        server.calendar(found.group(1), token) if found else (HTTPStatus.NOT_FOUND, b"not found")
                    )
                except Exception as err:  # noqa: BLE001 - the server unreachable, a query failing
                    status, body = HTTPStatus.SERVICE_UNAVAILABLE, type(err).__name__.encode()
                self.send_response(status)
                kind = "text/calendar; charset=utf-8" if status == HTTPStatus.OK else "text/plain"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
