"""`bin/starter import FILE [--dry-run]` (#16 point 1): every row checked, the problems
named by row and column, nothing changed on a problem or a dry run; an import places each
case and journey at its milestone with its history dated and marked as imported, nothing
emailed for the past; a second import changes nothing; the sample file's report."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from temporalio.service import RPCError

from core import names
from models import clock
from models.berlin import local_date
from models.case import CaseState, Outcome, Stage, workflow_id_for
from models.clocks import ClockName
from models.journey import JourneyOutcome, JourneyStage, JourneyView, Milestone
from records.report import Report, build_report
from records.schema import case_events, journey_events, notifications
from starter.cli import EXIT_BAD_INPUT, main
from starter.importing import imported_case_id
from tests.conftest import Stack, own_worker
from tests.support import on_or_before_the_28th, shift_months
from tests.workflows.case_flow import ADVISOR

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "past-cases.csv"
# The sample's history is the office's published one: "6 of them since the service became
# permanent in March 2024".
PERMANENT_SINCE = date(2024, 3, 1)  # fixed: a day in the office's history


# --- importing into cases (dev server) ------------------------------------------------------


async def _run(stack: Stack, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await main(list(argv), client=stack.client, settings=stack.settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def _until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


async def first_journey(stack: Stack, case_id: str) -> JourneyView | None:
    """The imported case's first journey, once its case has started it (None before)."""
    case_handle = stack.client.get_workflow_handle(workflow_id_for(case_id))
    case = await case_handle.query(names.Case.status, result_type=CaseState)
    if not case.journeys:
        return None
    handle = stack.client.get_workflow_handle(case.journeys[0].workflow_id)
    try:
        return await handle.query(names.Journey.status, result_type=JourneyView)
    except RPCError:
        return None  # not started yet


async def _settled(stack: Stack) -> tuple[int, int, int]:
    """Events recorded (case, journey) and emails queued, once nothing has changed for 3 s
    (the imported cases record their past rungs as they start)."""

    def counts() -> tuple[int, int, int]:
        with stack.engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (case_events, journey_events, notifications)
            )

    last, unchanged_since = counts(), asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - unchanged_since < 3:
        await asyncio.sleep(0.5)
        if (now := counts()) != last:
            last, unchanged_since = now, asyncio.get_running_loop().time()
    return last


def _report(stack: Stack) -> Report:
    return build_report(stack.engine, since=PERMANENT_SINCE)


@pytest_asyncio.fixture(loop_scope="session")
async def own_records(stack: Stack, tmp_path: Path) -> AsyncIterator[Stack]:
    """A worker with a records database of its own: the sample's figures, not the session's."""
    async with own_worker(stack, tmp_path, "import") as own:
        yield own


async def test_the_sample_imports_into_the_published_figures_and_a_second_import_changes_nothing(
    own_records: Stack,
) -> None:
    stack = own_records
    code, out, err = await _run(stack, "import", str(SAMPLE), "--advisor", ADVISOR)
    assert code == 0, err
    assert "70 case(s) imported, 0 already imported" in out

    async def all_recorded() -> bool:
        r = _report(stack)
        return r.companies_advised == 70 and r.people_placed == 18 and r.candidates_selected == 30

    await _until(all_recorded, "the imported cases in the records")
    report = _report(stack)
    assert (report.cases_opened, report.people_placed, report.people_placed_since) == (70, 18, 6)
    assert report.placed_by_origin_country == {"TN": 6, "MA": 6, "EG": 6}
    assert report.placed_by_occupation == {"cnc_machinist": 6, "shk_installer": 6, "system_gastronomy": 6}
    # The starter's report says the same.
    code, out, err = await _run(stack, "report", "--since", PERMANENT_SINCE.isoformat())
    assert code == 0, err
    assert re.search(r"Companies advised\s+70\b", out) and re.search(r"People placed\s+18\b", out)
    assert re.search(rf"of them since {PERMANENT_SINCE}\s+6\b", out)

    # Imported history: dated as the file has it, marked with who, when, file and row.
    case_id = imported_case_id("HIST-014")
    case = await stack.client.get_workflow_handle(workflow_id_for(case_id)).query(
        names.Case.status, result_type=CaseState
    )
    assert local_date(case.opened_at) == date(2023, 7, 25)  # fixed: the sample's history
    opened = case.history[0]
    assert f"Imported by {ADVISOR}" in opened.summary and "past-cases.csv, row(s) 15" in opened.summary
    assert case.stage is Stage.CLOSED and case.outcome is Outcome.PLACED
    journey = await stack.client.get_workflow_handle(case.journeys[0].workflow_id).query(
        names.Journey.status, result_type=JourneyView
    )
    # Advised in 2023, no candidate, closed in the file: closed on its day, no rungs for it.
    ended = await stack.client.get_workflow_handle(workflow_id_for(imported_case_id("HIST-031"))).query(
        names.Case.status, result_type=CaseState
    )
    assert (ended.stage, ended.outcome, ended.outcome_reason) == (
        Stage.CLOSED,
        Outcome.WITHDRAWN_BY_EMPLOYER,
        "requirements_not_met",
    )
    assert [e.action for e in ended.history] == ["case_opened", "case_withdrawn"]
    assert local_date(ended.history[1].occurred_at) == date(2023, 8, 13)  # fixed: the sample's history
    # Advised in December 2025, no candidate yet: open, its follow-up overdue since before the
    # import, the rungs recorded in its history and emailed to nobody.
    waiting = await stack.client.get_workflow_handle(workflow_id_for(imported_case_id("HIST-070"))).query(
        names.Case.status, result_type=CaseState
    )
    assert waiting.stage is Stage.CONSULTATION and waiting.outcome is None
    assert [e.action for e in waiting.history if e.action.startswith("deadline_")] == [
        "deadline_reminder", "deadline_due", "deadline_team_lead", "deadline_operations",
    ]  # fmt: skip
    assert journey.state.outcome is JourneyOutcome.PLACED
    assert local_date(journey.state.finished_at) == date(2024, 11, 19)  # fixed: the sample's probation passed
    assert journey.state.job_started_on == date(2024, 5, 20)  # fixed: the sample's history
    # Nothing about the past was emailed: no email for any imported case.
    subjects = [str(m["Subject"]) for m in stack.smtp.messages]
    assert not any(imported_case_id(f"HIST-{n:03d}") in s for s in subjects for n in (1, 14, 19, 31, 70))
    before, report = await _settled(stack), _report(stack)

    # The same file again: every case found, nothing started, nothing written.
    code, out, err = await _run(stack, "import", str(SAMPLE), "--advisor", ADVISOR)
    assert code == 0, err
    assert "0 case(s) imported, 70 already imported" in out
    assert await _settled(stack) == before
    assert _report(stack) == report


