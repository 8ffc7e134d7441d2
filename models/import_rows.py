"""The import file's rows (#16 point 1): one row per candidate journey, or per employer
advised without a candidate, with the dates of the milestones it reached.

Columns (English name, or the German one; any order; unknown columns are refused so a typo
does not drop a date silently). No column takes a name: candidates are references.

| column | German | |
|---|---|---|
| case_ref | Fallnummer | the spreadsheet's own case number; rows with one case_ref are one case |
| advisor | Beratung | the case's advisor (a staff handle); empty: who imports |
| employer_name | Arbeitgeber | |
| advised_on | Erstberatung | first consultation |
| occupation | Beruf | an occupation code (bin/starter occupations) |
| route | Aufenthaltszweck | a route code (models/routes.py), e.g. 18a, 16d1 |
| procedure | Verfahren | regular (default) or 81a |
| origin_programme | Programm | e.g. THAMM Plus (checks the candidate reference's format) |
| candidate_ref | Kandidat | empty: the employer was advised, no candidate selected |
| origin_country | Herkunftsland | ISO code, e.g. TN, MA, EG |
| contract_signed_on | Arbeitsvertrag | |
| recognition_decided_on | Anerkennung | full recognition; on a §16d route: after entry (then §18a) |
| ba_consent_on | Zustimmung BA | |
| ba_path | Zustimmungsweg | embassy, abh_81a or vorabzustimmung (default: the mission's; the ABH's in §81a) |
| visa_issued_on | Visum | |
| visa_valid_until | Visum gültig bis | the visa label's date: the residence permit is applied for by then |
| arrived_on | Einreise | |
| job_started_on | Arbeitsaufnahme | placed from this day |
| probation_passed_on | Probezeit bestanden | |
| registered_on | Anmeldung | after arrival |
| permit_granted_on | Aufenthaltstitel | the residence permit granted, after arrival |
| permit_valid_until | Aufenthaltstitel gültig bis | the date on the card (with permit_granted_on) |
| ended_on | Beendet | the journey ended without (or after) a placement; without a candidate: the case ended |
| end_reason_code | Grund | a reason code (models/reasons.py) with ended_on: why the candidate withdrew or the |
| | | employment ended; without a candidate a case withdrawal code (e.g. filled_otherwise) |

A row's key is (case_ref, candidate_ref): importing the same file twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import StringConstraints, model_validator

from models.case import (
    CURRENT_PROCESS_VERSION,
    IMPORTED_DATES,
    AdvisorHandle,
    CandidateRef,
    CountryCode,
    ImportedDates,
    ImportedJourney,
    Procedure,
    ResidenceRoute,
    SelectedCandidate,
    advised_on_findings,
    ba_path_finding,
)
from models.reasons import CaseWithdrawalReason
from models.said import Invalid, Said, say
from models.text import OneLine

CaseRef = Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

GERMAN_COLUMNS = {
    "Fallnummer": "case_ref",
    "Beratung": "advisor",
    "Arbeitgeber": "employer_name",
    "Erstberatung": "advised_on",
    "Beruf": "occupation",
    "Aufenthaltszweck": "route",
    "Verfahren": "procedure",
    "Programm": "origin_programme",
    "Kandidat": "candidate_ref",
    "Herkunftsland": "origin_country",
    "Arbeitsvertrag": "contract_signed_on",
    "Anerkennung": "recognition_decided_on",
    "Zustimmung BA": "ba_consent_on",
    "Visum": "visa_issued_on",
    "Visum gültig bis": "visa_valid_until",
    "Einreise": "arrived_on",
    "Arbeitsaufnahme": "job_started_on",
    "Probezeit bestanden": "probation_passed_on",
    "Anmeldung": "registered_on",
    "Aufenthaltstitel": "permit_granted_on",
    "Aufenthaltstitel gültig bis": "permit_valid_until",
    "Beendet": "ended_on",
    "Grund": "end_reason_code",
    "Zustimmungsweg": "ba_path",
}


class ImportRow(ImportedDates):
    case_ref: CaseRef
    advisor: AdvisorHandle | None = None
    employer_name: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    advised_on: date
    occupation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    route: ResidenceRoute
    procedure: Procedure = Procedure.REGULAR
    origin_programme: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, max_length=80)] | None = None
    candidate_ref: CandidateRef | None = None
    origin_country: CountryCode | None = None
    # ... and the journey's dates (ImportedDates)

    @model_validator(mode="after")
    def _a_journey_needs_its_candidate(self) -> ImportRow:
        dated = [name for name in IMPORTED_DATES if getattr(self, name) is not None]
        if dated and self.candidate_ref is None:
            raise Invalid(say("candidate_ref: required with {column} (a milestone is a candidate's)", column=dated[0]))
        if self.candidate_ref is not None and self.origin_country is None:
            raise Invalid(say("origin_country: required with a candidate"))
        return self

    @property
    def key(self) -> tuple[str, str]:
        return self.case_ref, self.candidate_ref or ""

    def journey(self, row: int) -> ImportedJourney | None:
        """The row's candidate journey as the case workflow takes it; None without a candidate."""
        if self.candidate_ref is None or self.origin_country is None:
            return None
        candidate = SelectedCandidate(candidate_ref=self.candidate_ref, origin_country=self.origin_country)
        extra = ("ended_on", "end_reason_code", "visa_valid_until", "permit_valid_until", "ba_path")
        dates = {n: getattr(self, n) for n in (*IMPORTED_DATES, *extra)}
        after_entry = self.route.rules.after_entry_at(CURRENT_PROCESS_VERSION) is not None
        return ImportedJourney(row=row, candidate=candidate, recognition_after_entry=after_entry, **dates)

    def case_end(self) -> tuple[date | None, CaseWithdrawalReason | None]:
        """Without a candidate, ``ended_on`` ends the case itself (a case withdrawal code)."""
        if self.candidate_ref is not None or self.ended_on is None:
            return None, None
        codes = {c.value: c for c in CaseWithdrawalReason}
        return self.ended_on, codes.get(self.end_reason_code or "")

    def chronology_findings(self, today: date) -> list[tuple[str, Said]]:
        """(column, why) for dates in the future or out of the journey's order, codes that do
        not fit: the workflow's own checks (``ImportedJourney.findings``,
        ``ImportedCase.findings``), so both refuse alike."""
        found = advised_on_findings(self.advised_on, today)
        journey = self.journey(row=2)
        if journey is not None:
            if why := ba_path_finding(self.ba_path, self.procedure):
                found.append(("ba_path", why))
            return found + journey.findings(self.advised_on, today)
        if self.candidate_ref is None and self.end_reason_code is not None and self.ended_on is None:
            found.append(("ended_on", say("required with end_reason_code")))
        ended_on, code = self.case_end()
        if ended_on is not None:
            if code is None:
                codes = ", ".join(c.value for c in CaseWithdrawalReason)
                found.append(
                    (
                        "end_reason_code",
                        say("'{code}' is not one of {codes}", code=self.end_reason_code or "", codes=codes),
                    )
                )
            if ended_on > today:
                found.append(
                    ("ended_on", say("{day} lies in the future (the import records what happened)", day=ended_on))
                )
            elif ended_on < self.advised_on:
                found.append(
                    (
                        "ended_on",
                        say(
                            "{day} is before {earlier} ({earlier_day})",
                            day=ended_on,
                            earlier="advised_on",
                            earlier_day=self.advised_on,
                        ),
                    )
                )
        return found
