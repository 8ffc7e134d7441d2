"""The Welcome Center's figures from the records, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.config import Settings
from records.database import create_records_engine, migrate
from records.report import build_report
from records.schema import cases, journey_events, journeys
from starter.cli import main

AS_OF = date(2026, 11, 24)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def seed(engine: Engine) -> None:
    migrate(engine)
    case = dict(
        advisor="m.koch", route="18a", procedure="regular", positions=2, origin_countries="", last_event_seq=1,
        next_due_on=None,
    )  # fmt: skip
    journey = dict(
        route="18a", procedure="regular", documents="", last_event_seq=1, outcome=None, finished_at=None,
        next_due_on=None,
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            cases.insert(),
            [
                {
                    **case,
                    "case_id": "WC-A",
                    "employer_name": "Gastro Nord GmbH",
                    "occupation": "cook",
                    "stage": "closed",
                    "opened_at": at("2026-01-10"),
                },
                {
                    **case,
                    "case_id": "WC-B",
                    "employer_name": "gastro nord gmbh",
                    "occupation": "cook",
                    "stage": "closed",
                    "opened_at": at("2024-05-01"),
                },
                {
                    **case,
                    "case_id": "WC-C",
                    "employer_name": "Pflegeheim Linden",
                    "occupation": "nurse",
                    "stage": "journeys",
                    "opened_at": at("2026-10-01"),
                    "next_due_on": date(2026, 11, 1),
                },
            ],
        )
        conn.execute(
            journeys.insert(),
            [
                {**journey, "journey_id": "WC-A-j1", "case_id": "WC-A", "number": 1, "candidate_ref": "T-1",
                 "origin_country": "TN", "occupation": "cook", "stage": "finished", "outcome": "placed",
                 "started_at": at("2026-01-20"), "finished_at": at("2026-06-01")},
                {**journey, "journey_id": "WC-A-j2", "case_id": "WC-A", "number": 2, "candidate_ref": "M-1",
                 "origin_country": "MA", "occupation": "cook", "stage": "finished",
                 "outcome": "withdrawn_by_candidate", "started_at": at("2026-01-20"), "finished_at": at("2026-02-01")},
                {**journey, "journey_id": "WC-B-j1", "case_id": "WC-B", "number": 1, "candidate_ref": "T-2",
                 "origin_country": "TN", "occupation": "cook", "stage": "finished", "outcome": "placed",
                 "started_at": at("2024-05-10"), "finished_at": at("2024-12-01")},
                {**journey, "journey_id": "WC-C-j1", "case_id": "WC-C", "number": 1, "candidate_ref": "E-1",
                 "origin_country": "EG", "occupation": "nurse", "stage": "visa",
                 "started_at": at("2026-10-05"), "next_due_on": date(2026, 12, 1)},
                {**journey, "journey_id": "WC-C-j2", "case_id": "WC-C", "number": 2, "candidate_ref": "E-2",
                 "origin_country": "EG", "occupation": "nurse", "stage": "ba_consent", "route": "19c2",
                 "started_at": at("2026-10-05"), "next_due_on": date(2026, 11, 20)},
            ],
        )  # fmt: skip
        event = dict(advisor="m.koch", action="step", summary="step")
        steps = [
            ("WC-A-j1", "WC-A", [(None, "contract", "2026-01-20"), ("contract", "contract", "2026-01-25"),
                                 ("contract", "recognition", "2026-02-19"),
                                 ("recognition", "ba_consent", "2026-04-20")]),
            ("WC-B-j1", "WC-B", [(None, "contract", "2024-05-10"), ("contract", "recognition", "2024-05-20"),
                                 ("recognition", "ba_consent", "2024-06-19")]),
        ]  # fmt: skip
        conn.execute(
            journey_events.insert(),
            [
                {**event, "journey_id": jid, "case_id": cid, "seq": seq, "from_stage": f, "to_stage": t,
                 "occurred_at": at(day)}
                for jid, cid, rows in steps
                for seq, (f, t, day) in enumerate(rows, start=1)
            ],
        )  # fmt: skip


def test_the_figures_come_from_the_records(fresh_engine: Engine) -> None:
    seed(fresh_engine)
    r = build_report(fresh_engine, AS_OF)
    assert (r.cases_opened, r.cases_opened_last_12_months, r.cases_open) == (3, 2, 1)
    assert r.companies_advised == 2  # the same company under two spellings counts once
    assert (r.candidates_selected, r.people_placed, r.people_placed_last_12_months) == (5, 2, 1)
    assert r.placed_by_origin_country == {"TN": 2}
    assert r.placed_by_occupation == {"cook": 2}
    assert r.candidates_by_origin_country == {"TN": 2, "EG": 2, "MA": 1}
    assert (r.placed_by_route, r.candidates_by_route) == ({"18a": 2}, {"18a": 4, "19c2": 1})
    medians = {s.stage: (s.median_days, s.visits) for s in r.median_days_per_stage}
    assert medians["journey:contract"] == (20.0, 2)  # 30 and 10 days; a same-stage event does not reset it
    assert medians["journey:recognition"] == (45.0, 2)  # 60 and 30 days
    assert r.overdue_now == 2  # case WC-C and journey WC-C-j2; WC-C-j1 is due later


def test_a_placement_counts_from_the_passed_probation_while_the_course_is_still_open(fresh_engine: Engine) -> None:
    # #24: the integration course kept such a journey unplaced, and the placement dated by it.
    seed(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(
            journeys.insert(),
            {"journey_id": "WC-C-j3", "case_id": "WC-C", "number": 3, "candidate_ref": "E-3", "origin_country": "EG",
             "occupation": "nurse", "route": "18a", "procedure": "regular", "stage": "integration_course",
             "outcome": None, "started_at": at("2025-09-01"), "documents": "", "last_event_seq": 9,
             "probation_passed_on": date(2026, 10, 30)},
        )  # fmt: skip
    r = build_report(fresh_engine, AS_OF, since=date(2026, 10, 1))
    assert (r.people_placed, r.people_placed_last_12_months, r.people_placed_since) == (3, 2, 1)
    assert r.placed_by_origin_country == {"TN": 2, "EG": 1}


async def test_starter_report_as_table_json_and_chart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    engine = create_records_engine(url)
    seed(engine)
    engine.dispose()
    settings = Settings(database_url=url, language="en", _env_file=None)  # type: ignore[call-arg]
    chart = tmp_path / "figures.html"

    async def run(*argv: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert await main(list(argv), settings=settings, out=out, err=err) == 0, err.getvalue()
        return out.getvalue()

    text = await run("report", "--as-of", "2026-11-24", "--chart", str(chart))
    assert "People placed                     2   (last 12 months: 1)" in text
    # German by default (#16): the same figures, German labels and dates.
    out = io.StringIO()
    german = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    assert await main(["report", "--as-of", "2026-11-24", "--since", "2026-01-01"], settings=german, out=out) == 0
    assert "Zahlen des Welcome Centers zum 24.11.2026" in out.getvalue()
    assert "Personen vermittelt               2   (letzte 12 Monate: 1)" in out.getvalue()
    assert re.search(r"davon seit 01\.01\.2026\s+1\b", out.getvalue())
    assert "TN                                     2         2" in text
    # Occupations are codes: the table shows the KldB code beside it, the chart the name.
    assert "cook (KldB 29302)                      2         3" in text
    figures = json.loads(await run("report", "--as-of", "2026-11-24", "--json"))
    assert figures["companies_advised"] == 2 and figures["overdue_now"] == 2
    page = chart.read_text()
    assert page.count("<svg") == 4
    assert "Koch/Köchin (cook, KldB 29302)" in page
    assert 'aria-label="People placed by origin country"' in page and ">TN</text>" in page

    out, err = io.StringIO(), io.StringIO()
    assert await main(["report", "--as-of", "24.11.2026"], settings=settings, out=out, err=err) == 2
    assert "date" in err.getvalue().lower()
