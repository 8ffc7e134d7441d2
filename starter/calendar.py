"""An advisor's open deadlines as an iCalendar file (RFC 5545, the `icalendar` library; #16).

    bin/starter calendar --advisor m.koch > deadlines.ics

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

from icalendar import Calendar, Event

from models.clocks import Deadline

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


def build_calendar(entries: Iterable[DeadlineEntry], advisor: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Welcome Center deadlines ({advisor})")
    for entry in sorted(entries, key=lambda e: (e.deadline.due_on, e.workflow_id, e.deadline.clock.value)):
        d = entry.deadline
        event = Event()
        event.add("uid", event_uid(entry))
        event.add("sequence", d.generation - 1)
        event.add("dtstamp", now)
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + timedelta(days=1))
        event.add("summary", f"{d.label} · {entry.case_id}")
        paused = " (paused)" if d.paused_on else ""
        event.add(
            "description",
            f"Due {d.due_on.isoformat()}{paused}, {entry.where} of case {entry.case_id}.\n"
            f"Legal basis: {d.basis}\nStarted {d.started_on.isoformat()}.\n{entry.ui_link}",
        )
        event.add("url", entry.ui_link)
        event.add("categories", ["Welcome Center", d.clock.value])
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: leaves the day free
        calendar.add_component(event)
    return calendar.to_ical()
