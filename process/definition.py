"""The candidate journey, read in one place.

Each milestone: when it opens (the milestones it waits for; §81a orders some differently),
for which journeys it applies, the clock that runs while it is open, and the actions that
move it, each with the documents it needs, the dates it must not precede, the clocks it
starts and meets, and the milestones it completes or opens. Milestones whose waits are all
done open together: recognition runs beside the contract; BA consent beside the visa
appointment; Anmeldung, residence permit and job start after arrival.

The workflow applies this table (``process.engine``) and never names an action; the
starter's commands and the process table of docs/advisors.md are generated from it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from models.case import SYSTEM_HANDLE, Procedure
from models.clocks import ClockName
from models.documents import DocumentStep
from models.journey import (
    AddNote,
    ApplyForFollowUpRecognition,
    ApplyForRecognition,
    BaAnswersSent,
    BaConsentDeemed,
    BaInformationRequested,
    BookVisaAppointment,
    ConfirmRecognitionReceipt,
    DelayArrival,
    EndJourney,
    ExtendRecognitionClock,
    FileVisaLawsuit,
    ImportJourney,
    JourneyOutcome,
    Milestone,
    NewVisaApplication,
    OfferedWageChanged,
    PauseRecognitionClock,
    ReapplyBaConsent,
    RecordAnmeldung,
    RecordArrival,
    RecordBaDecision,
    RecordComparability,
    RecordContract,
    RecordDocuments,
    RecordEmployerReport,
    RecordEmploymentEnded,
    RecordFiktionsbescheinigung,
    RecordFollowUpRecognition,
    RecordIntegrationCourse,
    RecordJobStart,
    RecordMovingIn,
    RecordPermitApplication,
    RecordPermitDecision,
    RecordProbationPassed,
    RecordProfessionalExperience,
    RecordRecognition,
    RecordRecognitionComplete,
    RecordVisaApplication,
    RecordVisaDecision,
    RecordVorabzustimmung,
    RequestBaConsent,
    ResumeRecognitionClock,
    StartAcceleratedProcedure,
    VorabzustimmungExpired,
    WithdrawCandidate,
)
from process import conditions as c
from process import guards as g
from process import rules as r
from process import rules_after_visa as ra
from process.spec import (
    ActionSpec,
    Check,
    Close,
    Effects,
    Extend,
    Interrupt,
    Lapse,
    Meet,
    MilestoneSpec,
    NotBefore,
    Pause,
    Resume,
    Start,
    TakeBack,
)

M, C = Milestone, ClockName
A81 = Procedure.ACCELERATED_81A

# Late facts (#24): a fact dated within the period whose end produced a statutory effect
# shows the law never produced it; recorded late, it takes the effect back.
DEEMED_CONSENT = "ba_consent_deemed"


def _deemed_consent_taken_back(late: Any) -> TakeBack:
    return TakeBack(DEEMED_CONSENT, late, r.take_back_deemed_consent, reopen=M.BA_CONSENT)


EXPIRY_TAKEN_BACK = TakeBack(
    "vorabzustimmung_expired",
    r.application_within_the_validity,
    r.take_back_expiry,
    reopen=M.VISA,
    done_again=(M.VORABZUSTIMMUNG,),
)

# What the BA consent and the visa wait for: the contract and the qualification, shown the
# route's way (recognition, comparability or §6 BeschV experience; those not part of a
# journey count as done).
QUALIFIED = (M.CONTRACT, M.RECOGNITION, M.COMPARABILITY, M.EXPERIENCE)
# Clocks a recognition decision meets, whatever it decides.
RECOGNITION_DONE = (Meet(C.RECOGNITION_RECEIPT), Meet(C.RECOGNITION_DECISION))
# Clocks the visa decision meets.
VISA_DECIDED = (Meet(C.VISA_DECISION_81A),)

MILESTONES: tuple[MilestoneSpec, ...] = (
    MilestoneSpec(
        M.CONTRACT,
        "Employment or training contract signed",
        clock=C.CONTRACT,
        actions=(
            ActionSpec(
                RecordContract,
                r.record_contract,
                Effects("contract_signed", complete=(M.CONTRACT,)),
                on=(M.CONTRACT,),
                documents=DocumentStep.CONTRACT,
                future=("starts_on",),
            ),
        ),
    ),
    MilestoneSpec(
        M.ACCELERATED_PROCEDURE,
        "§81a: power of attorney, agreement employer–ABH, fee",
        after=(M.CONTRACT,),
        applies=c.accelerated,
        actions=(
            ActionSpec(
                StartAcceleratedProcedure,
                r.start_accelerated_procedure,
                Effects("accelerated_procedure_started", complete=(M.ACCELERATED_PROCEDURE,)),
                on=(M.ACCELERATED_PROCEDURE,),
                documents=DocumentStep.ACCELERATED_PROCEDURE,
                not_before=(NotBefore("agreement_signed_on", "contract_signed_on", "the contract was signed"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.RECOGNITION,
        "Recognition (Anerkennung) of the qualification",
        after_in_81a=(M.ACCELERATED_PROCEDURE,),  # the ABH files it; regular: beside the contract
        applies=c.needs_recognition,
        actions=(
            ActionSpec(
                ApplyForRecognition,
                r.apply_for_recognition,
                Effects("recognition_applied", clocks=(Start(C.RECOGNITION_RECEIPT, "applied_on"),)),
                on=(M.RECOGNITION,),
                documents=DocumentStep.RECOGNITION,
                guards=(g.RECOGNITION_NOT_APPLIED,),
            ),
            ActionSpec(
                ConfirmRecognitionReceipt,
                r.confirm_recognition_receipt,
                Effects(
                    "recognition_receipt_confirmed",
                    clocks=(
                        Meet(C.RECOGNITION_RECEIPT),
                        Start(C.RECOGNITION_DECISION, "complete_on", when=c.complete_documents_known),
                    ),
                ),
                on=(M.RECOGNITION,),
                guards=(g.RECOGNITION_APPLIED, g.RECEIPT_UNCONFIRMED),
                not_before=(NotBefore("confirmed_on", "recognition_applied_on", "the application reached the body"),),
            ),
            ActionSpec(
                RecordRecognitionComplete,
                r.record_recognition_complete,
                Effects("recognition_documents_complete", clocks=(Start(C.RECOGNITION_DECISION, "complete_on"),)),
                on=(M.RECOGNITION,),
                guards=(g.RECOGNITION_APPLIED, g.DOCUMENTS_NOT_YET_COMPLETE),
                not_before=(NotBefore("complete_on", "recognition_applied_on", "the application reached the body"),),
            ),
            ActionSpec(
                PauseRecognitionClock,
                r.pause_recognition_clock,
                Effects("recognition_clock_paused", clocks=(Pause(C.RECOGNITION_DECISION, "paused_on"),)),
                on=(M.RECOGNITION,),
                guards=(g.DECISION_PERIOD_RUNNING,),
                not_before=(NotBefore("paused_on", "recognition_complete_on", "the documents were complete"),),
            ),
            ActionSpec(
                ResumeRecognitionClock,
                r.resume_recognition_clock,
                Effects(
                    "recognition_clock_resumed", clocks=(Resume(C.RECOGNITION_DECISION, "resumed_on", counted_since=4),)
                ),
                on=(M.RECOGNITION,),
                guards=(g.DECISION_PERIOD_PAUSED,),
                not_before=(NotBefore("resumed_on", "recognition_paused_on", "the pause began"),),
            ),
            ActionSpec(
                ExtendRecognitionClock,
                r.extend_recognition_clock,
                Effects("recognition_clock_extended", clocks=(Extend(C.RECOGNITION_DECISION, "until"),)),
                on=(M.RECOGNITION,),
                guards=(g.DECISION_PERIOD_RUNNING, g.DECISION_PERIOD_NOT_EXTENDED),
                future=("until",),
            ),
            ActionSpec(
                RecordRecognition,
                r.record_recognition,
                {
                    "full": Effects("recognition_full", complete=(M.RECOGNITION,), clocks=RECOGNITION_DONE),
                    "partial": Effects("recognition_partial", complete=(M.RECOGNITION,), clocks=RECOGNITION_DONE),
                    "partnership": Effects("recognition_rejected", complete=(M.RECOGNITION,), clocks=RECOGNITION_DONE),
                    "rejected": Effects("recognition_rejected", finish=JourneyOutcome.RECOGNITION_REJECTED),
                },
                on=(M.RECOGNITION,),
                guards=(g.RECOGNITION_APPLIED,),
                not_before=(NotBefore("decided_on", "recognition_applied_on", "the application reached the body"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.COMPARABILITY,
        "Degree comparable (anabin or ZAB): no recognition procedure",
        applies=c.needs_comparability,
        actions=(
            ActionSpec(
                RecordComparability,
                r.record_comparability,
                Effects("comparability_recorded", complete=(M.COMPARABILITY,)),
                on=(M.COMPARABILITY,),
                documents=DocumentStep.COMPARABILITY,
            ),
        ),
    ),
    MilestoneSpec(
        M.EXPERIENCE,
        "§6 BeschV: qualification of 2 years and 2 years' experience",
        applies=c.needs_experience,
        actions=(
            ActionSpec(
                RecordProfessionalExperience,
                r.record_professional_experience,
                Effects("experience_recorded", complete=(M.EXPERIENCE,)),
                on=(M.EXPERIENCE,),
                documents=DocumentStep.EXPERIENCE,
            ),
        ),
    ),
    MilestoneSpec(
        M.BA_CONSENT,
        "Consent of the Bundesagentur für Arbeit (§39 AufenthG)",
        after=QUALIFIED,
        after_in_81a=(M.ACCELERATED_PROCEDURE, *QUALIFIED[1:]),
        applies=c.needs_ba_consent,
        actions=(
            ActionSpec(
                RequestBaConsent,
                r.request_ba_consent,
                Effects(
                    "ba_consent_requested",
                    clocks=(Start(C.BA_CONSENT_FICTION, "requested_on", when=c.fiction_applies),),
                ),
                on=(M.BA_CONSENT,),
                guards=(g.BA_NOT_REQUESTED,),
                not_before=(
                    NotBefore("requested_on", "contract_signed_on", "the contract was signed"),
                    NotBefore("requested_on", "recognition_decided_on", "the recognition decision"),
                    NotBefore("requested_on", "ba_refused_on", "the refusal"),
                ),
            ),
            ActionSpec(
                BaInformationRequested,
                r.ba_information_requested,
                Effects("ba_information_requested", clocks=(Interrupt(C.BA_CONSENT_FICTION),)),
                on=(M.BA_CONSENT,),
                guards=(g.BA_WAITING, g.BA_NO_OPEN_QUESTION),
                takes_back=(_deemed_consent_taken_back(r.question_within_the_fiction),),
            ),
            ActionSpec(
                BaAnswersSent,
                r.ba_answers_sent,
                Effects(
                    "ba_answers_sent", clocks=(Start(C.BA_CONSENT_FICTION, "received_on", when=c.fiction_applies),)
                ),
                on=(M.BA_CONSENT,),
                guards=(g.BA_QUESTION_OPEN,),
            ),
            ActionSpec(
                RecordBaDecision,
                r.record_ba_decision,
                {
                    "granted": Effects(
                        "ba_consent_granted", complete=(M.BA_CONSENT,), clocks=(Meet(C.BA_CONSENT_FICTION),)
                    ),
                    "refused": Effects(
                        "ba_consent_refused",
                        close=(M.BA_CONSENT,),
                        open=(M.BA_REFUSED,),
                        clocks=(Close(C.BA_CONSENT_FICTION),),
                    ),
                },
                on=(M.BA_CONSENT,),
                guards=(g.BA_REQUESTED,),
                not_before=(NotBefore("decided_on", "ba_refused_on", "the earlier refusal"),),
                takes_back=(_deemed_consent_taken_back(r.decision_within_the_fiction),),
            ),
            ActionSpec(
                BaConsentDeemed,
                r.ba_consent_deemed,
                Effects(DEEMED_CONSENT, complete=(M.BA_CONSENT,), clocks=(Meet(C.BA_CONSENT_FICTION),)),
                on=(M.BA_CONSENT,),
                guards=(g.FICTION_RUNS,),
                future=("due_on",),  # recorded when the period has run out (scaled test days do not move the date)
                system=True,
            ),
        ),
    ),
    MilestoneSpec(
        M.BA_REFUSED,
        "BA refused: the employer fixes the grounds and asks again",
        by_action_only=True,
        actions=(
            ActionSpec(
                ReapplyBaConsent,
                r.reapply_ba_consent,
                Effects("ba_consent_reapplied", close=(M.BA_REFUSED,), open=(M.BA_CONSENT,)),
                on=(M.BA_REFUSED,),
            ),
        ),
    ),
    MilestoneSpec(
        M.VORABZUSTIMMUNG,
        "§81a: the ABH's Vorabzustimmung",
        after=(M.ACCELERATED_PROCEDURE, *QUALIFIED[1:], M.BA_CONSENT),
        applies=c.accelerated,
        actions=(
            ActionSpec(
                RecordVorabzustimmung,
                r.record_vorabzustimmung,
                Effects(
                    "vorabzustimmung_issued",
                    complete=(M.VORABZUSTIMMUNG,),
                    clocks=(
                        Start(C.VORABZUSTIMMUNG_VALIDITY, "issued_on", due="valid_until"),
                        Start(C.EMBASSY_APPOINTMENT_81A, "issued_on"),
                    ),
                ),
                on=(M.VORABZUSTIMMUNG,),
                checks=(Check(r.latest_start_given, since=2),),
                future=("valid_until", "latest_start_on"),
                not_before=(NotBefore("issued_on", "ba_decided_on", "the BA's consent"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.VISA,
        "Visa: appointment, application, decision at the mission",
        after=QUALIFIED,  # path (b): the application comes before the BA consent
        after_in_81a=(M.VORABZUSTIMMUNG,),
        done_before=(M.BA_CONSENT,),  # the visa is decided only with the BA's consent (§39 AufenthG)
        actions=(
            ActionSpec(
                BookVisaAppointment,
                r.book_visa_appointment,
                {
                    "within_the_clock": Effects("visa_appointment_booked", clocks=(Meet(C.EMBASSY_APPOINTMENT_81A),)),
                    # §31a(1) AufenthV (v4): an appointment after the three weeks is no appointment within them.
                    "after_the_clock": Effects("visa_appointment_booked"),
                },
                on=(M.VISA,),
                future=("appointment_on",),
                guards=(g.NO_APPOINTMENT_AFTER_APPLICATION,),
            ),
            ActionSpec(
                RecordVisaApplication,
                r.record_visa_application,
                Effects(
                    "visa_applied",
                    clocks=(
                        Meet(C.VORABZUSTIMMUNG_VALIDITY),  # what had to happen within its validity
                        Close(C.EMBASSY_APPOINTMENT_81A),
                        Start(C.VISA_DECISION_81A, "applied_on", when=c.in_81a),
                    ),
                ),
                on=(M.VISA,),
                documents=DocumentStep.VISA_APPLICATION,
                guards=(g.VISA_NOT_APPLIED,),
                takes_back=(EXPIRY_TAKEN_BACK,),
                not_before=(NotBefore("applied_on", "vorabzustimmung_issued_on", "the Vorabzustimmung was issued"),),
            ),
            ActionSpec(
                VorabzustimmungExpired,
                r.vorabzustimmung_expired,
                Effects(
                    "vorabzustimmung_expired",
                    close=(M.VISA,),
                    open=(M.VORABZUSTIMMUNG,),
                    clocks=(Lapse(C.VORABZUSTIMMUNG_VALIDITY), Close(C.EMBASSY_APPOINTMENT_81A)),
                ),
                on=(M.VISA,),
                procedure=A81,
                guards=(g.VORABZUSTIMMUNG_NOT_USED,),
            ),
            ActionSpec(
                RecordVisaDecision,
                r.record_visa_decision,
                {
                    "issued": Effects("visa_issued", complete=(M.VISA,), clocks=VISA_DECIDED),
                    "refused": Effects(
                        "visa_refused",
                        close=(M.VISA,),
                        open=(M.VISA_REFUSED,),
                        clocks=(*VISA_DECIDED, Start(C.VISA_LAWSUIT, "notified_on")),
                    ),
                    "won": Effects("visa_issued", close=(M.VISA_LAWSUIT,), complete=(M.VISA,)),
                    "lost": Effects("visa_lawsuit_lost", finish=JourneyOutcome.VISA_REFUSED),
                    # A lawsuit and a new application side by side (§74(2) VwGO, #24): one decision
                    # settles the visa, the other path ends.
                    "issued_beside_the_lawsuit": Effects(
                        "visa_issued", close=(M.VISA_LAWSUIT,), complete=(M.VISA,), clocks=VISA_DECIDED
                    ),
                    "won_over_a_new_refusal": Effects(
                        "visa_issued",
                        close=(M.VISA_LAWSUIT, M.VISA_REFUSED),
                        complete=(M.VISA,),
                        clocks=(Close(C.VISA_LAWSUIT),),
                    ),
                    "lost_beside_an_application": Effects("visa_lawsuit_lost", close=(M.VISA_LAWSUIT,)),
                },
                on=(M.VISA, M.VISA_LAWSUIT),
                guards=(g.VISA_APPLIED,),
                future=("valid_until",),
                not_before=(NotBefore("decided_on", "visa_applied_on", "the visa application"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.VISA_REFUSED,
        "Visa refused: new application, or lawsuit at the VG Berlin (§74 VwGO)",
        by_action_only=True,
        actions=(
            ActionSpec(
                NewVisaApplication,
                r.new_visa_application,
                {
                    # Versions 1-3: a new application gave up the lawsuit (retire: with the late-facts guard).
                    "instead_of_a_lawsuit": Effects(
                        "visa_new_application",
                        close=(M.VISA_REFUSED,),
                        open=(M.VISA,),
                        clocks=(Close(C.VISA_LAWSUIT),),
                    ),
                    # Both may run side by side within the month of §74(2) VwGO (#24).
                    "beside_the_lawsuit": Effects("visa_new_application", close=(M.VISA_REFUSED,), open=(M.VISA,)),
                },
                on=(M.VISA_REFUSED, M.VISA_LAWSUIT),
                guards=(g.NO_VISA_APPLICATION_RUNNING,),
            ),
            ActionSpec(
                FileVisaLawsuit,
                r.file_visa_lawsuit,
                Effects(
                    "visa_lawsuit_filed",
                    close=(M.VISA_REFUSED,),
                    open=(M.VISA_LAWSUIT,),
                    clocks=(Meet(C.VISA_LAWSUIT),),
                ),
                on=(M.VISA_REFUSED, M.VISA),
                guards=(g.REFUSAL_NOT_CONTESTED,),
                not_before=(NotBefore("filed_on", "visa_refusal_notified_on", "the refusal was notified"),),
            ),
        ),
    ),
    MilestoneSpec(M.VISA_LAWSUIT, "Lawsuit against the visa refusal", by_action_only=True),
    MilestoneSpec(
        M.ARRIVAL,
        "Arrival within the visa's validity",
        after=(M.VISA,),
        actions=(
            ActionSpec(
                RecordArrival,
                ra.record_arrival,
                Effects(
                    "arrived",
                    complete=(M.ARRIVAL,),
                    clocks=(
                        Start(C.RESIDENCE_PERMIT_APPLICATION, "arrived_on", due="visa_valid_until"),
                        Start(C.RECOGNITION_AFTER_ENTRY, "arrived_on", when=c.partnership),
                    ),
                ),
                on=(M.ARRIVAL,),
                not_before=(NotBefore("arrived_on", "visa_issued_on", "the visa was issued"),),
            ),
            ActionSpec(
                DelayArrival,
                ra.delay_arrival,
                {
                    "within_visa": Effects("arrival_delayed"),
                    "past_visa": Effects("arrival_delayed", close=(M.ARRIVAL,), open=(M.VISA,)),
                },
                on=(M.ARRIVAL,),
                checks=(
                    Check(ra.arrival_within_latest_start, since=2),
                    Check(ra.new_start_when_arrival_is_later, since=2),
                    Check(ra.new_start_not_before_arrival),
                ),
                future=("expected_on", "new_start_on"),
            ),
        ),
    ),
    MilestoneSpec(
        M.ANMELDUNG,
        "Anmeldung within 2 weeks of moving in (§17 BMG)",
        after=(M.ARRIVAL,),
        actions=(
            ActionSpec(
                RecordMovingIn,
                ra.record_moving_in,
                Effects("moved_in", clocks=(Start(C.ANMELDUNG, "moved_in_on"),)),
                on=(M.ANMELDUNG,),
                guards=(g.NOT_MOVED_IN,),
                not_before=(NotBefore("moved_in_on", "arrived_on", "the arrival"),),
            ),
            ActionSpec(
                RecordAnmeldung,
                ra.record_anmeldung,
                Effects("anmeldung_recorded", complete=(M.ANMELDUNG,), clocks=(Meet(C.ANMELDUNG),)),
                on=(M.ANMELDUNG,),
                documents=DocumentStep.ANMELDUNG,
            ),
        ),
    ),
    MilestoneSpec(
        M.RESIDENCE_PERMIT,
        "Residence permit at the ABH before the visa expires (§81 AufenthG)",
        after=(M.ARRIVAL,),
        actions=(
            ActionSpec(
                RecordPermitApplication,
                ra.record_permit_application,
                Effects(
                    "permit_applied",
                    clocks=(
                        Meet(C.RESIDENCE_PERMIT_APPLICATION),
                        Start(
                            C.PERMIT_DECISION_BEFORE_VISA_EXPIRY,
                            "applied_on",
                            due="visa_valid_until",
                            when=c.applied_before_visa_expiry,
                        ),
                    ),
                ),
                on=(M.RESIDENCE_PERMIT,),
                # §81(4) S.1 AufenthG: the timely application alone keeps the status; the
                # documents (the Meldebescheinigung often weeks later) follow before the decision.
                documents=DocumentStep.RESIDENCE_PERMIT,
                documents_until=2,
                guards=(g.PERMIT_NOT_APPLIED,),
                not_before=(
                    NotBefore("applied_on", "arrived_on", "the arrival"),
                    NotBefore("applied_on", "registered_on", "the Anmeldung"),
                ),
            ),
            ActionSpec(
                RecordFiktionsbescheinigung,
                ra.record_fiktionsbescheinigung,
                Effects(
                    "fiktionsbescheinigung_issued",
                    clocks=(
                        Meet(C.PERMIT_DECISION_BEFORE_VISA_EXPIRY),
                        Start(C.FIKTIONSBESCHEINIGUNG_VALIDITY, "issued_on", due="valid_until"),
                    ),
                ),
                on=(M.RESIDENCE_PERMIT,),
                guards=(g.PERMIT_APPLIED,),
                checks=(Check(ra.status_kept),),
                future=("valid_until",),
                not_before=(NotBefore("issued_on", "permit_applied_on", "the permit application"),),
            ),
            ActionSpec(
                RecordPermitDecision,
                ra.record_permit_decision,
                {
                    "granted": Effects(
                        "permit_granted",
                        complete=(M.RESIDENCE_PERMIT,),
                        clocks=(
                            Meet(C.PERMIT_DECISION_BEFORE_VISA_EXPIRY),
                            Meet(C.FIKTIONSBESCHEINIGUNG_VALIDITY),
                            Start(C.INTEGRATION_COURSE, "decided_on", when=c.entitled_to_the_integration_course),
                        ),
                    ),
                    "refused": Effects("permit_refused", finish=JourneyOutcome.PERMIT_REFUSED),
                },
                on=(M.RESIDENCE_PERMIT,),
                documents=DocumentStep.RESIDENCE_PERMIT,
                documents_since=3,  # the application's documents, handed in after it (§81(4) S.1)
                guards=(g.PERMIT_APPLIED,),
                future=("valid_until",),
                not_before=(NotBefore("decided_on", "permit_applied_on", "the permit application"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.JOB_START,
        "Job start (the employment visa allows work before the permit card)",
        after=(M.ARRIVAL,),
        actions=(
            ActionSpec(
                RecordJobStart,
                ra.record_job_start,
                Effects(
                    "job_started",
                    complete=(M.JOB_START,),
                    clocks=(Start(C.PROBATION, "started_on", months="probation_months"),),
                ),
                on=(M.JOB_START,),
                checks=(Check(ra.probation_within_the_law),),
                not_before=(NotBefore("started_on", "arrived_on", "the arrival"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.PROBATION,
        "Probation (§622(3) BGB)",
        after=(M.JOB_START,),
        actions=(
            ActionSpec(
                RecordProbationPassed,
                ra.record_probation_passed,
                Effects(
                    "probation_passed",
                    complete=(M.PROBATION,),
                    clocks=(Meet(C.PROBATION),),
                    outcome_when_done=JourneyOutcome.PLACED,
                ),
                on=(M.PROBATION,),
                not_before=(NotBefore("passed_on", "job_started_on", "the job started"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.EMPLOYER_REPORT_DUE,
        "Employer reports the early end to the ABH (§4a(5) AufenthG)",
        by_action_only=True,
        actions=(
            ActionSpec(
                RecordEmployerReport,
                ra.record_employer_report,
                Effects("employer_reported", complete=(M.EMPLOYER_REPORT_DUE,), clocks=(Meet(C.EMPLOYER_REPORT),)),
                on=(M.EMPLOYER_REPORT_DUE,),
                not_before=(NotBefore("reported_on", "end_known_on", "the employer learned of the end"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.INTEGRATION_COURSE,
        "Integration course before the entitlement lapses (§44 AufenthG)",
        after=(M.RESIDENCE_PERMIT,),
        applies=c.integration_course_entitlement,
        actions=(
            ActionSpec(
                RecordIntegrationCourse,
                ra.record_integration_course,
                Effects(
                    "integration_course_recorded",
                    complete=(M.INTEGRATION_COURSE,),
                    clocks=(Meet(C.INTEGRATION_COURSE),),
                ),
                on=(M.INTEGRATION_COURSE,),
                not_before=(NotBefore("recorded_on", "arrived_on", "the arrival"),),
            ),
        ),
    ),
    MilestoneSpec(
        M.FOLLOW_UP_RECOGNITION,
        "§16d: full recognition after entry, then §18a",
        after=(M.ARRIVAL,),
        applies=c.needs_follow_up_recognition,
        actions=(
            ActionSpec(
                ApplyForFollowUpRecognition,
                ra.apply_for_follow_up_recognition,
                Effects("follow_up_recognition_applied", clocks=(Meet(C.RECOGNITION_AFTER_ENTRY),)),
                on=(M.FOLLOW_UP_RECOGNITION,),
                guards=(g.FOLLOW_UP_NOT_APPLIED,),
                not_before=(NotBefore("applied_on", "arrived_on", "the arrival"),),
            ),
            ActionSpec(
                RecordFollowUpRecognition,
                ra.record_follow_up_recognition,
                {
                    "full": Effects("follow_up_recognition_full", complete=(M.FOLLOW_UP_RECOGNITION,)),
                    "not_yet": Effects("follow_up_recognition_not_yet"),
                },
                on=(M.FOLLOW_UP_RECOGNITION,),
                guards=(g.FOLLOW_UP_APPLIED,),
                not_before=(NotBefore("decided_on", "follow_up_applied_on", "the application"),),
            ),
        ),
    ),
)

# The import file's dates and the milestone each one shows reached (#16).
IMPORTED_MILESTONES: dict[str, Milestone] = {
    "contract_signed_on": M.CONTRACT,
    "recognition_decided_on": M.RECOGNITION,
    "ba_consent_on": M.BA_CONSENT,
    "visa_issued_on": M.VISA,
    "arrived_on": M.ARRIVAL,
    "job_started_on": M.JOB_START,
    "probation_passed_on": M.PROBATION,
    "registered_on": M.ANMELDUNG,
    "permit_granted_on": M.RESIDENCE_PERMIT,
}


def imported_milestones(action: ImportJourney) -> tuple[Milestone, ...]:
    """The milestones the row's dates reached; on a §16d route its recognition is the full one
    after entry (#24)."""
    after_entry = action.imported.recognition_after_entry
    return tuple(
        M.FOLLOW_UP_RECOGNITION if after_entry and name == "recognition_decided_on" else IMPORTED_MILESTONES[name]
        for name in action.imported.dated()
    )


# Actions open while the journey runs, whatever milestone it is at.
ANYTIME: tuple[ActionSpec, ...] = (
    ActionSpec(RecordDocuments, r.record_documents, Effects("documents_recorded")),
    ActionSpec(
        RecordEmploymentEnded,
        ra.record_employment_ended,
        {
            "during_probation": Effects(
                "employment_ended",
                close_all=True,
                open=(M.EMPLOYER_REPORT_DUE,),
                clocks=(Start(C.EMPLOYER_REPORT, "known_on"),),
                outcome_when_done=JourneyOutcome.EMPLOYMENT_ENDED,
            ),
            # After probation the person was placed; the employer's report is still due.
            "after_probation": Effects(
                "employment_ended",
                close_all=True,
                open=(M.EMPLOYER_REPORT_DUE,),
                clocks=(Start(C.EMPLOYER_REPORT, "known_on"),),
                outcome_when_done=JourneyOutcome.PLACED,
            ),
        },
        requires=(M.JOB_START,),
        guards=(g.EMPLOYED,),
        not_before=(NotBefore("ended_on", "job_started_on", "the job started"),),
        # §4a(5) S.3 Nr.3 AufenthG: the employer reports an early end within four weeks, after
        # the placement too.
        after_placement=True,
    ),
    ActionSpec(
        WithdrawCandidate,
        ra.withdraw_candidate,
        Effects("candidate_withdrew", finish=JourneyOutcome.WITHDRAWN_BY_CANDIDATE),
    ),
    ActionSpec(AddNote, ra.add_note, Effects("note_added")),
    # #16: an imported journey's first step, at the milestone its row's dates reached.
    ActionSpec(
        ImportJourney,
        ra.import_journey,
        {
            branch: Effects(
                "journey_imported",
                complete_reached=imported_milestones,
                happened_on="last_dated_on",
                finish=outcome,
                # The clocks the live steps start, from the file's dates: the permit application's
                # (due with the visa's validity, when the file gives it) and the probation.
                clocks=(
                    Start(
                        C.RESIDENCE_PERMIT_APPLICATION, "arrived_on", due="visa_valid_until", when=c.arrived_on_the_visa
                    ),
                    Start(C.PROBATION, "job_started_on", when=c.on_probation),
                    Start(C.INTEGRATION_COURSE, "permit_decided_on", when=c.course_after_an_imported_permit),
                ),
            )
            for branch, outcome in (
                ("running", None),
                ("placed", JourneyOutcome.PLACED),
                ("withdrew", JourneyOutcome.WITHDRAWN_BY_CANDIDATE),
                ("employment_ended", JourneyOutcome.EMPLOYMENT_ENDED),
            )
        },
        system=True,
    ),
    ActionSpec(OfferedWageChanged, ra.change_offered_wage, Effects("offered_wage_changed"), system=True),
    ActionSpec(
        EndJourney,
        ra.end_journey,
        {
            JourneyOutcome.VACANCY_WITHDRAWN: Effects("journey_ended", finish=JourneyOutcome.VACANCY_WITHDRAWN),
            JourneyOutcome.ENDED_BY_WELCOME_CENTER: Effects(
                "journey_ended", finish=JourneyOutcome.ENDED_BY_WELCOME_CENTER
            ),
        },
        system=True,
    ),
)

# Where the law acts by itself when a clock's last day has run out: the action the
# journey records then (with the due date), instead of a reminder.
STATUTORY_EFFECTS: dict[ClockName, Callable[[date], Any]] = {
    C.BA_CONSENT_FICTION: lambda due: BaConsentDeemed(advisor=SYSTEM_HANDLE, due_on=due),
    C.VORABZUSTIMMUNG_VALIDITY: lambda due: VorabzustimmungExpired(
        advisor=SYSTEM_HANDLE, reason=f"its validity ended on {due}"
    ),
}

ACTIONS: tuple[ActionSpec, ...] = tuple(a for m in MILESTONES for a in m.actions) + ANYTIME
BY_MODEL: dict[type, ActionSpec] = {a.model: a for a in ACTIONS}
BY_UPDATE: dict[str, ActionSpec] = {a.update: a for a in ACTIONS}
BY_MILESTONE: dict[Milestone, MilestoneSpec] = {m.milestone: m for m in MILESTONES}
# The advisors' commands, in process order (what the starter offers).
COMMANDS: tuple[ActionSpec, ...] = tuple(a for a in ACTIONS if not a.system)
