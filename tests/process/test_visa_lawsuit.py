"""A lawsuit and a new visa application side by side (#24, §74(2) VwGO): within the month after
the refusal the employer may sue and apply again, in either order; whichever decision issues the
visa settles it, a lost lawsuit leaves the new application running.

Table-driven on the engine with the regular walk of ``test_engine`` (BA consent granted), on
process version 4; versions 1-3 keep their rule (a new application gave up the lawsuit).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from models import journey as J
from models.case import Procedure, ResidenceRoute
from models.clocks import ClockName
from models.journey import JourneyStage, Milestone
from process.engine import Change, ClockChange
from tests.process.test_engine import REG, Ok, P, act, check, close, rej, start, walk

M, C, S, d = Milestone, ClockName, JourneyStage, date
REFUSED_ON = d(2025, 9, 10)
NOTIFIED = d(2025, 9, 12)


def lawsuit_month(notified: date) -> date:
    """§74(2) VwGO with §193 BGB, through the one period function."""
    return P.due_on(C.VISA_LAWSUIT, notified, ResidenceRoute.SECTION_18A, Procedure.REGULAR)


MONTH_ENDS = lawsuit_month(NOTIFIED)
TODAY = d(2025, 12, 1)
VALID = d(2026, 6, 30)

REFUSE = act(J.RecordVisaDecision, decision="refused", decided_on=REFUSED_ON, notified_on=NOTIFIED)
NEW = act(J.NewVisaApplication)
SUE = act(J.FileVisaLawsuit, filed_on=d(2025, 10, 1))
APPLY = act(J.RecordVisaApplication, applied_on=d(2025, 9, 20))


def issued(on: date, **extra: Any) -> J.RecordVisaDecision:
    return act(J.RecordVisaDecision, decision="issued", decided_on=on, valid_until=VALID, **extra)


def refused(on: date, **extra: Any) -> J.RecordVisaDecision:
    return act(J.RecordVisaDecision, decision="refused", decided_on=on, notified_on=on, **extra)


def refused_journey(*then: Any, version: int = 4) -> J.JourneyState:
    state = walk(REG, "ba_granted")
    state.process_version = version
    for action in (REFUSE, *then):
        check(state, action, TODAY, Ok())
    return state


LAWSUIT_CLOCK = ClockChange(Change.CLOSE, C.VISA_LAWSUIT)

# fmt: off
ROWS = [
    # (id, what happened after the refusal, the action, expected)
    ("new-application-keeps-the-month", (), NEW,
     Ok(open=(M.VISA,), clocks=[], summary=f"a lawsuit is still possible until {MONTH_ENDS}")),
    ("lawsuit-after-a-new-application", (NEW, APPLY), SUE, Ok(open=(M.VISA, M.VISA_LAWSUIT),
     clocks=[ClockChange(Change.MEET, C.VISA_LAWSUIT)])),
    ("new-application-after-the-lawsuit", (SUE,), NEW,
     Ok(open=(M.VISA, M.VISA_LAWSUIT), summary="beside the lawsuit (filed on 2025-10-01)")),
    ("lawsuit-after-the-month", (NEW,), act(J.FileVisaLawsuit, filed_on=MONTH_ENDS + timedelta(days=1)),
     rej("filed_on:", "§74 VwGO")),
    ("second-lawsuit", (SUE, NEW), act(J.FileVisaLawsuit, filed_on=d(2025, 10, 2)), rej("filed_on:", "2025-10-01")),
    ("second-new-application", (NEW,), NEW, rej("new_visa_application:", "belongs to")),
    ("mission-issues-the-lawsuit-is-moot", (SUE, NEW, APPLY), issued(d(2025, 11, 3)),
     Ok(open=(M.ARRIVAL,), summary="the lawsuit is moot")),
    ("court-wins", (SUE, NEW, APPLY), issued(d(2025, 11, 3), by_court=True),
     Ok(open=(M.ARRIVAL,), summary="after the lawsuit")),
    ("court-loses-the-application-goes-on", (SUE, NEW, APPLY), refused(d(2025, 11, 3), by_court=True),
     Ok(open=(M.VISA,), stage=S.VISA, summary="the new visa application goes on")),
    ("mission-refuses-again", (SUE, NEW, APPLY), refused(d(2025, 11, 3)),
     Ok(open=(M.VISA_REFUSED, M.VISA_LAWSUIT),
        has=(start(C.VISA_LAWSUIT, d(2025, 11, 3), lawsuit_month(d(2025, 11, 3))),))),
    ("court-wins-over-a-new-refusal", (SUE, NEW, APPLY, refused(d(2025, 11, 3))),
     issued(d(2025, 11, 20), by_court=True), Ok(open=(M.ARRIVAL,), clocks=[LAWSUIT_CLOCK])),
    ("mission-without-the-new-application", (SUE, NEW), issued(d(2025, 11, 3)),
     rej("decision:", "record-visa-application first", "--by-court")),
    ("court-without-a-lawsuit", (NEW, APPLY), issued(d(2025, 11, 3), by_court=True), rej("by_court:", "no lawsuit")),
    ("court-before-the-lawsuit", (SUE,), issued(d(2025, 9, 30)), rej("decided_on:", "before the lawsuit")),
]
# fmt: on


@pytest.mark.parametrize(("before", "action", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_a_lawsuit_and_a_new_application_run_side_by_side(before: tuple[Any, ...], action: Any, expected: Any) -> None:
    check(refused_journey(*before), action, TODAY, expected)


def test_journeys_on_versions_before_4_give_up_the_lawsuit_with_a_new_application() -> None:
    state = refused_journey(version=3)
    check(state, NEW, TODAY, Ok(open=(M.VISA,), clocks=[close(C.VISA_LAWSUIT)], summary="New visa application after"))
