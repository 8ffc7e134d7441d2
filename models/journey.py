"""One selected candidate's journey: its milestones, the advisor actions, its state.

A journey is a child workflow of its case, moved only by advisor actions (Updates),
each with one input model below. Which action fits when, and what it changes, is the
process definition (``process/definition.py``). The state keeps document codes, dates
and references, never documents or personal data.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from models.case import (
    BaConsentPath,
    ConsentDecision,
    ImportedJourney,
    ImportText,
    Note,
    Procedure,
    Reason,
    ResidenceRoute,
    SelectedCandidate,
    VisaDecision,
    _AdvisorAction,
    _Input,
)
from models.clocks import ClockName, Deadline, next_due_on
from models.deadlines import DeadlinePolicy
from models.documents import DocumentCode
from models.mail import Notification
from models.reasons import CandidateWithdrawalReason, EmploymentEndReason, codes_help
from models.said import Invalid, Said, say
from models.text import REQUIRED_AT_THE_DOOR, FreeText, OneLine
from models.wage import WageOffer

# A pointer into the office's document store (file number, DMS id), never the document.
DocumentReference = Annotated[
    str, OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), FreeText
]
Authority = Annotated[str, OneLine, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]


def journey_workflow_id(case_id: str, number: int) -> str:
    """Journeys are numbered per case: the id carries no candidate data."""
    return f"case-{case_id}-j{number}"


class Milestone(StrEnum):
    """The journey's milestones, in process order. Several may be open at once (parallel
    tracks); the journey's stage is the first open one. Values double as stage codes."""

    CONTRACT = "contract"
    ACCELERATED_PROCEDURE = "accelerated_procedure"  # §81a: power of attorney, agreement, fee
    RECOGNITION = "recognition"
    COMPARABILITY = "comparability"  # §18b/§18g, non-regulated: anabin or ZAB
    EXPERIENCE = "experience"  # §19c(2) with §6 BeschV: qualification and experience
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
    INTEGRATION_COURSE = "integration_course"  # §44 AufenthG
    FOLLOW_UP_RECOGNITION = "follow_up_recognition"  # §16d: full recognition after entry -> §18a


class JourneyStage(StrEnum):
    """The one value the CaseStage search attribute shows: a milestone, or finished."""

    CONTRACT = "contract"
    ACCELERATED_PROCEDURE = "accelerated_procedure"
    RECOGNITION = "recognition"
    COMPARABILITY = "comparability"
    EXPERIENCE = "experience"
    BA_CONSENT = "ba_consent"
    BA_REFUSED = "ba_refused"
    VORABZUSTIMMUNG = "vorabzustimmung"
    VISA = "visa"
    VISA_REFUSED = "visa_refused"
    VISA_LAWSUIT = "visa_lawsuit"
    ARRIVAL = "arrival"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT = "residence_permit"
    JOB_START = "job_start"
    PROBATION = "probation"
    EMPLOYER_REPORT_DUE = "employer_report_due"
    INTEGRATION_COURSE = "integration_course"
    FOLLOW_UP_RECOGNITION = "follow_up_recognition"
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


class PauseReason(StrEnum):
    AUTHENTICITY_DOUBTS = "authenticity_doubts"  # the only reason the law allows in §81a
    MISSING_DOCUMENTS = "missing_documents"
    OTHER = "other"


class IntegrationCourse(StrEnum):
    REGISTERED = "registered"
    NOT_NEEDED = "not_needed"  # e.g. German at B1 already, or no entitlement


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
    # The case's deadline policy, stored with the journey for its whole life.
    policy: DeadlinePolicy
    # From the case's consultation: a Blue Card at the general threshold needs no BA consent.
    ba_consent_required: bool = True
    regulated_profession: bool | None = None  # §18b/§18g: recognition (True) or comparability
    pension_proof_needed: str | None = None  # §18(2) Nr. 5: why the pension-provision proof is needed
    offered_wage: WageOffer | None = None  # #24: the case's offer (process/first_title.py)
    # Continue-as-new (#12): the journey so far, carried into the next run of the same id.
    resume: JourneyState | None = None
    incident: bool = False
    unsent_emails: list[Notification] = Field(default_factory=list)
    # Continue as new after this many history events; None: when the server suggests it.
    continue_as_new_after_events: int | None = Field(default=None, ge=20)
    imported: ImportJourney | None = None  # #16: the journey happened before the import
    # The code version this run follows (core/versions.py), given by whoever starts the run;
    # none: a journey started before versions were recorded.
    code_version: int | None = None
    # #25: the secret the case's signals carry, so that a journey takes its end and a changed
    # offer from its case only (the payload is encrypted: no client without the keys reads it).
    # None: a journey whose case started it before version 15, which still accepts them unsigned
    # (retire once no running journey follows a version below 15).
    case_token: str | None = None


