"""`bin/starter import FILE --dry-run` (#16 point 1): every row checked with the door's rules,
the problems named by row and column, nothing changed; the sample file's published figures.
Pure checks against a fixed "today" passed in (``TODAY``): the dates in the rows are read
against it, not against the day the tests run."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.config import Settings
from models import occupations, programmes, staff
from models.case import ImportedCase, ImportedJourney, SelectedCandidate
from starter.cli import EXIT_BAD_INPUT, main
from starter.importing import cases, check

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
    found = {(p.row, p.column): str(p.why) for p in check(bad, TODAY).problems}
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
    found = [str(f) for f in imported.findings(TODAY)]
    assert any("advised_on: 1900-02-01 is more than 10 years ago" in f for f in found)
    assert any("row 2, visa_issued_on: 2025-02-01 is before contract_signed_on" in f for f in found)
    ended = ImportedCase(case_ref="A-2", file="x.csv", rows=[3], advised_on=date(2025, 2, 1), ended_on=date(2025, 1, 1))
    assert {str(f).split(":")[0] for f in ended.findings(TODAY)} == {"imported.end_reason_code", "imported.ended_on"}


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
    assert "not on the staff list" in str(checked.problems[0].why)
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
    assert "advisor: fehlt" in err.getvalue()
    broken = tmp_path / "cases.csv"
    broken.write_text("Fallnummer;Arbeitgeber\nA-1;X GmbH\n")
    assert await main(["import", str(broken), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert await main(["import", str(tmp_path / "nothing.txt"), "--dry-run"], settings=SETTINGS, out=out, err=err) == 2


def test_the_sample_file_is_what_its_script_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import make_import_sample

    monkeypatch.setattr(make_import_sample, "OUT", tmp_path / "past-cases.csv")
    make_import_sample.main()
    assert (tmp_path / "past-cases.csv").read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


GOOD_ROW = "Fallnummer;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck\nA-1;Bäckerei Müller GmbH;01.02.2025;cook;18a\n"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        # a letter saved as .csv: no table (the csv sniffer used to raise)
        ("brief.csv", b"Sehr geehrte Damen und Herren\nanbei die Liste.\n", "erste Zeile hat keine"),
        # a text file named .xlsx (zipfile used to raise)
        ("faelle.xlsx", b"Fallnummer;Arbeitgeber\n", "keine Excel-Arbeitsmappe"),
        # a cell beyond the csv module's limit (131,072), and one beyond ours
        ("lang.csv", ("Fallnummer;Arbeitgeber\nA-1;" + "x" * 200_000 + "\n").encode(), "Zeile 2: eine Zelle mit mehr"),
        ("lang2.csv", ("Fallnummer;Arbeitgeber\nA-1;" + "x" * 20_000 + "\n").encode(), "Zeile 2: eine Zelle mit mehr"),
        ("binaer.csv", b"PK\x03\x04\x00\x00;,", "keine Textdatei"),
        ("leer.csv", b"", "ist leer"),
    ],
)
async def test_a_file_that_is_no_table_is_refused_in_german_with_exit_2(
    tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    assert await main(["import", str(path), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert err.getvalue().startswith(f"Fehler: Datei: {name}")
    assert says in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_german_excel_csv_in_windows_1252_is_read(tmp_path: Path) -> None:
    # Excel's "CSV (Trennzeichen-getrennt)" on a German Windows writes Windows-1252.
    path = tmp_path / "faelle.csv"
    path.write_bytes(GOOD_ROW.encode("cp1252"))
    checked = check(path, TODAY)
    assert checked.problems == []
    assert checked.rows[0][1].employer_name == "Bäckerei Müller GmbH"
    path.write_bytes(GOOD_ROW.encode("utf-8-sig"))  # and UTF-8 with its mark as before
    assert check(path, TODAY).rows[0][1].employer_name == "Bäckerei Müller GmbH"


def test_a_16d3_history_recognised_after_entry_and_a_ba_path_are_read(tmp_path: Path) -> None:
    # #24: a recognition partnership applies for recognition after entry, so its Anerkennung
    # lies after the Einreise; on §18a the same row is out of order. The Zustimmungsweg is a code.
    header = "Fallnummer,Arbeitgeber,Erstberatung,Beruf,Aufenthaltszweck,Kandidat,Herkunftsland,Programm,"
    header += "Arbeitsvertrag,Zustimmung BA,Zustimmungsweg,Visum,Einreise,Anerkennung\n"
    dates = "01.03.2025,01.05.2025,{path},01.06.2025,01.07.2025,02.03.2026"
    file = tmp_path / "partnership.csv"
    file.write_text(
        header
        + f"B-1,Firma Eins GmbH,01.02.2025,cnc_machinist,16d3,THAMM-1,TN,THAMM Plus,{dates.format(path='embassy')}\n"
        + f"B-2,Firma Zwei GmbH,01.02.2025,cnc_machinist,18a,THAMM-2,TN,THAMM Plus,{dates.format(path='')}\n"
        + f"B-3,Firma Drei GmbH,01.02.2025,cnc_machinist,16d3,THAMM-3,TN,THAMM Plus,{dates.format(path='fax')}\n",
        encoding="utf-8",
    )
    checked = check(file, TODAY)
    found = {(p.row, p.column): str(p.why) for p in checked.problems}
    assert set(found) == {(3, "Zustimmung BA"), (4, "Zustimmungsweg")}, found
    assert "before recognition_decided_on" in found[(3, "Zustimmung BA")]  # on §18a it comes first
    (journey,) = [row.journey(2) for _, row in checked.rows if row.case_ref == "B-1"]
    assert journey is not None and journey.recognition_after_entry and journey.ba_path == "embassy"
