"""An employment that ends after the placement, through the starter (#24): the placed journey's
workflow has completed, so record-employment-ended reopens it in a new run from its final
state; the employer's report then places it again. A refused end changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus

from core import names
from models import clock
from models.case import CaseState, workflow_id_for
from models.journey import JourneyOutcome, JourneyStage, JourneyView, Milestone
from starter.importing import imported_case_id
from tests.conftest import Stack
from tests.starter.test_import import _run, _until
from tests.workflows.case_flow import ADVISOR

HEADER = (
    "Fallnummer;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck;Programm;Kandidat;Herkunftsland;"
    "Arbeitsvertrag;Visum;Einreise;Arbeitsaufnahme;Probezeit bestanden\n"
)


async def test_an_end_after_the_placement_reopens_the_journey_for_the_employer_s_report(
    stack: Stack, tmp_path: Path
) -> None:
    ref = f"END-{uuid.uuid4().hex[:8]}"
    started = clock.today() - timedelta(days=300)
    file = tmp_path / "placed.csv"
    file.write_text(
        HEADER + f"{ref};Firma Ende GmbH;{started - timedelta(days=200)};cnc_machinist;18a;THAMM Plus;THAMM-7001;TN;"
        f"{started - timedelta(days=150)};{started - timedelta(days=30)};{started - timedelta(days=5)};{started};"
        f"{started + timedelta(days=180)}\n",
        encoding="utf-8",
    )
    code, _, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == 0, err
    case_id = imported_case_id(ref)
    case_handle = stack.client.get_workflow_handle(workflow_id_for(case_id))

    async def case_closed() -> bool:
        case = await case_handle.query(names.Case.status, result_type=CaseState)
        return case.outcome is not None

    await _until(case_closed, "the imported placement")
    case = await case_handle.query(names.Case.status, result_type=CaseState)
    journey = stack.client.get_workflow_handle(case.journeys[0].workflow_id)
    before: JourneyView = await journey.query(names.Journey.status, result_type=JourneyView)
    assert before.state.outcome is JourneyOutcome.PLACED

    who = ("--candidate", "THAMM-7001", "--advisor", ADVISOR)
    # Refused (before the job started): the journey stays as it was.
    too_early = (started - timedelta(days=1)).isoformat()
    code, _, err = await _run(stack, "record-employment-ended", case_id, *who, "--ended-on", too_early,
                              "--reason-code", "resigned")  # fmt: skip
    assert code != 0 and "ended_on" in err
    view: JourneyView = await journey.query(names.Journey.status, result_type=JourneyView)
    assert view.state.outcome is JourneyOutcome.PLACED and len(view.state.history) == len(before.state.history)

    ended = clock.today() - timedelta(days=20)  # learned of it late: the report is due within two weeks
    code, out, err = await _run(stack, "record-employment-ended", case_id, *who, "--ended-on", ended.isoformat(),
                                "--reason-code", "resigned")  # fmt: skip
    assert code == 0, err
    assert "after probation" in out or "nach der Probezeit" in out
    view = await journey.query(names.Journey.status, result_type=JourneyView)
    assert view.state.stage is JourneyStage.EMPLOYER_REPORT_DUE
    assert view.state.open_milestones == [Milestone.EMPLOYER_REPORT_DUE]
    assert "record-employer-report" in view.next_steps
    (report,) = [x for x in view.state.deadlines if x.open]
    assert ended + timedelta(weeks=4) <= report.due_on <= ended + timedelta(weeks=4, days=3)  # §193 BGB

    # The case closed long ago: the reopened journey's deadline is still in the advisor's digest.
    code, out, err = await _run(stack, "digest", "--advisor", ADVISOR, "--json")
    assert code == 0, err
    listed = {(i["case_id"], i["where"], i["due_on"]) for i in json.loads(out)["due_soon"]}
    assert (case_id, "journey 1", report.due_on.isoformat()) in listed

    code, _, err = await _run(
        stack, "record-employer-report", case_id, *who, "--reported-on", clock.today().isoformat()
    )
    assert code == 0, err

    async def placed_again() -> bool:
        return (await journey.describe()).status is WorkflowExecutionStatus.COMPLETED

    await _until(placed_again, "the journey's end after the report")
    view = await journey.query(names.Journey.status, result_type=JourneyView)
    assert view.state.outcome is JourneyOutcome.PLACED and view.state.employment_ended_on == ended
    assert [e.action for e in view.state.history[-2:]] == ["employment_ended", "employer_reported"]