class DocumentReceipt(_Input):
    code: DocumentCode
    reference: DocumentReference
    received_on: date


class RecordDocuments(_AdvisorAction):
    """Documents received, by code and reference into the document store."""

    documents: list[DocumentReceipt] = Field(min_length=1, max_length=60)


class RecordContract(_AdvisorAction):
    """The employment or training contract is signed."""

    signed_on: date
    starts_on: date = Field(description="agreed start of employment or training")


class StartAcceleratedProcedure(_AdvisorAction):
    """§81a: power of attorney given, agreement employer <-> ABH signed, fee paid."""

    agreement_signed_on: date
    fee_paid_on: date


class ApplyForRecognition(_AdvisorAction):
    """The recognition application reached the body (IHK FOSA, Handwerkskammer …)."""

    applied_on: date = Field(description="the day the recognition body received the application")
    body: Authority = Field(description="recognition body, e.g. IHK FOSA or Handwerkskammer Hannover")


class ConfirmRecognitionReceipt(_AdvisorAction):
    """The body confirmed receipt (and, if so, that the documents are complete)."""

    confirmed_on: date
    complete_on: date | None = Field(
        default=None, description="the day the body had the complete documents, if it says so"
    )


class RecordRecognitionComplete(_AdvisorAction):
    """The recognition body has the complete documents: its decision period runs."""

    complete_on: date


class RecordRecognition(_AdvisorAction):
    """The recognition body decided: full, partial (Defizitbescheid) or rejected."""

    decision: RecognitionDecision
    decided_on: date
    adaptation_qualification: Note | None = Field(
        default=None, description="partial recognition: the adaptation measure (§16d(1))"
    )
    continue_as_recognition_partnership: bool = Field(
        default=False, description="rejected: go on as recognition partnership §16d(3)"
    )

    @model_validator(mode="after")
    def _fits_decision(self) -> RecordRecognition:
        if self.decision is RecognitionDecision.PARTIAL and not self.adaptation_qualification:
            raise Invalid(say("adaptation_qualification: required for a partial recognition (Defizitbescheid)"))
        if self.continue_as_recognition_partnership and self.decision is not RecognitionDecision.REJECTED:
            raise Invalid(say("continue_as_recognition_partnership: only after a rejected recognition"))
        return self


class ComparabilityEvidence(StrEnum):
    ANABIN = "anabin"  # institution H+ and the degree "entspricht"/"gleichwertig"
    ZAB = "zab"  # a Zeugnisbewertung of the ZAB


class RecordComparability(_AdvisorAction):
    """§18b/§18g, non-regulated profession: the degree is comparable (anabin or ZAB)."""

    evidence: ComparabilityEvidence
    reference: DocumentReference = Field(description="the anabin printout's or ZAB statement's reference")
    checked_on: date


class RecordProfessionalExperience(_AdvisorAction):
    """§19c(2) with §6 BeschV: a state-recognised qualification of 2+ years and 2+ years' experience."""

    state_recognised_qualification: bool = Field(description="recognised by the state of origin")
    training_years: float = Field(ge=0, le=10, description="length of the qualification's training")
    experience_years: float = Field(ge=0, le=50, description="years of experience in the occupation")
    # §6 BeschV counts the experience of the last five years before the application (#24). None
    # only in entries recorded before it was asked; the door requires it of every new one.
    experience_within_last_five_years: bool | None = Field(
        default=None,
        description="the two years' experience lie within the five years before the application (§6 BeschV)",
        json_schema_extra={REQUIRED_AT_THE_DOOR: True},
    )

    @model_validator(mode="after")
    def _requirements(self) -> RecordProfessionalExperience:
        if not self.state_recognised_qualification:
            raise Invalid(say("state_recognised_qualification: §6 BeschV needs a qualification the state recognises"))
        if self.training_years < 2:
            raise Invalid(say("training_years: {years} is under the 2 years §6 BeschV asks", years=self.training_years))
        if self.experience_years < 2:
            raise Invalid(
                say("experience_years: {years} is under the 2 years §6 BeschV asks", years=self.experience_years)
            )
        if self.experience_within_last_five_years is False:
            raise Invalid(
                say(
                    "experience_within_last_five_years: §6 BeschV counts only the experience of the five years "
                    "before the application"
                )
            )
        return self