async def test_a_running_journey_is_imported_at_its_milestone_with_its_clocks_from_the_file(
    stack: Stack, tmp_path: Path
) -> None:
    ref = f"RUN-{uuid.uuid4().hex[:8]}"
    # The probation (six months from the job start) fell due three weeks ago: its reminder (14 days
    # before), its due day and the team lead's rung (14 days after) lie before today, the
    # operations rung (28 days after) a week ahead, on whatever day this runs. It counts from
    # its first day (§187(2) BGB): its last day is the day before the same date six months on.
    started = shift_months(on_or_before_the_28th(clock.today() - timedelta(days=20)), -6)
    due = shift_months(started, 6) - timedelta(days=1)
    file = tmp_path / "running.csv"
    file.write_text(
        "case_ref;employer_name;advised_on;occupation;route;origin_programme;candidate_ref;origin_country;"
        "contract_signed_on;visa_issued_on;arrived_on;job_started_on\n"
        f"{ref};Firma Laufend GmbH;{started - timedelta(days=234)};cnc_machinist;18a;THAMM Plus;ANETI-9001;TN;"
        f"{started - timedelta(days=182)};{started - timedelta(days=33)};{started - timedelta(days=7)};{started}\n",
        encoding="utf-8",
    )
    code, out, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == 0, err
    case_id = imported_case_id(ref)

    async def journey_view() -> JourneyView | None:
        return await first_journey(stack, case_id)

    async def placed_with_past_rungs() -> bool:
        view = await journey_view()
        return view is not None and any(e.action.startswith("deadline_") for e in view.state.history)

    await _until(placed_with_past_rungs, "the imported journey and its past rungs")
    view = await journey_view()
    assert view is not None
    s = view.state
    assert s.stage is JourneyStage.ANMELDUNG and s.job_started_on == started
    done = {Milestone.CONTRACT, Milestone.RECOGNITION, Milestone.BA_CONSENT, Milestone.VISA, Milestone.JOB_START}
    assert done <= set(s.done_milestones)
    assert s.open_milestones == [Milestone.ANMELDUNG, Milestone.RESIDENCE_PERMIT, Milestone.PROBATION]
    assert "record-probation-passed" in view.next_steps
    # The probation clock counts from the job start in the file, not from the import.
    (probation,) = [d for d in s.deadlines if d.open]
    assert (probation.clock, probation.started_on, probation.due_on) == (
        ClockName.PROBATION,
        started,
        due,
    )
    assert [e.action for e in s.history[:2]] == ["journey_started", "journey_imported"]
    assert local_date(s.history[1].occurred_at) == started
    assert f"Imported by {ADVISOR} from running.csv, row 2" in s.history[1].summary
    # Rungs that lay before the import are history, marked, and not emailed.
    past = [e for e in s.history if e.action.startswith("deadline_")]
    assert [e.action for e in past] == ["deadline_reminder", "deadline_due", "deadline_team_lead"]
    assert all(e.summary.startswith("Before the import (not sent)") for e in past)
    await asyncio.sleep(1)
    assert not [m for m in stack.smtp.messages if case_id in str(m["Subject"])]

    # From here on it is a live journey: the next step is recorded and emailed as usual.
    code, out, err = await _run(
        stack, "record-probation-passed", case_id, "--candidate", "ANETI-9001", "--advisor", ADVISOR,
        "--passed-on", due.isoformat(),
    )  # fmt: skip
    assert code == 0, err

    async def emailed() -> bool:
        return any(
            case_id in str(m["Subject"]) and "Probation passed" in str(m["Subject"]) for m in stack.smtp.messages
        )

    await _until(emailed, "the live step's email", seconds=60)


async def test_an_import_with_a_problem_starts_nothing(stack: Stack, tmp_path: Path) -> None:
    ref, advised = f"BAD-{uuid.uuid4().hex[:8]}", clock.today() - timedelta(days=300)
    file = tmp_path / "bad.csv"
    file.write_text(
        "case_ref;employer_name;advised_on;occupation;route\n"
        f"{ref};Firma Gut GmbH;{advised};cnc_machinist;18a\n"
        f"{ref}-2;Firma Schlecht GmbH;{advised};astronaut;18a\n",
        encoding="utf-8",
    )
    code, out, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == EXIT_BAD_INPUT
    assert "row 3, column occupation" in out and "nothing imported" in out
    with pytest.raises(RPCError):
        await stack.client.get_workflow_handle(workflow_id_for(imported_case_id(ref))).describe()
