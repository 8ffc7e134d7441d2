"""`bin/starter import FILE --dry-run` in the office's language (#24 point 4): every problem line
German, the dates as the office writes them; the rows dated from today, so that "in the
future" stays in the future on any day."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from models import clock
from starter.cli import EXIT_BAD_INPUT, main
from tests.english import assert_german
from tests.starter.test_import_check import SETTINGS, office_lists  # noqa: F401 - the office's lists, autouse


async def test_the_dry_runs_problem_lines_are_german(tmp_path: Path) -> None:
    # #24 point 4: every line the office reads, in German, dates as it writes them.
    soon = clock.today() + timedelta(days=30)
    advised = clock.today() - timedelta(days=200)
    bad = tmp_path / "cases.csv"
    bad.write_text(
        "Fallnummer;Arbeitgeber;Erstberatung;Beruf;Aufenthaltszweck;Kandidat;Herkunftsland;Programm;Arbeitsvertrag;"
        "Beendet;Grund;Hutgröße\n"
        f"A-2;Firma Zwei GmbH;{advised:%d.%m.%Y};astronaut;18a;;;;;;;\n"
        f"A-3;Firma Drei GmbH;{soon:%d.%m.%Y};cook;18a;;;;;;;\n"
        f"A-5;Firma Fünf GmbH;{advised:%d.%m.%Y};cook;18a;;;;{advised:%d.%m.%Y};;;\n"
        f"A-6;Firma Sechs GmbH;{advised:%d.%m.%Y};cook;18a;MAX-MUSTERMANN;TN;THAMM Plus;;;;\n"
        f"A-7;Firma Sieben GmbH;{advised:%d.%m.%Y};cook;18a;;;;;{advised:%d.%m.%Y};bored;\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert await main(["import", str(bad), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    assert out.getvalue().startswith("Zeile 1, Spalte Hutgröße: unbekannte Spalte"), out.getvalue()
    bad.write_text("\n".join(line.removesuffix(";Hutgröße").removesuffix(";") for line in bad.read_text().splitlines()))
    out, err = io.StringIO(), io.StringIO()
    assert await main(["import", str(bad), "--dry-run"], settings=SETTINGS, out=out, err=err) == EXIT_BAD_INPUT
    lines = out.getvalue()
    assert "Zeile 2, Spalte Beruf: occupation: kein Berufscode der Liste" not in lines  # the field is the column
    assert "Zeile 2, Spalte Beruf: kein Berufscode der Liste" in lines
    assert f"Zeile 3, Spalte Erstberatung: {soon:%d.%m.%Y} liegt in der Zukunft" in lines
    assert "Zeile 4, Spalte Kandidat: Pflichtangabe bei contract_signed_on" in lines
    assert "Zeile 5, Spalte Kandidat: 'MAX-MUSTERMANN' ist keine Kennung von THAMM Plus" in lines
    assert "Zeile 6, Spalte Grund: 'bored' ist keiner von" in lines
    assert_german(lines, "import --dry-run")