class PauseRecognitionClock(_AdvisorAction):
    """The recognition body stopped its decision period (in §81a only on authenticity doubts)."""

    paused_on: date
    reason_code: PauseReason
    reason: Reason


class ResumeRecognitionClock(_AdvisorAction):
    """The recognition decision period runs again; the paused days are added."""

    resumed_on: date


class ExtendRecognitionClock(_AdvisorAction):
    """The recognition body extended its decision period (possible once)."""

    until: date
    reason: Reason


class RequestBaConsent(_AdvisorAction):
    """The BA is asked for its consent: the employer (Vorabzustimmung), the embassy or the ABH (§81a)."""

    path: BaConsentPath
    requested_on: date = Field(description="the day the BA received the request")


class BaInformationRequested(_AdvisorAction):
    """The BA says the information is insufficient: the consent fiction stops (§36(2) BeschV)."""

    asked_on: date


class BaAnswersSent(_AdvisorAction):
    """The BA has the answers: the consent fiction runs afresh."""

    received_on: date = Field(description="the day the BA received the answers")


class RecordBaDecision(_AdvisorAction):
    """The BA decided on its consent (Zustimmung, §39 AufenthG)."""

    decision: ConsentDecision
    decided_on: date
    refusal_grounds: Reason | None = None

    @model_validator(mode="after")
    def _grounds_when_refused(self) -> RecordBaDecision:
        if self.decision is ConsentDecision.REFUSED and not self.refusal_grounds:
            raise Invalid(say("refusal_grounds: required when the BA refuses (§39(2), §40 AufenthG)"))
        return self


class BaConsentDeemed(_AdvisorAction):
    """Recorded by the journey itself when the fiction's period has run out."""

    due_on: date


class ReapplyBaConsent(_AdvisorAction):
    """After a refusal: the employer fixed the grounds; a new request follows."""

    changes: Reason = Field(description="what the employer changed after the refusal")


class RecordVorabzustimmung(_AdvisorAction):
    """§81a: the ABH issued the Vorabzustimmung (advance approval)."""

    issued_on: date
    valid_until: date
    latest_start_on: date | None = Field(
        default=None, description="the latest start of employment the Vorabzustimmung allows (required)"
    )

    @model_validator(mode="after")
    def _validity(self) -> RecordVorabzustimmung:
        if self.valid_until <= self.issued_on:
            raise Invalid(say("valid_until: must be after issued_on"))
        return self


class VorabzustimmungExpired(_AdvisorAction):
    """§81a: the Vorabzustimmung ran out before the visa application was lodged."""

    reason: Reason = Field(description="why it ran out, e.g. no appointment before expiry")


class BookVisaAppointment(_AdvisorAction):
    """A visa appointment at the mission is booked (or rebooked)."""

    appointment_on: date
    mission: Authority = Field(description="German mission, e.g. Tunis, Rabat, Kairo")


class RecordVisaApplication(_AdvisorAction):
    """The complete visa application is lodged at the mission."""

    applied_on: date


class RecordVisaDecision(_AdvisorAction):
    """The mission (or the court, after a lawsuit) decided on the visa."""

    decision: VisaDecision
    decided_on: date
    valid_until: date | None = Field(default=None, description="issued: the date on the visa label")
    notified_on: date | None = Field(
        default=None, description="refused: the day the refusal was notified (Bekanntgabe); the lawsuit counts from it"
    )
    by_court: bool = Field(
        default=False,
        description="the court decided (where a lawsuit runs beside a new application; else the mission did)",
    )

    @model_validator(mode="after")
    def _fits_decision(self) -> RecordVisaDecision:
        if self.decision is VisaDecision.ISSUED:
            if self.valid_until is None:
                raise Invalid(say("valid_until: required when the visa is issued (date on the visa label)"))
            if self.valid_until <= self.decided_on:
                raise Invalid(say("valid_until: must be after decided_on"))
        else:
            if self.valid_until is not None:
                raise Invalid(say("valid_until: a refused visa has no validity"))
            if self.notified_on is None:
                raise Invalid(say("notified_on: required when the visa is refused (the lawsuit period counts from it)"))
            if self.notified_on < self.decided_on:
                raise Invalid(say("notified_on: cannot be before decided_on"))
        return self


