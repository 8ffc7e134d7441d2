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
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from openpyxl import Workbook
from sqlalchemy import func, select
from temporalio.service import RPCError

from core.berlin import local_date
from core.config import Settings
from models import occupations, programmes, staff
from models.case import CaseState, ImportedCase, ImportedJourney, Outcome, SelectedCandidate, Stage, workflow_id_for
from models.clocks import ClockName
from models.journey import JourneyOutcome, JourneyStage, JourneyView, Milestone
from records.database import create_records_engine, migrate
from records.report import Report, build_report
from records.schema import case_events, journey_events, notifications
from starter.cli import EXIT_BAD_INPUT, main
from starter.importing import cases, check, imported_case_id
from tests.conftest import Stack
from tests.workflows.case_flow import ADVISOR
from worker import build_worker
from workflows import names

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "past-cases.csv"
TODAY = date(2026, 11, 27)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def office_lists() -> None:
    occupations.use(occupations.load_occupations(SETTINGS.occupations_file))
    programmes.use(programmes.load_programmes(SETTINGS.programmes_file))
    staff.use(staff.load_staff(SETTINGS.staff_file))


def test_the_sample_file_reproduces_the_published_figures() -> None:
    # "more than 70 companies advised, 18 skilled workers placed, 6 of them since the service
    # became permanent in March 2024", from Tunisia, Morocco and Egypt.
    checked = check(SAMPLE, TODAY)
    assert checked.problems == []
    rows = [row for _, row in checked.rows]
    assert len({r.case_ref for r in rows}) == len({r.employer_name for r in rows}) == 70
    placed = [r for r in rows if r.job_started_on]
    assert len(placed) == 18
    assert sum(1 for r in placed if r.job_started_on and r.job_started_on >= date(2024, 3, 1)) == 6
    assert {r.origin_country for r in placed} == {"TN", "MA", "EG"}
    assert {r.occupation for r in placed} == {"cnc_machinist", "shk_installer", "system_gastronomy"}


def test_every_problem_is_named_by_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "cases.csv"
    bad.write_text(
        "Fallnummer,Arbeitgeber,Erstberatung,Beruf,Aufenthaltszweck,Kandidat,Herkunftsland,Programm,Arbeitsvertrag,Visum,"
        "Beendet,Grund\n"
        "A-1,Firma Eins GmbH,01.02.2025,cnc_machinist,18a,THAMM-1,TN,THAMM Plus,01.03.2025,\n"  # fine
        "A-2,Firma Zwei GmbH,01.02.2025,astronaut,18a,,,,,\n"  # unknown occupation
        "A-3,Firma Drei GmbH,01.02.2031,cook,18a,,,,,\n"  # in the future
        "A-4,Firma Vier GmbH,01.02.2025,cook,18a,THAMM-4,TN,THAMM Plus,01.01.2025,\n"  # contract before advice
        "A-5,Firma Fünf GmbH,01.02.2025,cook,18a,,,,01.03.2025,\n"  # a milestone without a candidate
        "A-6,Firma Sechs GmbH,01.02.2025,cook,18a,MAX-MUSTERMANN,TN,THAMM Plus,,\n"  # not THAMM's format
        "A-1,Firma Eins GmbH,01.02.2025,cnc_machinist,18a,THAMM-1,TN,THAMM Plus,,\n"  # the same key again
        "A-7,Firma Sieben GmbH,01.02.2025,cook,18a,,,,,,01.03.2025,no_contact\n"  # a case's end: fine
        "A-8,Firma Acht GmbH,01.02.2025,cook,18a,,,,,,01.03.2025,other_offer\n"  # a candidate's code for a case
        "A-1,Firma Eins GmbH,01.02.2025,cnc_machinist,18a,,,THAMM Plus,,,01.04.2025,no_contact\n"  # has candidates
        "A-9,Firma Neun GmbH,01.02.1900,cook,18a,,,,,,,\n",  # absurdly long ago
        encoding="utf-8",
    )
    found = {(p.row, p.column): p.why for p in check(bad, TODAY).problems}
    assert set(found) == {
        (3, "Beruf"), (4, "Erstberatung"), (5, "Arbeitsvertrag"), (6, "Kandidat"), (7, "Kandidat"), (8, "Kandidat"),
        (10, "Grund"), (11, "Beendet"), (12, "Erstberatung"),
    }  # fmt: skip
    assert "more than 10 years ago" in found[(12, "Erstberatung")]
    assert "not one of filled_otherwise" in found[(10, "Grund")]
    assert "case A-1 has candidates" in found[(11, "Beendet")]
    assert "not an occupation code" in found[(3, "Beruf")]
    assert "future" in found[(4, "Erstberatung")]
    assert "before advised_on" in found[(5, "Arbeitsvertrag")]
    assert "required with contract_signed_on" in found[(6, "Kandidat")]
    assert "row 2" in found[(8, "Kandidat")]


