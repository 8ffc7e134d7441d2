"""The case: its stages, the advisor actions that move it, and its state.

Workflow code imports this module, so it must stay deterministic: no clocks, no I/O.
Candidates are referenced by opaque ids; names and passport data never enter here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from models.clocks import Deadline, next_due_on
from models.counting import DATE_WINDOW_YEARS, date_window
from models.reasons import CandidateWithdrawalReason, CaseWithdrawalReason, CloseReason, EmploymentEndReason, codes_help
from models.routes import (
    CURRENT_PROCESS_VERSION,
    ROUTES,
    LocalAbh,
    Procedure,
    Qualification,
    QualificationLevel,
    ResidenceRoute,
    labels,
    routes_where,
)
from models.said import Invalid, Said, say
from models.text import FreeText, MultiLine, OneLine

CASE_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CASE_ID_PATTERN = r"^WC-[0-9A-HJKMNP-TV-Z]{10}$"
CaseId = Annotated[str, StringConstraints(pattern=CASE_ID_PATTERN)]


# Staff handles like "m.koch": the mailbox is derived from the configured staff domain.
SYSTEM_HANDLE = "system"  # the workflows' own entries; refused from clients at the door

AdvisorHandle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$"),
]
# An opaque candidate reference (e.g. a THAMM Plus profile number), never a name.
CandidateRef = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z0-9][A-Z0-9-]{2,39}$"), FreeText
]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")]
Reason = Annotated[str, MultiLine, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000), FreeText]
Note = Annotated[str, MultiLine, StringConstraints(strip_whitespace=True, max_length=2000), FreeText]


def _euros(value: object) -> object:
    """A wage as the office writes it: 4647,50 or 4.647,50 (German), 4647.50; whole euros as
    before. Dots that group thousands (3.400) are no decimal point."""
    if not isinstance(value, str):
        return value
    text = value.strip().removesuffix("EUR").removesuffix("€").strip().replace(" ", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return text.replace(".", "")
    return text


# Euros and cents (#24: 4,647.50 EUR a month is the 2026 threshold for 45+); journeys stored
# with whole euros load as they were.
MonthlyWage = Annotated[Decimal, BeforeValidator(_euros), Field(ge=1, le=100_000, decimal_places=2)]


def workflow_id_for(case_id: str) -> str:
    """Deterministic workflow id per case: retries of a start find the same case."""
    return f"case-{case_id}"


class Stage(StrEnum):
    CONSULTATION = "consultation"
    CANDIDATE_SELECTION = "candidate_selection"
    # Every selected candidate runs a journey of their own (JourneyWorkflow); the case
    # waits in this stage until all have finished. Replacements may be selected meanwhile.
    JOURNEYS = "journeys"
    CLOSED = "closed"


class Outcome(StrEnum):
    PLACED = "placed"
    PARTLY_PLACED = "partly_placed"
    NOT_PLACED = "not_placed"
    WITHDRAWN_BY_CANDIDATE = "withdrawn_by_candidate"
    WITHDRAWN_BY_EMPLOYER = "withdrawn_by_employer"
    WITHDRAWN_BY_WELCOME_CENTER = "withdrawn_by_welcome_center"


class WithdrawingParty(StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    WELCOME_CENTER = "welcome_center"

    @property
    def outcome(self) -> Outcome:
        return Outcome(f"withdrawn_by_{self.value}")


class BaConsentPath(StrEnum):
    """How the Bundesagentur für Arbeit is asked for its Zustimmung (§39 AufenthG)."""

    VORABZUSTIMMUNG = "vorabzustimmung"  # employer's pre-approval request, §36(3) BeschV
    EMBASSY = "embassy"  # the mission's internal request with the visa application
    ABH_81A = "abh_81a"  # the Ausländerbehörde inside the §81a procedure


class ConsentDecision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class VisaDecision(StrEnum):
    ISSUED = "issued"
    REFUSED = "refused"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _AdvisorAction(_Input):
    advisor: AdvisorHandle = Field(description="Handle of the advisor taking the action")
    note: Note | None = None


# --- Inputs: one typed model per workflow entry point ---------------------------------


class Employer(_Input):
    name: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    sector: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    # The employer's contact for the Welcome Center: a role mailbox or person at the
    # company. Kept in the case, never in search attributes or logs.
    contact: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] | None = (
        None
    )
    earlier_international_hires: bool | None = Field(
        default=None, description="has hired from abroad or refugees before"
    )


class NewCase(_Input):
    case_id: CaseId
    advisor: AdvisorHandle
    employer: Employer
    occupation: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
    positions: int = Field(default=1, ge=1, le=50)
    route: ResidenceRoute
    procedure: Procedure = Procedure.REGULAR
    origin_programme: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, max_length=80)] | None = None
    # Optional in the model so that cases opened before these fields existed still load;
    # NewCaseRequest (what advisors submit) requires them.
    qualification_level: QualificationLevel | None = None
    monthly_gross_wage_eur: MonthlyWage | None = None
    regulated_profession: bool | None = Field(
        default=None,
        description="§18b/§18g: the degree leads to a regulated profession (recognition; else comparability)",
    )
    shortage_occupation_or_career_starter: bool | None = Field(
        default=None, description="§18g: shortage occupation or career starter (lower threshold, with BA consent)"
    )
    collective_agreement: bool | None = Field(
        default=None, description="§19c(2): the employer is bound by a collective agreement (no salary threshold)"
    )
    local_abh: LocalAbh | None = Field(
        default=None,
        description="the Ausländerbehörde where the worker will live: city_of_hannover, region_hannover or elsewhere",
    )
    # Set by bin/starter import (#16): the case happened before it entered the product.
    imported: ImportedCase | None = None

    @model_validator(mode="after")
    def _route_fits_procedure(self) -> NewCase:
        if self.procedure is Procedure.ACCELERATED_81A and not self.route.rules.accelerated:
            raise Invalid(
                say("procedure: §81a is not available for {route} (§81a(1) AufenthG)", route=self.route.label)
            )
        return self

    @property
    def annual_wage_eur(self) -> Decimal | None:
        return self.monthly_gross_wage_eur * 12 if self.monthly_gross_wage_eur else None


class NewCaseRequest(NewCase):
    """A new case as an advisor opens it today: the vacancy must be complete."""

    employer: Employer
    qualification_level: QualificationLevel
    monthly_gross_wage_eur: MonthlyWage

    @model_validator(mode="after")
    def _level_fits_route(self) -> NewCaseRequest:
        route = self.route.rules
        if route.level is not None and self.qualification_level is not route.level:
            raise Invalid(
                say(
                    "qualification_level: {route} is for '{level}', not '{given}'",
                    route=self.route.label,
                    level=route.level.value,
                    given=self.qualification_level.value,
                )
            )
        if self.employer.contact is None:
            raise Invalid(say("employer.contact: required (who at the company the Welcome Center talks to)"))
        degree = route.qualification_at(CURRENT_PROCESS_VERSION) is Qualification.DEGREE
        if degree and self.regulated_profession is None:
            raise Invalid(
                say(
                    "regulated_profession: required for a degree route (yes: recognition; no: anabin/ZAB comparability)"
                )
            )
        if not degree and self.regulated_profession is not None:
            routes = labels(
                [
                    r
                    for r, row in ROUTES.items()
                    if row.qualification_at(CURRENT_PROCESS_VERSION) is Qualification.DEGREE
                ]
            )
            raise Invalid(
                say("regulated_profession: only for {routes}, not {route}", routes=routes, route=self.route.label)
            )
        if route.shortage_wage is None and self.shortage_occupation_or_career_starter is not None:
            raise Invalid(
                say(
                    "shortage_occupation_or_career_starter: only for {routes}",
                    routes=labels(routes_where(lambda row: row.shortage_wage)),
                )
            )
        if not route.collective_agreement_exempts and self.collective_agreement is not None:
            raise Invalid(
                say(
                    "collective_agreement: only for {routes}",
                    routes=labels(routes_where(lambda row: row.collective_agreement_exempts)),
                )
            )
        return self


class CompleteConsultation(_AdvisorAction):
    """The first consultation is done: candidate selection opens."""

    wage_meets_local_standard: bool = Field(
        description="§39(2) AufenthG: the wage is no worse than for comparable domestic workers"
    )


class SelectedCandidate(_Input):
    candidate_ref: CandidateRef
    origin_country: CountryCode
    # §18(2) Nr. 5 AufenthG asks only this; a birth date is never stored.
    aged_45_or_over_at_first_title: bool = False


# --- Imported cases (#16): what an import file's rows say happened before the import ----

# The spreadsheet's own case number and the file's name: office text, checked like a note.
ImportText = Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), FreeText]
# The dates an imported journey may carry, in the order a journey reaches them.
IMPORTED_DATES = (
    "contract_signed_on",
    "recognition_decided_on",
    "ba_consent_on",
    "visa_issued_on",
    "arrived_on",
    "job_started_on",
    "probation_passed_on",
    # After arrival, beside the job (#24): not in the chain's order, only after the arrival.
    "registered_on",
    "permit_granted_on",
)
AFTER_ARRIVAL = ("registered_on", "permit_granted_on")


class ImportedDates(_Input):
    """The dates a row of the import file gives for its journey, and how it ended."""

    contract_signed_on: date | None = None
    recognition_decided_on: date | None = None
    ba_consent_on: date | None = None
    visa_issued_on: date | None = None
    arrived_on: date | None = None
    job_started_on: date | None = None
    probation_passed_on: date | None = None
    registered_on: date | None = None  # the Anmeldung
    permit_granted_on: date | None = None  # the residence permit (§18a etc.)
    ended_on: date | None = None
    end_reason_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    # Not a milestone: the date on the visa label (may lie ahead); the residence permit's
    # application is due by it (§81(4) AufenthG).
    visa_valid_until: date | None = None
    # Not a milestone: the date on the permit card (lies ahead).
    permit_valid_until: date | None = None
    # How the BA was asked (#24); none: the procedure's usual path (the mission's, or the ABH's in §81a).
    ba_path: BaConsentPath | None = None


def ba_path_finding(path: BaConsentPath | None, procedure: Procedure) -> Said | None:
    """The paths the live request allows (process/rules.request_ba_consent): abh_81a only in
    the §81a procedure, and there only it."""
    if path is None:
        return None
    if procedure is Procedure.ACCELERATED_81A and path is not BaConsentPath.ABH_81A:
        return say("in the §81a procedure the ABH asks the BA (abh_81a)")
    if procedure is not Procedure.ACCELERATED_81A and path is BaConsentPath.ABH_81A:
        return say("abh_81a only exists in the §81a procedure")
    return None


class ImportedJourney(ImportedDates):
    """One candidate's journey as a row of the import file has it: the dates it reached."""

    row: int = Field(ge=2, description="the file's row (the header is row 1)")
    candidate: SelectedCandidate
    # #24: on a §16d route the recognition is the full one after entry (then §18a), dated
    # after the arrival; set from the row's route. Rows imported before it read as before.
    recognition_after_entry: bool = False

    def dated(self) -> dict[str, date]:
        return {n: getattr(self, n) for n in IMPORTED_DATES if getattr(self, n) is not None}

    @property
    def last_dated_on(self) -> date | None:
        days = [*self.dated().values(), *([self.ended_on] if self.ended_on else [])]
        return max(days) if days else None

    def findings(self, since: date, today: date) -> list[tuple[str, Said]]:
        """(field, why) for what cannot have happened: dates ahead of today or out of the
        journey's order, an end without its reason code. The door's check, shared by
        ``bin/starter import --dry-run`` and the case workflow."""
        found: list[tuple[str, Said]] = []
        previous_name, previous = "advised_on", since
        for name in (*IMPORTED_DATES, "ended_on"):
            value = getattr(self, name)
            if value is None:
                continue
            after_arrival = name in AFTER_ARRIVAL or (name == "recognition_decided_on" and self.recognition_after_entry)
            if after_arrival:  # beside the job: after the arrival, in no order with the rest
                if value > today:
                    found.append((name, say("{day} lies in the future (the import records what happened)", day=value)))
                elif self.arrived_on is None or value < self.arrived_on:
                    found.append((name, say("needs arrived_on, and lies after it")))
                continue
            if value > today:
                found.append((name, say("{day} lies in the future (the import records what happened)", day=value)))
            elif value < previous:
                found.append(
                    (
                        name,
                        say(
                            "{day} is before {earlier} ({earlier_day})",
                            day=value,
                            earlier=previous_name,
                            earlier_day=previous,
                        ),
                    )
                )
            if name != "ended_on":
                previous_name, previous = name, value
        if self.visa_valid_until is not None and (
            self.visa_issued_on is None or self.visa_valid_until < self.visa_issued_on
        ):
            found.append(("visa_valid_until", say("needs visa_issued_on, and lies after it")))
        if self.permit_valid_until is not None and (
            self.permit_granted_on is None or self.permit_valid_until <= self.permit_granted_on
        ):
            found.append(("permit_valid_until", say("needs permit_granted_on, and lies after it")))
        if self.ba_path is not None and self.ba_consent_on is None:
            found.append(("ba_path", say("needs ba_consent_on (how the BA was asked for the consent given then)")))
        if self.permit_granted_on is not None and self.permit_valid_until is None:
            found.append(("permit_valid_until", say("required with permit_granted_on (the date on the card)")))
        if (self.ended_on is None) != (self.end_reason_code is None):
            found.append(("end_reason_code", say("ended_on and end_reason_code go together")))
        elif self.end_reason_code is not None:
            # Ended after the job start: the employment ended; before it: the candidate withdrew.
            codes = EmploymentEndReason if self.job_started_on else CandidateWithdrawalReason
            if self.end_reason_code not in {c.value for c in codes}:
                choices = ", ".join(c.value for c in codes)
                found.append(
                    ("end_reason_code", say("'{code}' is not one of {codes}", code=self.end_reason_code, codes=choices))
                )
        return found