class NewVisaApplication(_AdvisorAction):
    """After a refusal (no remonstration since 1 Jul 2025): apply again."""


class FileVisaLawsuit(_AdvisorAction):
    """After a refusal: lawsuit at the VG Berlin (§74 VwGO)."""

    filed_on: date


class DelayArrival(_AdvisorAction):
    """Entry is delayed; past the visa's validity a new visa is needed."""

    expected_on: date
    reason: Reason
    new_start_on: date | None = Field(
        default=None, description="when arrival comes after the agreed start: the start the employer agreed to now"
    )


class RecordArrival(_AdvisorAction):
    """The candidate entered Germany."""

    arrived_on: date


class RecordMovingIn(_AdvisorAction):
    """The candidate moved into the flat: the Anmeldung period runs (§17(1) BMG)."""

    moved_in_on: date


class RecordAnmeldung(_AdvisorAction):
    """The candidate registered at the Bürgeramt."""

    registered_on: date
    moved_in_on: date | None = Field(default=None, description="if not recorded with record-moving-in")


class RecordPermitApplication(_AdvisorAction):
    """The residence permit is applied for at the ABH."""

    applied_on: date


class RecordFiktionsbescheinigung(_AdvisorAction):
    """The ABH issued a Fiktionsbescheinigung (§81(4),(5) AufenthG): status kept until the decision."""

    issued_on: date
    valid_until: date
    reference: DocumentReference = Field(description="the certificate's reference in the document store")
    ordered_for_late_application: bool = Field(
        default=False,
        description="the permit was applied for after the visa expired and the ABH ordered the status kept "
        "(§81(4) S.3 AufenthG)",
    )

    @model_validator(mode="after")
    def _validity(self) -> RecordFiktionsbescheinigung:
        if self.valid_until <= self.issued_on:
            raise Invalid(say("valid_until: must be after issued_on"))
        return self


class RecordPermitDecision(_AdvisorAction):
    """The ABH decided on the residence permit."""

    decision: PermitDecision
    decided_on: date
    valid_until: date | None = None

    @model_validator(mode="after")
    def _validity(self) -> RecordPermitDecision:
        if self.decision is PermitDecision.GRANTED and self.valid_until is None:
            raise Invalid(say("valid_until: required when the permit is granted"))
        if self.valid_until is not None and self.valid_until <= self.decided_on:
            raise Invalid(say("valid_until: must be after decided_on"))
        return self


class RecordJobStart(_AdvisorAction):
    """Work (or training) started: allowed with the visa, before or after the permit card."""

    started_on: date
    probation_months: int | None = Field(
        default=None,
        ge=1,
        le=6,
        description="the probation agreed in the contract, in months (default: the policy's; at most 6, "
        "§622(3) BGB; trainees 1-4, §20 BBiG)",
    )


class RecordProbationPassed(_AdvisorAction):
    """Probation passed."""

    passed_on: date


class RecordEmploymentEnded(_AdvisorAction):
    """Employment ended early (at any time): the employer must report it (§4a(5) AufenthG)."""

    ended_on: date
    reason_code: EmploymentEndReason | None = Field(default=None, description=codes_help(EmploymentEndReason))
    reason: Reason | None = Field(default=None, description="short note to the code (no personal data)")
    known_on: date | None = Field(
        default=None, description="the day the employer learned of the end (default: ended_on)"
    )

    @model_validator(mode="after")
    def _known(self) -> RecordEmploymentEnded:
        if self.known_on is None:
            object.__setattr__(self, "known_on", self.ended_on)  # frozen model: the default is ended_on
        return self


class RecordEmployerReport(_AdvisorAction):
    """The employer's report of the early end to the ABH (§4a(5) S.3 Nr.3 AufenthG)."""

    reported_on: date


class RecordIntegrationCourse(_AdvisorAction):
    """Integration course registered, or not needed (§44 AufenthG)."""

    status: IntegrationCourse
    recorded_on: date


