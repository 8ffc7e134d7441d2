"""An imported journey in probation whose file gives its Anmeldung and residence permit (#24):
only the probation (and the §18a integration course) stays open, so the live steps place it."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

from core import names
from models import clock
from models.case import CaseState, workflow_id_for
from models.journey import JourneyOutcome, JourneyView, Milestone
from starter.importing import imported_case_id
from tests.conftest import Stack
from tests.starter.test_import import _run, _until, first_journey
from tests.workflows.case_flow import ADVISOR


async def test_an_imported_journey_with_anmeldung_and_permit_is_placed_by_its_live_steps(
    stack: Stack, tmp_path: Path
) -> None:
    ref = f"PERMIT-{uuid.uuid4().hex[:8]}"
    started = clock.today() - timedelta(days=100)
    file = tmp_path / "permit.csv"
    file.write_text(  # the German column names, as the office's spreadsheet has them
        "Fallnummer;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck;Programm;Kandidat;Herkunftsland;"
        "Arbeitsvertrag;Visum;Visum gültig bis;Einreise;Arbeitsaufnahme;Anmeldung;Aufenthaltstitel;"
        "Aufenthaltstitel gültig bis\n"
        f"{ref};Firma Titel GmbH;{started - timedelta(days=234)};cnc_machinist;18a;THAMM Plus;ANETI-9002;TN;"
        f"{started - timedelta(days=182)};{started - timedelta(days=33)};{started + timedelta(days=60)};"
        f"{started - timedelta(days=7)};{started};{started + timedelta(days=10)};{started + timedelta(days=40)};"
        f"{started + timedelta(days=40 + 3 * 365)}\n",
        encoding="utf-8",
    )
    code, _, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == 0, err
    case_id = imported_case_id(ref)
    case_handle = stack.client.get_workflow_handle(workflow_id_for(case_id))

    async def journey_view() -> JourneyView | None:
        return await first_journey(stack, case_id)

    async def in_probation() -> bool:
        view = await journey_view()
        return view is not None and len(view.state.history) >= 2

    await _until(in_probation, "the imported journey")
    view = await journey_view()
    assert view is not None
    assert view.state.open_milestones == [Milestone.PROBATION, Milestone.INTEGRATION_COURSE]
    assert {Milestone.ANMELDUNG, Milestone.RESIDENCE_PERMIT} <= set(view.state.done_milestones)
    assert view.state.permit_valid_until == started + timedelta(days=40 + 3 * 365)

    who = ("--candidate", "ANETI-9002", "--advisor", ADVISOR)
    code, _, err = await _run(stack, "record-probation-passed", case_id, *who, "--passed-on", clock.today().isoformat())
    assert code == 0, err
    code, _, err = await _run(
        stack, "record-integration-course", case_id, *who, "--status", "registered",
        "--recorded-on", clock.today().isoformat(),
    )  # fmt: skip
    assert code == 0, err

    async def placed() -> bool:
        case = await case_handle.query(names.Case.status, result_type=CaseState)
        return bool(case.journeys) and case.journeys[0].outcome == JourneyOutcome.PLACED

    await _until(placed, "the placement")


async def test_a_placed_journey_s_permit_ending_soon_is_in_the_advisor_s_digest(stack: Stack, tmp_path: Path) -> None:
    # #24: the permit's renewal is the office's next duty after the placement: the journey has
    # ended, the records keep the permit's end, and the digest lists it 90 days ahead.
    ref = f"RENEW-{uuid.uuid4().hex[:8]}"
    started = clock.today() - timedelta(days=400)
    ends = clock.today() + timedelta(days=60)
    file = tmp_path / "renew.csv"
    file.write_text(
        "Fallnummer;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck;Programm;Kandidat;Herkunftsland;"
        "Arbeitsvertrag;Visum;Visum gültig bis;Einreise;Arbeitsaufnahme;Anmeldung;Aufenthaltstitel;"
        "Aufenthaltstitel gültig bis;Probezeit bestanden\n"
        f"{ref};Firma Titel GmbH;{started - timedelta(days=234)};cnc_machinist;18a;THAMM Plus;ANETI-9003;TN;"
        f"{started - timedelta(days=182)};{started - timedelta(days=33)};{started + timedelta(days=60)};"
        f"{started - timedelta(days=7)};{started};{started + timedelta(days=10)};{started + timedelta(days=40)};"
        f"{ends};{started + timedelta(days=190)}\n",
        encoding="utf-8",
    )
    code, _, err = await _run(stack, "import", str(file), "--advisor", ADVISOR)
    assert code == 0, err
    case_id = imported_case_id(ref)

    async def listed() -> bool:
        code, out, err = await _run(stack, "digest", "--advisor", ADVISOR, "--json")
        assert code == 0, err
        renewals = json.loads(out)["renewals"]
        return any(r["case_id"] == case_id and r["due_on"] == ends.isoformat() for r in renewals)

    await _until(listed, "the permit in the digest")
    code, out, _ = await _run(stack, "digest", "--advisor", ADVISOR)
    assert code == 0 and case_id in out