def advised_on_findings(advised_on: date, today: date) -> list[tuple[str, Said]]:
    """The first consultation lies between today and as far back as a case's dates reach
    (the deadline policy's date window, counted with its month arithmetic)."""
    earliest, _ = date_window(today)
    years = DATE_WINDOW_YEARS
    if advised_on > today:
        return [("advised_on", say("{day} lies in the future (the import records what happened)", day=advised_on))]
    if advised_on < earliest:
        why = say(
            "{day} is more than {years} years ago (before {earliest})", day=advised_on, years=years, earliest=earliest
        )
        return [("advised_on", why)]
    return []


class ImportedCase(_Input):
    """Where an imported case came from (file, rows, the spreadsheet's case number) and the
    journeys its rows record. The importing advisor is the case's advisor."""

    case_ref: ImportText
    file: ImportText
    rows: list[int] = Field(min_length=1, max_length=50)
    by: AdvisorHandle | None = None  # who imported, if not the case's advisor
    advised_on: date
    journeys: list[ImportedJourney] = Field(default_factory=list, max_length=50)
    # A case that ended before any candidate was selected (its row has no candidate).
    ended_on: date | None = None
    end_reason_code: CaseWithdrawalReason | None = None

    def findings(self, today: date) -> list[Said]:
        found = [
            say("imported.{field}: {why}", field=f, why=why) for f, why in advised_on_findings(self.advised_on, today)
        ]
        if self.ended_on is not None:
            if self.journeys:
                found.append(say("imported.ended_on: a case with candidates ends with its journeys (their rows' ends)"))
            if self.end_reason_code is None:
                codes = ", ".join(c.value for c in CaseWithdrawalReason)
                found.append(say("imported.end_reason_code: required with ended_on ({codes})", codes=codes))
            if not self.advised_on <= self.ended_on <= today:
                found.append(say("imported.ended_on: {day} is not between advised_on and today", day=self.ended_on))
        for journey in self.journeys:
            found += [
                say("imported row {row}, {field}: {why}", row=journey.row, field=f, why=why)
                for f, why in journey.findings(self.advised_on, today)
            ]
        refs = [j.candidate.candidate_ref for j in self.journeys]
        found += [
            say("imported: candidate {ref} listed twice", ref=r) for r in sorted({r for r in refs if refs.count(r) > 1})
        ]
        return found


