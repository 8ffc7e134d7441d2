"""One selected candidate's journey: contract to probation, with every branch.

A journey is a child workflow of its case. Like the case, it is moved only by
advisor actions (Updates), each with one input model below. The state keeps
document codes, dates and references, never documents or personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from models.case import (
    Note,
    Procedure,
    Reason,
    ResidenceRoute,
    SelectedCandidate,
    _AdvisorAction,
    _Input,
)
from models.clocks import Deadline, next_due_on
from models.deadlines import DeadlinePolicy
from models.documents import DocumentCode

# A pointer into the office's document store (file number, DMS id), never the document.
DocumentReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\n]+$")
]


def journey_workflow_id(case_id: str, number: int) -> str:
    """Journeys are numbered per case: the id carries no candidate data."""
    return f"case-{case_id}-j{number}"


class JourneyStage(StrEnum):
    CONTRACT = "contract"
    ACCELERATED_PROCEDURE = "accelerated_procedure"  # §81a: power of attorney, agreement, fee
    RECOGNITION = "recognition"
    BA_CONSENT = "ba_consent"
    BA_REFUSED = "ba_refused"
    VORABZUSTIMMUNG = "vorabzustimmung"  # §81a: the ABH's advance approval
    VISA = "visa"
    VISA_REFUSED = "visa_refused"
    VISA_LAWSUIT = "visa_lawsuit"
    ARRIVAL = "arrival"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT = "residence_permit"
    JOB_START = "job_start"
    PROBATION = "probation"
    EMPLOYER_REPORT_DUE = "employer_report_due"  # §4a(5) AufenthG after an early end
    FINISHED = "finished"


class JourneyOutcome(StrEnum):
    PLACED = "placed"  # probation passed
    WITHDRAWN_BY_CANDIDATE = "withdrawn_by_candidate"
    VACANCY_WITHDRAWN = "vacancy_withdrawn"
    RECOGNITION_REJECTED = "recognition_rejected"
    VISA_REFUSED = "visa_refused"
    EMPLOYMENT_ENDED = "employment_ended"
    PERMIT_REFUSED = "permit_refused"
    ENDED_BY_WELCOME_CENTER = "ended_by_welcome_center"


class RecognitionDecision(StrEnum):
    FULL = "full"  # full equivalence
    PARTIAL = "partial"  # Defizitbescheid -> §16d(1) with an adaptation qualification
    REJECTED = "rejected"


class PermitDecision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


# --- Inputs -----------------------------------------------------------------------------


class JourneyInput(_Input):
    case_id: str
    number: int = Field(ge=1)
    candidate: SelectedCandidate
    advisor: str
    employer_name: str
    occupation: str
    route: ResidenceRoute
    procedure: Procedure
    # The case's deadline policy; None for journeys started before deadlines existed.
    policy: DeadlinePolicy | None = None


class DocumentReceipt(_Input):
    code: DocumentCode
    reference: DocumentReference
    received_on: date


class RecordDocuments(_AdvisorAction):
    documents: list[DocumentReceipt] = Field(min_length=1, max_length=60)


class RecordContract(_AdvisorAction):
    signed_on: date
    starts_on: date = Field(description="agreed start of employment or training")


class StartAcceleratedProcedure(_AdvisorAction):
    """§81a: power of attorney given, agreement employer <-> ABH signed, fee paid."""

    agreement_signed_on: date
    fee_paid_on: date


class RecordRecognition(_AdvisorAction):
    decision: RecognitionDecision
    decided_on: date
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)] = Field(
        description="recognition body, e.g. IHK FOSA or Handwerkskammer Hannover"
    )
    adaptation_qualification: Note | None = Field(
        default=None, description="partial recognition: the adaptation measure (§16d(1))"
    )
    continue_as_recognition_partnership: bool = Field(
        default=False, description="rejected: go on as recognition partnership §16d(3)"
    )

    @model_validator(mode="after")
    def _fits_decision(self) -> RecordRecognition:
        if self.decision is RecognitionDecision.PARTIAL and not self.adaptation_qualification:
            raise ValueError("adaptation_qualification: required for a partial recognition (Defizitbescheid)")
        if self.continue_as_recognition_partnership and self.decision is not RecognitionDecision.REJECTED:
            raise ValueError("continue_as_recognition_partnership: only after a rejected recognition")
        return self


class PauseRecognitionClock(_AdvisorAction):
    """The recognition body stopped the clock, e.g. over doubts about a document's authenticity."""

    reason: Reason


class ResumeRecognitionClock(_AdvisorAction):
    """The recognition clock runs again; the paused days are added to its period."""


class ExtendRecognitionClock(_AdvisorAction):
    """The recognition body extended its decision period (possible once)."""

    until: date
    reason: Reason


# The same inputs the case took before journeys existed: one model, one set of rules.
from models.case import RecordArrival as RecordArrival  # noqa: E402
from models.case import RecordBaConsent as RecordBaConsent  # noqa: E402
from models.case import RecordVisaDecision as RecordVisaDecision  # noqa: E402

RecordBaDecision = RecordBaConsent


class ReapplyBaConsent(_AdvisorAction):
    changes: Reason = Field(description="what the employer changed after the refusal")


