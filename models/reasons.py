"""Why a case or journey ended, as codes (#13): nobody is invited to write a
candidate's health or family matters into the case, and outcomes read alike.

Reasons for withdrawals and ends are a code with an optional short note; the door
(models/door.py) requires the code on every new input and a note with ``other``.
Inputs recorded before the codes carry only the note and read as they did then.

The codes are deliberately coarse where the detail would be personal: "personal
reasons" covers illness, family and everything else a candidate need not explain
(Art. 9 GDPR: health data is a special category).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class CaseWithdrawalReason(StrEnum):
    """Why the employer (or the Welcome Center) withdraws the vacancy."""

    FILLED_OTHERWISE = "filled_otherwise"
    VACANCY_CANCELLED = "vacancy_cancelled"
    ECONOMIC_REASONS = "economic_reasons"
    PROCESS_TOO_LONG = "process_too_long"
    COSTS = "costs"
    REQUIREMENTS_NOT_MET = "requirements_not_met"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class CloseReason(StrEnum):
    """Why a case is closed once its journeys have ended."""

    POSITIONS_FILLED = "positions_filled"
    NO_SUITABLE_CANDIDATES = "no_suitable_candidates"
    NO_REPLACEMENT_WANTED = "no_replacement_wanted"
    NOT_ELIGIBLE = "not_eligible"
    OTHER = "other"


class CandidateWithdrawalReason(StrEnum):
    """Why a candidate withdraws."""

    OTHER_OFFER = "other_offer"
    PERSONAL_REASONS = "personal_reasons"
    STAYS_IN_HOME_COUNTRY = "stays_in_home_country"
    PROCESS_TOO_LONG = "process_too_long"
    LANGUAGE_REQUIREMENTS = "language_requirements"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class EmploymentEndReason(StrEnum):
    """Why an employment ended early."""

    PROBATION_NOT_PASSED = "probation_not_passed"
    TERMINATED_BY_EMPLOYER = "terminated_by_employer"
    RESIGNED = "resigned"
    MUTUAL_AGREEMENT = "mutual_agreement"
    FIXED_TERM_ENDED = "fixed_term_ended"
    OTHER = "other"


OTHER = "other"  # the code that needs a note saying what

LABELS: dict[str, str] = {
    "filled_otherwise": "vacancy filled otherwise",
    "vacancy_cancelled": "vacancy cancelled",
    "economic_reasons": "economic reasons",
    "process_too_long": "the process takes too long",
    "costs": "costs",
    "requirements_not_met": "requirements not met",
    "no_contact": "no contact any more",
    "positions_filled": "all positions filled",
    "no_suitable_candidates": "no suitable candidates",
    "no_replacement_wanted": "no replacement wanted",
    "not_eligible": "not eligible for a residence route",
    "other_offer": "accepted another offer",
    "personal_reasons": "personal reasons",
    "stays_in_home_country": "stays in the home country",
    "language_requirements": "language requirements",
    "probation_not_passed": "probation not passed",
    "terminated_by_employer": "terminated by the employer",
    "resigned": "resigned",
    "mutual_agreement": "ended by mutual agreement",
    "fixed_term_ended": "fixed term ended",
    "other": "other",
}


class CodedReason(Protocol):
    """An input whose reason is a code with an optional note."""

    @property
    def reason_code(self) -> StrEnum | None: ...

    @property
    def reason(self) -> str | None: ...


def stated(action: CodedReason) -> str:
    """The reason as the trail and the emails show it: the code's label and the note;
    an input from before the codes shows its note alone, as it did then."""
    code, note = action.reason_code, action.reason
    if code is None:
        return note or ""
    label = LABELS.get(str(code), str(code))
    return f"{label}: {note}" if note else label


def codes_help(codes: type[StrEnum]) -> str:
    return "one of " + ", ".join(c.value for c in codes) + f" ({OTHER!r} needs --reason)"
