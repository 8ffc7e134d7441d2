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

from core.i18n import Text
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
        event.add("summary", f"{d.label} · {entry.case_id}")
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
            t("Legal basis: {basis}", basis=d.basis),
            t("Started {day}.", day=t.date(d.started_on)),
            entry.ui_link,
        ]
        event.add("description", "\n".join(lines))
        event.add("url", entry.ui_link)
        event.add("categories", ["Welcome Center", d.clock.value])
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: leaves the day free
        calendar.add_component(event)
    return calendar.to_ical()
