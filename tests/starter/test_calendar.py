"""`bin/starter calendar`: an advisor's open deadlines as iCalendar (RFC 5545, #16 point 3)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from icalendar import Calendar

from core.i18n import Text
from models import clock as office_clock
from models.berlin import local_date
from models.clocks import ClockName, Deadline
from starter.calendar import DeadlineEntry, build_calendar
from starter.cli import main
from tests.conftest import Stack
from tests.english import assert_german
from tests.workflows.case_flow import ADVISOR, new_case, open_journeys, start_case

NOW = office_clock.now()
TODAY = local_date(NOW)


def entry(
    clock: ClockName, due: date, generation: int = 1, workflow_id: str = "case-WC-7M2K9Q4XTB-j1"
) -> DeadlineEntry:
    deadline = Deadline(
        clock=clock,
        label="BA consent deemed given unless the BA asks for more information",  # as the policy has them
        basis="§36(2) BeschV (2 weeks; 1 week in the §81a procedure)",
        started_on=TODAY - timedelta(days=7),
        due_on=due,
        anchor=NOW,
        anchor_date=TODAY - timedelta(days=7),
        generation=generation,
    )
    return DeadlineEntry(workflow_id, "WC-7M2K9Q4XTB", "journey 1", deadline, "http://localhost:8233/x")


def events(ics: bytes) -> list:  # type: ignore[type-arg]
    return [c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT"]


def test_one_all_day_event_per_deadline_with_its_basis_and_link() -> None:
    clocks = list(ClockName)[:2]
    later, sooner = TODAY + timedelta(days=7), TODAY + timedelta(days=4)
    ics = build_calendar([entry(clocks[0], later), entry(clocks[1], sooner)], ADVISOR, NOW)
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0\r\n" in ics and b"PRODID:" in ics
    first, second = events(ics)
    assert first.decoded("dtstart") == sooner  # sorted by due date, all-day (VALUE=DATE)
    assert f"DTSTART;VALUE=DATE:{sooner:%Y%m%d}".encode() in ics
    # German by default: the label, the legal basis and every line of the description (#24 point 4).
    assert str(first["summary"]) == (
        "Zustimmung der BA gilt als erteilt, wenn die BA keine weiteren Auskünfte verlangt · WC-7M2K9Q4XTB"
    )
    description = str(first["description"])
    assert "Rechtsgrundlage: §36(2) BeschV (2 Wochen; 1 Woche im §81a-Verfahren)" in description
    assert "Verlauf 1 im Fall WC-7M2K9Q4XTB" in description and str(first["url"]) == "http://localhost:8233/x"
    assert_german(str(first["summary"]) + "\n" + description, "the calendar")
    assert first["uid"] != second["uid"]
    english = events(build_calendar([entry(clocks[0], later)], ADVISOR, NOW, Text("en")))[0]
    assert "Legal basis: §36(2) BeschV (2 weeks; 1 week in the §81a procedure)" in str(english["description"])


def test_a_moved_due_date_keeps_the_uid_and_raises_the_sequence() -> None:
    # Re-importing the newer file updates the event in the advisor's calendar instead of adding one.
    clock = list(ClockName)[0]
    (before,) = events(build_calendar([entry(clock, TODAY + timedelta(days=7))], ADVISOR, NOW))
    (after,) = events(build_calendar([entry(clock, TODAY + timedelta(days=21), generation=2)], ADVISOR, NOW))
    assert before["uid"] == after["uid"] and (int(before["sequence"]), int(after["sequence"])) == (0, 1)


async def test_the_command_lists_the_open_deadlines_of_the_advisors_cases(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    view = await journey.view()
    open_deadlines = [d for d in view.state.deadlines if d.open]
    assert open_deadlines, "a journey in its first milestone runs a clock"
    out, err = io.StringIO(), io.StringIO()
    code = await main(
        ["calendar", "--advisor", ADVISOR], client=stack.client, settings=stack.settings, out=out, err=err
    )
    assert code == 0, err.getvalue()
    found = {str(e["uid"]): e for e in events(out.getvalue().encode())}
    for deadline in open_deadlines:
        event = found[f"{journey.handle.id}.{deadline.clock.value}@welcome-center.region-hannover.example"]
        assert event.decoded("dtstart") == deadline.due_on
        assert deadline.basis in str(event["description"])
        assert "THAMM-4711" not in out.getvalue()  # no candidate reference, no name: the case id only


async def test_an_unknown_advisor_is_refused_at_the_door(stack: Stack) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = await main(["calendar", "--advisor", "nobody.here"], settings=stack.settings, out=out, err=err)
    assert code == 2 and "not on the staff list" in err.getvalue() and out.getvalue() == ""