class RecordVorabzustimmung(_AdvisorAction):
    issued_on: date
    valid_until: date

    @model_validator(mode="after")
    def _validity(self) -> RecordVorabzustimmung:
        if self.valid_until <= self.issued_on:
            raise ValueError("valid_until: must be after issued_on")
        return self


class VorabzustimmungExpired(_AdvisorAction):
    reason: Reason = Field(description="why it ran out, e.g. no appointment before expiry")


class BookVisaAppointment(_AdvisorAction):
    appointment_on: date
    mission: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)] = Field(
        description="German mission, e.g. Tunis, Rabat, Kairo"
    )


class NewVisaApplication(_AdvisorAction):
    pass


class FileVisaLawsuit(_AdvisorAction):
    filed_on: date


class DelayArrival(_AdvisorAction):
    expected_on: date
    reason: Reason


class RecordAnmeldung(_AdvisorAction):
    moved_in_on: date
    registered_on: date

    @model_validator(mode="after")
    def _order(self) -> RecordAnmeldung:
        if self.registered_on < self.moved_in_on:
            raise ValueError("registered_on: cannot be before moved_in_on")
        return self


class RecordPermitApplication(_AdvisorAction):
    applied_on: date


class RecordPermitDecision(_AdvisorAction):
    decision: PermitDecision
    decided_on: date
    valid_until: date | None = None

    @model_validator(mode="after")
    def _validity(self) -> RecordPermitDecision:
        if self.decision is PermitDecision.GRANTED and self.valid_until is None:
            raise ValueError("valid_until: required when the permit is granted")
        return self


class RecordJobStart(_AdvisorAction):
    started_on: date


class RecordProbationPassed(_AdvisorAction):
    passed_on: date


class RecordEmploymentEnded(_AdvisorAction):
    ended_on: date
    reason: Reason
    during_probation: bool = True


class RecordEmployerReport(_AdvisorAction):
    """The employer's report of the early end to the ABH (§4a(5) S.3 Nr.3 AufenthG)."""

    reported_on: date


class WithdrawCandidate(_AdvisorAction):
    reason: Reason


class EndJourney(_AdvisorAction):
    """Sent by the case: the vacancy is gone, or the Welcome Center ends the journey."""

    outcome: JourneyOutcome
    reason: Reason


class AddNote(_AdvisorAction):
    note: Note = Field(min_length=1)  # type: ignore[assignment]


# --- State --------------------------------------------------------------------------------


class JourneyEvent(BaseModel):
    seq: int
    occurred_at: datetime
    action: str
    advisor: str
    from_stage: JourneyStage | None
    to_stage: JourneyStage
    summary: str
    note: str | None = None


class ReceivedDocument(BaseModel):
    code: DocumentCode
    reference: str
    received_on: date
    recorded_by: str


class JourneyState(BaseModel):
    case_id: str
    number: int
    workflow_id: str
    candidate: SelectedCandidate
    advisor: str
    employer_name: str
    occupation: str
    route: ResidenceRoute
    original_route: ResidenceRoute
    procedure: Procedure
    stage: JourneyStage
    started_at: datetime
    finished_at: datetime | None = None
    outcome: JourneyOutcome | None = None
    outcome_reason: str | None = None

    documents: list[ReceivedDocument] = []
    contract_signed_on: date | None = None
    contract_starts_on: date | None = None
    agreement_81a_signed_on: date | None = None
    recognition: RecognitionDecision | None = None
    recognition_decided_on: date | None = None
    adaptation_qualification: str | None = None
    ba_decisions: list[dict[str, Any]] = []
    vorabzustimmung_valid_until: date | None = None
    visa_appointment_on: date | None = None
    visa_applications: int = 0
    visa_refused_on: date | None = None
    visa_valid_until: date | None = None
    lawsuit_filed_on: date | None = None
    expected_arrival_on: date | None = None
    arrived_on: date | None = None
    moved_in_on: date | None = None
    registered_on: date | None = None
    permit_applied_on: date | None = None
    permit_valid_until: date | None = None
    job_started_on: date | None = None
    employment_ended_on: date | None = None
    deadlines: list[Deadline] = []
    history: list[JourneyEvent] = []

    def has_document(self, code: DocumentCode) -> bool:
        return any(d.code is code for d in self.documents)

    def summary_fields(self) -> dict[str, Any]:
        """What the records database mirrors: codes and dates, no personal data."""
        return {
            "journey_id": self.workflow_id,
            "case_id": self.case_id,
            "number": self.number,
            "candidate_ref": self.candidate.candidate_ref,
            "origin_country": self.candidate.origin_country,
            "occupation": self.occupation,
            "route": self.route.value,
            "procedure": self.procedure.value,
            "stage": self.stage.value,
            "outcome": self.outcome.value if self.outcome else None,
            "outcome_reason": self.outcome_reason,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "arrived_on": self.arrived_on,
            "documents": ",".join(sorted(d.code.value for d in self.documents)),
            "next_due_on": next_due_on(self.deadlines),
        }


class JourneyView(BaseModel):
    """The journey as the status query answers it: state plus what is open and next."""

    state: JourneyState
    open_documents: list[DocumentCode]
    next_steps: list[str]


class JourneyResult(BaseModel):
    number: int
    candidate_ref: str
    origin_country: str
    outcome: JourneyOutcome
    reason: str