class SelectCandidates(_AdvisorAction):
    """The employer chose the candidates: each gets a journey of their own."""

    candidates: list[SelectedCandidate] = Field(min_length=1, max_length=50)

    @field_validator("candidates")
    @classmethod
    def _unique_refs(cls, value: list[SelectedCandidate]) -> list[SelectedCandidate]:
        refs = [c.candidate_ref for c in value]
        duplicates = sorted({r for r in refs if refs.count(r) > 1})
        if duplicates:
            raise Invalid(say("candidate_ref listed twice: {refs}", refs=", ".join(duplicates)))
        return value


class Withdraw(_AdvisorAction):
    """Withdrawn by the employer or the candidate: the case ends, and its open journeys with it."""

    party: WithdrawingParty
    # Since #13 a code (required at the door) with an optional short note.
    reason_code: CaseWithdrawalReason | None = Field(default=None, description=codes_help(CaseWithdrawalReason))
    reason: Reason | None = Field(default=None, description="short note to the code (no personal data)")


class CloseCase(_AdvisorAction):
    """Every journey has ended and no replacement follows: close the case with what was placed."""

    reason_code: CloseReason | None = Field(default=None, description=codes_help(CloseReason))
    reason: Reason | None = Field(default=None, description="short note to the code (no personal data)")