def test_the_case_workflow_door_refuses_an_impossible_import() -> None:
    # The same rules as the file check, for whatever client starts a case with ``imported``.
    journey = ImportedJourney(
        row=2, candidate=SelectedCandidate(candidate_ref="THAMM-1", origin_country="TN"),
        contract_signed_on=date(2025, 3, 1), visa_issued_on=date(2025, 2, 1),
    )  # fmt: skip
    imported = ImportedCase(case_ref="A-1", file="x.csv", rows=[2], advised_on=date(1900, 2, 1), journeys=[journey])
    found = imported.findings(TODAY)
    assert any("advised_on: 1900-02-01 is more than 10 years ago" in f for f in found)
    assert any("row 2, visa_issued_on: 2025-02-01 is before contract_signed_on" in f for f in found)
    ended = ImportedCase(case_ref="A-2", file="x.csv", rows=[3], advised_on=date(2025, 2, 1), ended_on=date(2025, 1, 1))
    assert {f.split(":")[0] for f in ended.findings(TODAY)} == {"imported.end_reason_code", "imported.ended_on"}


def test_the_advisor_column_names_each_case_s_advisor_and_the_importer_stays_on_record(tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "Fallnummer;Beratung;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck\n"
        "B-1;a.yilmaz;Firma Eins GmbH;01.02.2025;cook;18a\n"
        "B-2;;Firma Zwei GmbH;01.02.2025;cook;18a\n"
        "B-3;nobody.here;Firma Drei GmbH;01.02.2025;cook;18a\n",
        encoding="utf-8",
    )
    checked = check(file, TODAY)
    assert [(p.row, p.column) for p in checked.problems] == [(4, "Beratung")]  # as the file names it
    assert "not on the staff list" in checked.problems[0].why
    one, two = cases(checked, file.name, "m.koch")
    assert (one.advisor, two.advisor) == ("a.yilmaz", "m.koch")
    assert one.imported is not None and one.imported.by == "m.koch"


def test_unknown_and_missing_columns_are_named_before_any_row(tmp_path: Path) -> None:
    bad = tmp_path / "cases.csv"
    bad.write_text("Fallnummer;Arbeitgeber;Erstberatung;Beruf;Geburtsdatum\nA-1;X GmbH;01.02.2025;cook;01.01.1990\n")
    problems = [str(p) for p in check(bad, TODAY).problems]
    assert "row 1, column Geburtsdatum: unknown column (see models/import_rows.py for the set)" in problems
    assert "row 1, column route / Aufenthaltszweck: required column missing" in problems


def test_xlsx_with_english_columns_and_date_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["case_ref", "employer_name", "advised_on", "occupation", "route", "candidate_ref", "origin_country"])
    sheet.append(["B-1", "Firma GmbH", datetime(2025, 2, 1), "nurse", "18a", "ANETI-7", "TN"])
    book.save(tmp_path / "cases.xlsx")
    checked = check(tmp_path / "cases.xlsx", TODAY)
    assert checked.problems == [] and checked.rows[0][1].advised_on == date(2025, 2, 1)


