"""What the advisors' workspace lists (#27): cases from the records, filtered as an advisor
asks ("my overdue cases", "all cases from Tunisia in recognition"), with their journeys.

From the records, not from Temporal: one indexed query answers a list of a thousand open
cases, and the records hold every field the list shows (the employer's name sealed: the
service opens it per row).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select

from records.schema import cases, journeys


@dataclass(frozen=True)
class CaseFilter:
    """Every field optional: None lists all. ``advisor``: whose cases ("my cases")."""

    advisor: str | None = None
    overdue: bool = False
    stage: str | None = None
    route: str | None = None
    country: str | None = None
    open_only: bool = True
    limit: int = 200
    only: frozenset[str] | None = None  # these cases only (e.g. those escalated, from visibility)


@dataclass(frozen=True)
class JourneyLine:
    number: int
    candidate_ref: str  # sealed as stored: the service opens it
    origin_country: str
    stage: str
    outcome: str | None
    next_due_on: date | None


@dataclass(frozen=True)
class CaseLine:
    case_id: str
    stage: str
    advisor: str
    employer_name: str  # sealed as stored
    occupation: str
    route: str
    origin_countries: list[str]
    outcome: str | None
    opened_at: datetime
    next_due_on: date | None  # the earliest of the case's and its journeys'
    journeys: list[JourneyLine]

    def overdue(self, today: date) -> bool:
        return self.next_due_on is not None and self.next_due_on < today


def case_lines(engine: Engine, f: CaseFilter, today: date) -> list[CaseLine]:
    """The cases the filter asks for, newest first, each with its journeys."""
    query = select(cases).order_by(cases.c.opened_at.desc()).limit(f.limit)
    if f.only is not None:
        query = query.where(cases.c.case_id.in_(sorted(f.only)))
    if f.advisor:
        query = query.where(cases.c.advisor == f.advisor)
    if f.open_only:
        query = query.where(cases.c.stage != "closed")
    if f.stage:
        query = query.where(cases.c.stage == f.stage)
    if f.route:
        query = query.where(cases.c.route == f.route)
    if f.country:
        journey_from = exists().where(journeys.c.case_id == cases.c.case_id, journeys.c.origin_country == f.country)
        query = query.where(or_(cases.c.origin_countries.contains(f.country), journey_from))
    if f.overdue:
        journey_overdue = exists().where(
            and_(journeys.c.case_id == cases.c.case_id, journeys.c.next_due_on < today, journeys.c.outcome.is_(None))
        )
        query = query.where(or_(cases.c.next_due_on < today, journey_overdue))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = [r.case_id for r in rows]
        by_case: dict[str, list[Any]] = defaultdict(list)
        if ids:
            for j in conn.execute(select(journeys).where(journeys.c.case_id.in_(ids)).order_by(journeys.c.number)):
                by_case[j.case_id].append(j)
    return [_line(row, by_case[row.case_id]) for row in rows]


def _line(row: Any, journey_rows: list[Any]) -> CaseLine:
    lines = [
        JourneyLine(j.number, j.candidate_ref, j.origin_country, j.stage, j.outcome, j.next_due_on)
        for j in journey_rows
    ]
    dues = [d for d in [row.next_due_on, *(j.next_due_on for j in lines if j.outcome is None)] if d is not None]
    return CaseLine(
        case_id=row.case_id,
        stage=row.stage,
        advisor=row.advisor,
        employer_name=row.employer_name,
        occupation=row.occupation,
        route=row.route,
        origin_countries=[c for c in row.origin_countries.split(",") if c],
        outcome=row.outcome,
        opened_at=row.opened_at,
        next_due_on=min(dues) if dues else None,
        journeys=lines,
    )