class ApplyForFollowUpRecognition(_AdvisorAction):
    """§16d: after entry (§16d(3) without delay) or after the adaptation, the recognition is applied for."""

    applied_on: date
    body: Authority = Field(description="recognition body, e.g. IHK FOSA or Handwerkskammer Hannover")


class RecordFollowUpRecognition(_AdvisorAction):
    """The follow-up recognition's decision: full recognition moves the person to §18a."""

    decision: RecognitionDecision
    decided_on: date
    aged_45_or_over: bool | None = Field(
        default=None, description="45 or older now, at the first §18a title (§18(2) Nr. 5 AufenthG; no birth date)"
    )


class WithdrawCandidate(_AdvisorAction):
    """The candidate withdraws: the journey ends."""

    reason_code: CandidateWithdrawalReason | None = Field(
        default=None, description=codes_help(CandidateWithdrawalReason)
    )
    reason: Reason | None = Field(default=None, description="short note to the code (no personal data)")


class EndJourney(_AdvisorAction):
    """Sent by the case: the vacancy is gone, or the Welcome Center ends the journey."""

    outcome: JourneyOutcome
    reason: Reason | None = None  # the case's reason, as stated there
    case_token: str | None = None  # JourneyInput.case_token: from the case, not from a client


class OfferedWageChanged(_AdvisorAction):
    """Sent by the case: the employer changed the offered wage (change-offered-wage)."""

    case_token: str | None = None  # JourneyInput.case_token: from the case, not from a client
    offer: WageOffer
    changed_on: date
    # What the case found for this candidate (§18(2) Nr. 5 AufenthG): the proof's reason, or None.
    pension_proof_needed: str | None = None


class ImportJourney(_AdvisorAction):
    """The journey's own first step when it was imported (#16): placed at the milestone
    its row's dates reached. Not a starter command; ``bin/starter import`` starts the case."""

    file: ImportText
    selected_on: date = Field(description="the candidate's selection (the import knows the first consultation)")
    imported: ImportedJourney

    @property
    def last_dated_on(self) -> date:
        """The day the imported history ends: its clocks count from here."""
        return self.imported.last_dated_on or self.selected_on


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
    # Older notes are not carried across continue-as-new: the records database has them.
    note_in_records: bool = False
    says: Said | None = None  # #16: the summary as a template, translated where staff read it


class ReceivedDocument(BaseModel):
    code: DocumentCode
    reference: str
    received_on: date
    recorded_by: str