async def test_the_command_checks_and_changes_nothing(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    # No client: the check never reaches Temporal.
    assert await main(["import", str(SAMPLE), "--dry-run"], settings=SETTINGS, out=out, err=err) == 0
    # German by default (SETTINGS has no language): the counts as the office reads them.
    assert "70 Zeile(n) gültig: 70 Fall/Fälle, 30 Verlauf/Verläufe, 18 vermittelt; 0 Problem(e)" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    # Importing needs to know who imports: refused before anything is read or started.
    assert await main(["import", str(SAMPLE)], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert "advisor: missing" in err.getvalue()
    broken = tmp_path / "cases.csv"
    broken.write_text("Fallnummer;Arbeitgeber\nA-1;X GmbH\n")
    assert await main(["import", str(broken), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert await main(["import", str(tmp_path / "nothing.txt"), "--dry-run"], settings=SETTINGS, out=out, err=err) == 2


def test_the_sample_file_is_what_its_script_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import make_import_sample

    monkeypatch.setattr(make_import_sample, "OUT", tmp_path / "past-cases.csv")
    make_import_sample.main()
    assert (tmp_path / "past-cases.csv").read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


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
    return build_report(stack.engine, since=date(2024, 3, 1))


@pytest_asyncio.fixture(loop_scope="session")
async def own_records(stack: Stack, tmp_path: Path) -> AsyncIterator[Stack]:
    """A worker with a records database of its own: the sample's figures, not the session's."""
    url = f"sqlite:///{tmp_path / 'imported.sqlite3'}"
    engine = create_records_engine(url)
    migrate(engine)
    settings = stack.settings.model_copy(
        update={"database_url": url, "task_queue": f"{stack.settings.task_queue}-import"}
    )
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        worker = build_worker(stack.client, settings, engine, executor)
        async with worker:
            yield Stack(stack.client, settings, engine, stack.smtp, worker)
    engine.dispose()


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
    code, out, err = await _run(stack, "report", "--since", "2024-03-01")
    assert code == 0, err
    assert re.search(r"Companies advised\s+70\b", out) and re.search(r"People placed\s+18\b", out)
    assert re.search(r"of them since 2024-03-01\s+6\b", out)

    # Imported history: dated as the file has it, marked with who, when, file and row.
    case_id = imported_case_id("HIST-014")
    case = await stack.client.get_workflow_handle(workflow_id_for(case_id)).query(
        names.Case.status, result_type=CaseState
    )
    assert local_date(case.opened_at) == date(2023, 7, 25)
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
    assert local_date(ended.history[1].occurred_at) == date(2023, 8, 13)
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
    assert local_date(journey.state.finished_at) == date(2024, 11, 19)  # probation passed
    assert journey.state.job_started_on == date(2024, 5, 20)
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
    started = date(2026, 5, 4)  # probation due 2026-11-04: reminder, due and team lead lie before today
    file = tmp_path / "running.csv"
    file.write_text(
        "case_ref;employer_name;advised_on;occupation;route;origin_programme;candidate_ref;origin_country;"
        "contract_signed_on;visa_issued_on;arrived_on;job_started_on\n"
        f"{ref};Firma Laufend GmbH;2025-09-12;cnc_machinist;18a;THAMM Plus;ANETI-9001;TN;2025-11-03;2026-04-01;"
        f"2026-04-27;{started.isoformat()}\n",
        encoding="utf-8",
    )
    code, out, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == 0, err
    case_id = imported_case_id(ref)
    case_handle = stack.client.get_workflow_handle(workflow_id_for(case_id))

    async def journey_view() -> JourneyView | None:
        case = await case_handle.query(names.Case.status, result_type=CaseState)
        if not case.journeys:
            return None
        handle = stack.client.get_workflow_handle(case.journeys[0].workflow_id)
        try:
            return await handle.query(names.Journey.status, result_type=JourneyView)
        except RPCError:
            return None  # not started yet

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
        date(2026, 11, 4),
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
        "--passed-on", "2026-11-04",
    )  # fmt: skip
    assert code == 0, err

    async def emailed() -> bool:
        return any(
            case_id in str(m["Subject"]) and "Probation passed" in str(m["Subject"]) for m in stack.smtp.messages
        )

    await _until(emailed, "the live step's email", seconds=60)


async def test_an_import_with_a_problem_starts_nothing(stack: Stack, tmp_path: Path) -> None:
    ref = f"BAD-{uuid.uuid4().hex[:8]}"
    file = tmp_path / "bad.csv"
    file.write_text(
        "case_ref;employer_name;advised_on;occupation;route\n"
        f"{ref};Firma Gut GmbH;2025-01-12;cnc_machinist;18a\n"
        f"{ref}-2;Firma Schlecht GmbH;2025-01-12;astronaut;18a\n",
        encoding="utf-8",
    )
    code, out, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == EXIT_BAD_INPUT
    assert "row 3, column occupation" in out and "nothing imported" in out
    with pytest.raises(RPCError):
        await stack.client.get_workflow_handle(workflow_id_for(imported_case_id(ref))).describe()
