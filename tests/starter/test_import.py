"""`bin/starter import FILE --dry-run` (#16 point 1, first part): every row checked, the
problems named by row and column, nothing changed; the sample file of past cases."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.config import Settings
from models import occupations, programmes
from starter.cli import EXIT_BAD_INPUT, EXIT_REJECTED, main
from starter.importing import check

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "past-cases.csv"
TODAY = date(2026, 11, 27)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def office_lists() -> None:
    occupations.use(occupations.load_occupations(SETTINGS.occupations_file))
    programmes.use(programmes.load_programmes(SETTINGS.programmes_file))


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
        "Fallnummer,Arbeitgeber,Erstberatung,Beruf,Aufenthaltszweck,Kandidat,Herkunftsland,Programm,Arbeitsvertrag,Visum\n"
        "A-1,Firma Eins GmbH,01.02.2025,cnc_machinist,18a,THAMM-1,TN,THAMM Plus,01.03.2025,\n"  # fine
        "A-2,Firma Zwei GmbH,01.02.2025,astronaut,18a,,,,,\n"  # unknown occupation
        "A-3,Firma Drei GmbH,01.02.2031,cook,18a,,,,,\n"  # in the future
        "A-4,Firma Vier GmbH,01.02.2025,cook,18a,THAMM-4,TN,THAMM Plus,01.01.2025,\n"  # contract before advice
        "A-5,Firma Fünf GmbH,01.02.2025,cook,18a,,,,01.03.2025,\n"  # a milestone without a candidate
        "A-6,Firma Sechs GmbH,01.02.2025,cook,18a,MAX-MUSTERMANN,TN,THAMM Plus,,\n"  # not THAMM's format
        "A-1,Firma Eins GmbH,01.02.2025,cnc_machinist,18a,THAMM-1,TN,THAMM Plus,,\n",  # the same key again
        encoding="utf-8",
    )
    found = {(p.row, p.column): p.why for p in check(bad, TODAY).problems}
    assert set(found) == {
        (3, "Beruf"), (4, "Erstberatung"), (5, "Arbeitsvertrag"), (6, "Kandidat"), (7, "Kandidat"), (8, "Kandidat")
    }  # fmt: skip
    assert "not an occupation code" in found[(3, "Beruf")]
    assert "future" in found[(4, "Erstberatung")]
    assert "before advised_on" in found[(5, "Arbeitsvertrag")]
    assert "required with contract_signed_on" in found[(6, "Kandidat")]
    assert "row 2" in found[(8, "Kandidat")]


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
    assert "70 row(s) valid: 70 case(s), 30 journey(s), 18 placed; 0 problem(s)" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert await main(["import", str(SAMPLE)], settings=SETTINGS, out=out, err=err) == EXIT_REJECTED
    assert "only --dry-run" in err.getvalue()
    broken = tmp_path / "cases.csv"
    broken.write_text("Fallnummer;Arbeitgeber\nA-1;X GmbH\n")
    assert await main(["import", str(broken), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert await main(["import", str(tmp_path / "nothing.txt"), "--dry-run"], settings=SETTINGS, out=out, err=err) == 2


def test_the_sample_file_is_what_its_script_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import make_import_sample

    monkeypatch.setattr(make_import_sample, "OUT", tmp_path / "past-cases.csv")
    make_import_sample.main()
    assert (tmp_path / "past-cases.csv").read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")