class ChangeOfferedWage(_AdvisorAction):
    """The employer changes the offered wage, e.g. raises it after the BA refused (§39(2) AufenthG)."""

    monthly_gross_wage_eur: MonthlyWage = Field(description="the new wage, EUR gross per month (4647,50)")
    changed_on: date = Field(description="the day the employer changed the offer")
    reason: Reason = Field(description="why the offer changed (no personal data)")


class AddCaseNote(_AdvisorAction):
    note: Note = Field(min_length=1)  # type: ignore[assignment]


# --- State answered by the query -----------------------------------------------------


class CaseEvent(BaseModel):
    """One entry of the audit trail: every transition, by whom, when and why."""

    seq: int
    occurred_at: datetime
    action: str
    advisor: str
    from_stage: Stage | None
    to_stage: Stage
    summary: str
    note: str | None = None
    says: Said | None = None  # #16: the summary as a template, translated where staff read it


class ActionReply(BaseModel):
    """What an advisor's Update answers: the step it recorded, not the whole state.

    Temporal keeps every Update's answer in the history; an answer carrying the whole
    state (its audit trail growing with every step) made histories grow with the square
    of the steps (#12). The state is one ``status`` query away.
    """

    workflow_id: str
    seq: int
    action: str
    stage: str
    summary: str
    open_documents: list[str] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    says: Said | None = None  # #16: the summary as a template, for the starter to translate


