"""Residence permits whose renewal is due (#24): the permit's own validity is the office's next
duty after the placement, when the journey has ended and no clock runs for it any more.

An application made before the permit ends keeps it in force until the ABH decides (§81(4)
S.1 AufenthG); the ABH Hannover gives appointments weeks ahead, so the weekly digest lists a
permit from ``AHEAD_DAYS`` before its end (the lead time is the office's practice, not law:
unverified) and, once ended, for ``AFTER_DAYS`` more (an application within them is late:
§81(4) S.3, the ABH may order the effect). A journey placed before the records kept the
permit's end (revision 0008) is not listed: its completed workflow writes no row again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, select

from models.journey import JourneyOutcome
from records.schema import cases, journeys

AHEAD_DAYS = 90
AFTER_DAYS = 30
BASIS = "§81(4) AufenthG"


@dataclass(frozen=True)
class PermitEnding:
    case_id: str
    number: int
    valid_until: date


def permits_ending(engine: Engine, advisor: str, today: date) -> list[PermitEnding]:
    """The advisor's journeys whose residence permit ends within ``AHEAD_DAYS`` or ended within
    ``AFTER_DAYS``, earliest first (closed cases too: the renewal comes after the placement)."""
    ending = journeys.c.permit_valid_until
    query = (
        select(journeys.c.case_id, journeys.c.number, ending)
        .join(cases, cases.c.case_id == journeys.c.case_id)
        .where(
            cases.c.advisor == advisor,
            (journeys.c.outcome.is_(None)) | (journeys.c.outcome == JourneyOutcome.PLACED.value),
            journeys.c.employment_ended_on.is_(None),  # the person still works here
            ending >= today - timedelta(days=AFTER_DAYS),
            ending <= today + timedelta(days=AHEAD_DAYS),
        )
        .order_by(ending, journeys.c.case_id, journeys.c.number)
    )
    with engine.connect() as conn:
        return [PermitEnding(r.case_id, r.number, r.permit_valid_until) for r in conn.execute(query)]
