"""Writes examples/past-cases.csv: invented past cases that reproduce the Welcome Center's
published figures (#16 point 1): more than 70 companies advised since the pilot (here 70),
18 skilled workers placed from Tunisia, Morocco and Egypt, 6 of them since the service
became permanent on 2024-03-01, as CNC machinists, SHK installers and in system
gastronomy. German column names, German dates; every name and reference is invented.
Employers advised without a candidate before 2025 are closed (with a case withdrawal code);
those advised since are still open.

    .venv/bin/python -m scripts.make_import_sample     # rewrites the file (deterministic)
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "examples" / "past-cases.csv"
HEADER = [
    "Fallnummer", "Arbeitgeber", "Erstberatung", "Beruf", "Aufenthaltszweck", "Verfahren", "Programm",
    "Kandidat", "Herkunftsland", "Arbeitsvertrag", "Anerkennung", "Zustimmung BA", "Visum", "Einreise",
    "Arbeitsaufnahme", "Probezeit bestanden", "Beendet", "Grund",
]  # fmt: skip
OCCUPATIONS = ["cnc_machinist", "shk_installer", "system_gastronomy"]
COUNTRIES = [("TN", "ANETI"), ("MA", "ANAPEC"), ("EG", "EG")]
PERMANENT = date(2024, 3, 1)
# Employers advised before this day without a candidate are closed cases in the file.
NO_CANDIDATE_CLOSED_BEFORE = date(2025, 1, 1)
CASE_ENDS = ["filled_otherwise", "no_contact", "vacancy_cancelled", "requirements_not_met"]


def de(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def rows() -> list[list[str]]:
    out: list[list[str]] = []
    for n in range(1, 71):
        case_ref = f"HIST-{n:03d}"
        employer = f"Beispielbetrieb {n:02d} GmbH"
        occupation = OCCUPATIONS[n % 3]
        route = "16a" if occupation == "system_gastronomy" else "18a"
        country, agency = COUNTRIES[n % 3]
        placed = n <= 18
        # Placements: 12 before 2024-03-01 (pilot), 6 after (permanent service).
        start = date(2021, 9, 1) + timedelta(days=45 * n) if n <= 12 else PERMANENT + timedelta(days=40 * (n - 12))
        # Employers advised without a placement are spread over the years since the pilot.
        advised = start - timedelta(days=300) if placed else date(2021, 3, 1) + timedelta(days=25 * n)
        base = [case_ref, employer, de(advised), occupation, route, "regular", "THAMM Plus"]
        if placed:
            contract = advised + timedelta(days=60)
            recognition = None if route == "16a" else contract + timedelta(days=70)
            consent = contract + timedelta(days=120)
            visa = consent + timedelta(days=50)
            arrived = start - timedelta(days=10)
            probation = start + timedelta(days=183) if start + timedelta(days=183) < date(2026, 11, 1) else None
            out.append([
                *base, f"{agency}-{1000 + n}", country, de(contract), de(recognition), de(consent), de(visa),
                de(arrived), de(start), de(probation), "", "",
            ])  # fmt: skip
        elif n <= 30:
            # A candidate who withdrew before arriving.
            out.append([
                *base, f"{agency}-{2000 + n}", country, de(advised + timedelta(days=60)), "", "", "", "", "", "",
                de(advised + timedelta(days=150)), "other_offer",
            ])  # fmt: skip
        elif advised < NO_CANDIDATE_CLOSED_BEFORE:
            # Advised, no candidate found: the case ended after a few months.
            ended = advised + timedelta(days=120)
            out.append([*base, "", "", "", "", "", "", "", "", "", de(ended), CASE_ENDS[n % len(CASE_ENDS)]])
        else:
            out.append([*base, "", "", "", "", "", "", "", "", "", "", ""])  # advised, no candidate (yet)
    return out


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows())
    print(OUT)


if __name__ == "__main__":
    main()