class EraseCase(_Input):
    """Erase a closed case on request (Art. 17 GDPR): free text and keys go, facts stay."""

    advisor: AdvisorHandle = Field(description="Handle of whoever erases (recorded with the erasure)")
    basis: Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), FreeText] = (
        Field(description='why, e.g. "request of the candidate, 2026-11-20"')
    )


class JourneySummary(BaseModel):
    """The case's view of one candidate's journey; the journey itself holds the details."""

    number: int
    workflow_id: str
    candidate_ref: str
    origin_country: str
    outcome: str | None = None
    reason: str | None = None


class CaseState(BaseModel):
    case_id: str
    stage: Stage
    advisor: str
    employer: Employer
    occupation: str
    positions: int
    route: ResidenceRoute
    procedure: Procedure
    origin_programme: str | None = None
    local_abh: LocalAbh | None = None  # #24: none on cases opened before the field
    opened_at: datetime
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    outcome_reason: str | None = None
    candidates: list[SelectedCandidate] = []
    journeys: list[JourneySummary] = []
    withdrawing: bool = False  # the employer or the Welcome Center is ending every journey
    deadlines: list[Deadline] = []
    qualification_level: QualificationLevel | None = None
    monthly_gross_wage_eur: MonthlyWage | None = None
    regulated_profession: bool | None = None
    shortage_occupation_or_career_starter: bool | None = None
    collective_agreement: bool | None = None
    # Decided at the consultation: a Blue Card at or above the general threshold needs none.
    ba_consent_required: bool = True
    wage_check: str | None = None  # what the wage check found, with threshold, year and basis
    wage_check_says: Said | None = None  # the same, translatable (#24; none on older cases)
    history: list[CaseEvent] = []

    @property
    def origin_countries(self) -> list[str]:
        return sorted({c.origin_country for c in self.candidates})

    def summary_fields(self) -> dict[str, Any]:
        """The non-personal fields the records table mirrors."""
        return {
            "case_id": self.case_id,
            "stage": self.stage.value,
            "advisor": self.advisor,
            "employer_name": self.employer.name,
            "occupation": self.occupation,
            "route": self.route.value,
            "procedure": self.procedure.value,
            "positions": self.positions,
            "origin_countries": ",".join(self.origin_countries),
            "outcome": self.outcome.value if self.outcome else None,
            "outcome_reason": self.outcome_reason,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "next_due_on": next_due_on(self.deadlines),
        }
