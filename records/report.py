"""The Welcome Center's figures, from its own records (SQLite or PostgreSQL).

People placed are journeys whose probation was passed, counted from that day (rows written
before the day was recorded: from the journey's end, placed); companies advised are the
distinct employers of all cases; time per stage is measured between the audit events
that entered and left the stage.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Table, func, select

from models import clock
from models.berlin import local_date
from records.database import aware
from records.schema import case_events, cases, journey_events, journeys

PLACED = "placed"
FINISHED_STAGES = ("closed", "finished")


class StageDuration(BaseModel):
    stage: str
    median_days: float
    visits: int


class Report(BaseModel):
    as_of: date
    cases_opened: int
    cases_opened_last_12_months: int
    cases_open: int
    companies_advised: int
    candidates_selected: int
    people_placed: int
    # Distinct people among the candidates (one person may be selected in two cases), by the
    # keyed pseudonym of the programme reference; rows from before it count by the reference.
    people_selected: int = 0
    people_placed_last_12_months: int
    placed_by_origin_country: dict[str, int]
    placed_by_occupation: dict[str, int]
    candidates_by_origin_country: dict[str, int]
    candidates_by_occupation: dict[str, int]
    # By residence route as the journey ended (a §16d journey recognised in full counts as §18a).
    placed_by_route: dict[str, int] = {}
    candidates_by_route: dict[str, int] = {}
    median_days_per_stage: list[StageDuration]
    overdue_now: int
    # report --since DAY (#16: "6 of them since the service became permanent on 2024-03-01").
    placed_since: date | None = None
    people_placed_since: int | None = None


def _stage_durations(engine: Engine, table: Table, key: str) -> dict[str, list[float]]:
    """Days from entering to leaving each stage, per workflow, from the audit trail."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c[key], table.c.from_stage, table.c.to_stage, table.c.occurred_at).order_by(
                table.c[key], table.c.seq
            )
        ).all()
    durations: dict[str, list[float]] = defaultdict(list)
    entered: dict[str, datetime] = {}
    current_key = None
    for workflow_key, from_stage, to_stage, occurred_at in rows:
        if workflow_key != current_key:
            current_key, entered = workflow_key, {}
        at = aware(occurred_at)
        if from_stage is None or from_stage != to_stage:
            if from_stage in entered:
                durations[from_stage].append((at - entered.pop(from_stage)).total_seconds() / 86400)
            entered[to_stage] = at
    return durations


def build_report(engine: Engine, today: date | None = None, since: date | None = None) -> Report:
    """The figures as of ``today``; with ``since``, also the people placed since that day
    (counted by the day the probation was passed; rows from before that day was recorded: the
    journey's end)."""
    today = today or clock.today()
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    with engine.connect() as conn:
        case_rows = conn.execute(select(cases.c.opened_at, cases.c.stage, cases.c.next_due_on)).all()
        journey_rows = conn.execute(
            select(
                journeys.c.origin_country,
                journeys.c.occupation,
                journeys.c.route,
                journeys.c.outcome,
                journeys.c.finished_at,
                journeys.c.stage,
                journeys.c.next_due_on,
                journeys.c.probation_passed_on,
            )
        ).all()
        # By keyed pseudonym (the name is sealed, and gone after an erasure); rows from before
        # pseudonyms were kept count by their name.
        employer = func.coalesce(cases.c.employer_pseudonym, func.lower(cases.c.employer_name))
        companies = conn.execute(select(func.count(func.distinct(employer)))).scalar_one()
        person = func.coalesce(journeys.c.candidate_pseudonym, journeys.c.candidate_ref)
        people = conn.execute(select(func.count(func.distinct(person)))).scalar_one()

    # A placement is the passed probation, whatever is still open (an integration course).
    placed = [j for j in journey_rows if j.probation_passed_on is not None or j.outcome == PLACED]
    placed_on = {j: j.probation_passed_on or _local_day(j.finished_at) for j in placed}
    durations = _stage_durations(engine, case_events, "case_id")
    for stage, values in _stage_durations(engine, journey_events, "journey_id").items():
        durations[f"journey:{stage}"] = values
    open_rows: list[Any] = [r for r in [*case_rows, *journey_rows] if r.stage not in FINISHED_STAGES]
    return Report(
        as_of=today,
        cases_opened=len(case_rows),
        cases_opened_last_12_months=sum(1 for c in case_rows if aware(c.opened_at) >= year_ago),
        cases_open=sum(1 for c in case_rows if c.stage != "closed"),
        companies_advised=int(companies),
        candidates_selected=len(journey_rows),
        people_selected=int(people),
        people_placed=len(placed),
        people_placed_last_12_months=sum(1 for j in placed if placed_on[j] >= year_ago.date()),
        placed_by_origin_country=dict(Counter(j.origin_country for j in placed).most_common()),
        placed_by_occupation=dict(Counter(j.occupation for j in placed).most_common()),
        candidates_by_origin_country=dict(Counter(j.origin_country for j in journey_rows).most_common()),
        candidates_by_occupation=dict(Counter(j.occupation for j in journey_rows).most_common()),
        placed_by_route=dict(Counter(j.route for j in placed).most_common()),
        candidates_by_route=dict(Counter(j.route for j in journey_rows).most_common()),
        median_days_per_stage=[
            StageDuration(stage=stage, median_days=round(statistics.median(values), 1), visits=len(values))
            for stage, values in sorted(durations.items())
        ],
        overdue_now=sum(1 for r in open_rows if r.next_due_on is not None and r.next_due_on < today),
        placed_since=since,
        people_placed_since=None if since is None else sum(1 for j in placed if placed_on[j] >= since),
    )


def _local_day(value: datetime | None) -> date:
    return local_date(aware(value)) if value is not None else date.min
