"""An advisor's open deadlines as an iCalendar file (RFC 5545, the `icalendar` library; #16).

    bin/starter calendar --advisor m.koch > deadlines.ics
    bin/starter calendar --subscription-url     an address to subscribe to (the office service serves it)

One all-day event per open deadline on its due date. The summary names the deadline and
the opaque case id only (no candidate, no employer); the description adds the legal basis
and the Web UI link. The UID is the workflow and the clock, so importing a newer file
updates the events instead of adding copies; SEQUENCE counts how often the due date moved
(the clock's generation), so calendars take the newer one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from core.advisor_cases import advisor_cases
from core.i18n import Text
from models import clock
from models.clocks import Deadline
from models.said import say
from starter.inputs import InputError
from starter.render import ui_link

if TYPE_CHECKING:
    from sqlalchemy import Engine
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
    entries = await deadline_entries(client, settings, advisor)
    return build_calendar(entries, advisor, clock.now(), Text(settings.language))


async def deadline_entries(client: Client, settings: Settings, advisor: str) -> list[DeadlineEntry]:
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
    return entries


FEED_DAYS = 365  # a calendar app subscribes once; the advisor mints a new address when it ends


def subscription_url(settings: Settings, engine: Engine, advisor: str) -> str:
    """A new address for the advisor's calendar feed, served by the office service; the
    advisor's earlier address stops working. The token in it is kept hashed (scope
    ``calendar``: it opens this feed and nothing else); off this machine only over HTTPS."""
    from records import accounts

    base = settings.service_public_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise InputError(
            say(
                "service_public_url: {url} is not on this machine; a calendar address leaves it only over HTTPS",
                url=base,
            )
        )
    stop_subscription(engine, advisor)
    token, _ = accounts.create_token(engine, advisor, "calendar feed", timedelta(days=FEED_DAYS), accounts.CALENDAR)
    return f"{base}/calendar/{token}.ics"


def stop_subscription(engine: Engine, advisor: str) -> int:
    """The advisor's calendar address stops working. Returns how many addresses stopped."""
    from records import accounts

    return accounts.revoke(engine, None, advisor, accounts.CALENDAR)