class BaRecord(BaseModel):
    """One request to the BA and what became of it."""

    path: BaConsentPath
    requested_on: date
    information_requested_on: date | None = None
    answers_received_on: date | None = None
    decision: str | None = None  # granted, refused, deemed_granted
    decided_on: date | None = None
    refusal_grounds: str | None = None
    # The fiction's last day, for a deemed consent (#24; before it, decided_on was that day).
    fiction_ended_on: date | None = None

    @property
    def fiction_last_day(self) -> date | None:
        if self.decision != "deemed_granted":
            return None
        return self.fiction_ended_on or self.decided_on


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
    ba_consent_required: bool = True
    regulated_profession: bool | None = None
    pension_proof_needed: str | None = None
    offered_wage: WageOffer | None = None  # #24: the case's offer (none: started before it was carried)
    # Which release's requirements the journey follows: journeys started before a change of
    # the process keep the old requirements (set under a workflow.patched guard).
    process_version: int = 1
    stage: JourneyStage
    open_milestones: list[Milestone] = []
    done_milestones: list[Milestone] = []
    started_at: datetime
    finished_at: datetime | None = None
    outcome: JourneyOutcome | None = None
    outcome_reason: str | None = None
    # The outcome once nothing is left open (placed after probation, unless it ends otherwise).
    pending_outcome: JourneyOutcome | None = None

    documents: list[ReceivedDocument] = []
    contract_signed_on: date | None = None
    contract_starts_on: date | None = None
    agreement_81a_signed_on: date | None = None
    recognition_body: str | None = None
    recognition_applied_on: date | None = None
    recognition_receipt_on: date | None = None
    recognition_complete_on: date | None = None
    recognition_paused_on: date | None = None
    recognition: RecognitionDecision | None = None
    recognition_decided_on: date | None = None
    adaptation_qualification: str | None = None
    ba_requests: list[BaRecord] = []
    ba_refused_on: date | None = None
    vorabzustimmung_issued_on: date | None = None
    vorabzustimmung_valid_until: date | None = None
    # The validity an expiry entry ended (#24): a visa application dated within it takes the expiry back.
    vorabzustimmung_lapsed_until: date | None = None
    latest_start_on: date | None = None
    visa_appointment_on: date | None = None
    visa_applied_on: date | None = None
    visa_applications: int = 0
    visa_issued_on: date | None = None
    visa_valid_until: date | None = None
    visa_refused_on: date | None = None
    visa_refusal_notified_on: date | None = None
    lawsuit_filed_on: date | None = None
    expected_arrival_on: date | None = None
    arrived_on: date | None = None
    moved_in_on: date | None = None
    registered_on: date | None = None
    permit_applied_on: date | None = None
    fiktionsbescheinigung_valid_until: date | None = None
    permit_decided_on: date | None = None
    permit_valid_until: date | None = None
    job_started_on: date | None = None
    probation_passed_on: date | None = None
    employment_ended_on: date | None = None
    end_known_on: date | None = None
    integration_course: IntegrationCourse | None = None
    follow_up_applied_on: date | None = None
    follow_up_decided_on: date | None = None
    deadlines: list[Deadline] = []
    history: list[JourneyEvent] = []

    def trial_copy(self) -> JourneyState:
        """A copy to try an action on (a validator, a statutory effect's check): deep, but
        sharing the history, which the engine neither reads nor writes and which is most
        of the state (#23 point 5: a full deep copy per Update grew with the journey)."""
        return copy.deepcopy(self, {id(self.history): self.history})

    def has_document(self, code: DocumentCode) -> bool:
        return any(d.code is code for d in self.documents)

    def open_deadline(self, clock: ClockName) -> Deadline | None:
        """The clock's running (or paused) deadline, if any."""
        return next((d for d in self.deadlines if d.clock is clock and d.open), None)

    @property
    def ba_request(self) -> BaRecord | None:
        """The BA request still waiting for a decision, if any."""
        last = self.ba_requests[-1] if self.ba_requests else None
        return last if last is not None and last.decision is None else None

    @property
    def ba_requested_on(self) -> date | None:
        return self.ba_request.requested_on if self.ba_request else None

    @property
    def ba_question_asked_on(self) -> date | None:
        """The day the BA asked the question still unanswered, if any."""
        r = self.ba_request
        return r.information_requested_on if r and r.answers_received_on is None else None

    @property
    def ba_decided_on(self) -> date | None:
        return next((r.decided_on for r in reversed(self.ba_requests) if r.decided_on), None)

    @property
    def ba_consent_given(self) -> bool:
        return any(r.decision in ("granted", "deemed_granted") for r in self.ba_requests)

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
            "probation_passed_on": self.probation_passed_on,
            "permit_valid_until": self.permit_valid_until,
            "employment_ended_on": self.employment_ended_on,
        }


class OpenMilestone(BaseModel):
    milestone: Milestone
    title: str
    open_documents: list[DocumentCode]
    next_steps: list[str]


class JourneyView(BaseModel):
    """The journey as the status query answers it: state plus what is open and next."""

    state: JourneyState
    open_documents: list[DocumentCode]
    next_steps: list[str]
    milestones: list[OpenMilestone] = []


class JourneyResult(BaseModel):
    number: int
    candidate_ref: str
    origin_country: str
    outcome: JourneyOutcome
    reason: str
    finished_at: datetime | None = None  # #16: an imported journey's end lies in the past


JourneyInput.model_rebuild()  # ``resume`` refers to JourneyState, defined below it


# Notes of the newest events carried into a new run; older ones stay in the records.
CARRIED_NOTES = 100


def carried(state: JourneyState, notes: int = CARRIED_NOTES) -> JourneyState:
    """The state a new run of the journey starts from: everything but old notes (the newest
    ``notes`` stay; the records database has all), so that the run's input stays far below
    Temporal's 2 MB per payload however long the journey."""
    copy = state.model_copy(deep=True)
    with_notes = [e for e in copy.history if e.note]
    for event in with_notes[: max(0, len(with_notes) - notes)]:
        event.note, event.note_in_records = None, True
    return copy
