"""The journey as a state machine: which action fits when, and what it changes.

``apply`` checks one advisor action against the journey and applies it to the
state it is given. The Update validator applies it to a copy (and discards it), the
handler to the real state, so both always agree: a rejected action changes nothing,
and the message names the reason, the missing documents or the field at fault.
Pure functions: unit-testable without a server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from models.case import BaConsentPath, ConsentDecision, Procedure, ResidenceRoute, VisaDecision
from models.clocks import ClockName, Deadline, DeadlineStatus
from models.deadlines import add_months
from models.documents import DocumentCode, DocumentStep, required_documents
from models.journey import (
    AddNote,
    BookVisaAppointment,
    DelayArrival,
    EndJourney,
    ExtendRecognitionClock,
    FileVisaLawsuit,
    JourneyOutcome,
    JourneyStage,
    JourneyState,
    NewVisaApplication,
    PauseRecognitionClock,
    PermitDecision,
    ReapplyBaConsent,
    ReceivedDocument,
    RecognitionDecision,
    RecordAnmeldung,
    RecordArrival,
    RecordBaDecision,
    RecordContract,
    RecordDocuments,
    RecordEmployerReport,
    RecordEmploymentEnded,
    RecordJobStart,
    RecordPermitApplication,
    RecordPermitDecision,
    RecordProbationPassed,
    RecordRecognition,
    RecordVisaDecision,
    RecordVorabzustimmung,
    ResumeRecognitionClock,
    StartAcceleratedProcedure,
    VorabzustimmungExpired,
    WithdrawCandidate,
)
from workflows.case_rules import CaseRuleViolation, not_in_future

S = JourneyStage
ANMELDUNG_PERIOD = timedelta(weeks=2)  # §17(1) BMG
EMPLOYER_REPORT_PERIOD = timedelta(weeks=4)  # §4a(5) S.3 Nr.3 AufenthG

# The step whose checklist is open while the journey is in a stage.
STAGE_DOCUMENTS: dict[JourneyStage, DocumentStep] = {
    S.CONTRACT: DocumentStep.CONTRACT,
    S.ACCELERATED_PROCEDURE: DocumentStep.ACCELERATED_PROCEDURE,
    S.RECOGNITION: DocumentStep.RECOGNITION,
    S.VISA: DocumentStep.VISA_APPLICATION,
    S.ANMELDUNG: DocumentStep.ANMELDUNG,
    S.RESIDENCE_PERMIT: DocumentStep.RESIDENCE_PERMIT,
}

# What an advisor can do next, by stage (starter subcommand names).
NEXT_STEPS: dict[JourneyStage, list[str]] = {
    S.CONTRACT: ["record-documents", "record-contract"],
    S.ACCELERATED_PROCEDURE: ["record-documents", "start-accelerated-procedure"],
    S.RECOGNITION: [
        "record-documents",
        "record-recognition",
        "pause-recognition-clock",
        "resume-recognition-clock",
        "extend-recognition-clock",
    ],
    S.BA_CONSENT: ["record-ba-decision"],
    S.BA_REFUSED: ["reapply-ba-consent"],
    S.VORABZUSTIMMUNG: ["record-vorabzustimmung"],
    S.VISA: ["record-documents", "book-visa-appointment", "record-visa-decision"],
    S.VISA_REFUSED: ["new-visa-application", "file-visa-lawsuit (within 1 month, §74 VwGO)"],
    S.VISA_LAWSUIT: ["record-visa-decision (court outcome)"],
    S.ARRIVAL: ["record-arrival", "delay-arrival"],
    S.ANMELDUNG: ["record-documents", "record-anmeldung (2 weeks after moving in, §17 BMG)"],
    S.RESIDENCE_PERMIT: ["record-documents", "record-permit-application", "record-permit-decision"],
    S.JOB_START: ["record-job-start"],
    S.PROBATION: ["record-probation-passed", "record-employment-ended"],
    S.EMPLOYER_REPORT_DUE: ["record-employer-report (4 weeks after the end, §4a(5) AufenthG)"],
    S.FINISHED: [],
}


@dataclass
class Step:
    """What an applied action did: the audit event's action name, stage and summary."""

    action: str
    to_stage: JourneyStage
    summary: str
    note: str | None = None


def needs_recognition(route: ResidenceRoute) -> bool:
    # §18a/§18b need the qualification recognised before the visa; §16a is training,
    # §16d(1) starts from a Defizitbescheid, §16d(3) recognises after entry.
    return route in (ResidenceRoute.SECTION_18A, ResidenceRoute.SECTION_18B)


def open_documents(state: JourneyState) -> list[DocumentCode]:
    step = STAGE_DOCUMENTS.get(state.stage)
    if step is None:
        return []
    return [code for code in _checklist(state, step) if not state.has_document(code)]


def next_steps(state: JourneyState) -> list[str]:
    steps = list(NEXT_STEPS[state.stage])
    if state.stage is S.VISA and state.procedure is Procedure.ACCELERATED_81A:
        steps.append("vorabzustimmung-expired")
    if state.stage is not S.FINISHED:
        steps += ["withdraw-candidate", "add-note"]
    return steps


def apply(state: JourneyState, action: Any, today: date) -> Step:
    """Check ``action`` against ``state`` and apply it (mutates ``state``)."""
    rule = _RULES.get(type(action))
    if rule is None:
        raise CaseRuleViolation(f"{type(action).__name__}: not a journey action")
    name = _ACTION_NAMES[type(action)]
    if state.stage is S.FINISHED:
        raise CaseRuleViolation(
            f"{name}: journey {state.number} of case {state.case_id} has finished ({state.outcome}); nothing can change"
        )
    step = rule(state, action, today)
    step.note = getattr(action, "note", None)
    return step


# --- helpers ---------------------------------------------------------------------------------


def _checklist(state: JourneyState, step: DocumentStep) -> list[DocumentCode]:
    recognised = state.recognition in (RecognitionDecision.FULL, RecognitionDecision.PARTIAL)
    return required_documents(step, state.route, state.procedure, recognised=recognised)


def _stage(state: JourneyState, action: str, *allowed: JourneyStage) -> None:
    if state.stage not in allowed:
        expected = " or ".join(f"'{s}'" for s in allowed)
        raise CaseRuleViolation(
            f"{action}: journey {state.number} is in stage '{state.stage}', this action belongs to stage {expected}"
        )


def _documents(state: JourneyState, action: str, step: DocumentStep) -> None:
    missing = [c.value for c in _checklist(state, step) if not state.has_document(c)]
    if missing:
        raise CaseRuleViolation(f"{action}: documents missing for {step.value}: {', '.join(missing)}")


def _not_before(field: str, value: date, other_field: str, other: date | None) -> None:
    if other is not None and value < other:
        raise CaseRuleViolation(f"{field}: {value} is before {other_field} ({other})")


def _finish(state: JourneyState, outcome: JourneyOutcome, reason: str) -> None:
    state.outcome = outcome
    state.outcome_reason = reason


def _after_contract(state: JourneyState) -> JourneyStage:
    if state.procedure is Procedure.ACCELERATED_81A:
        return S.ACCELERATED_PROCEDURE
    return _after_81a(state)


def _after_81a(state: JourneyState) -> JourneyStage:
    return S.RECOGNITION if needs_recognition(state.route) else S.BA_CONSENT


# --- one rule per action ----------------------------------------------------------------------


def _record_documents(state: JourneyState, a: RecordDocuments, today: date) -> Step:
    for doc in a.documents:
        not_in_future(f"documents.{doc.code.value}.received_on", doc.received_on, today)
    codes = {d.code for d in a.documents}
    # A newer copy of the same document replaces the older entry.
    state.documents = [d for d in state.documents if d.code not in codes] + [
        ReceivedDocument(code=d.code, reference=d.reference, received_on=d.received_on, recorded_by=a.advisor)
        for d in a.documents
    ]
    listed = ", ".join(sorted(c.value for c in codes))
    return Step("documents_recorded", state.stage, f"Documents recorded: {listed}")


def _record_contract(state: JourneyState, a: RecordContract, today: date) -> Step:
    _stage(state, "record_contract", S.CONTRACT)
    _documents(state, "record_contract", DocumentStep.CONTRACT)
    not_in_future("signed_on", a.signed_on, today)
    state.contract_signed_on, state.contract_starts_on = a.signed_on, a.starts_on
    return Step(
        "contract_signed",
        _after_contract(state),
        f"Contract signed on {a.signed_on}, start {a.starts_on}",
    )


def _start_accelerated_procedure(state: JourneyState, a: StartAcceleratedProcedure, today: date) -> Step:
    _stage(state, "start_accelerated_procedure", S.ACCELERATED_PROCEDURE)
    _documents(state, "start_accelerated_procedure", DocumentStep.ACCELERATED_PROCEDURE)
    not_in_future("agreement_signed_on", a.agreement_signed_on, today)
    not_in_future("fee_paid_on", a.fee_paid_on, today)
    state.agreement_81a_signed_on = a.agreement_signed_on
    return Step(
        "accelerated_procedure_started",
        _after_81a(state),
        f"§81a agreement with the ABH signed on {a.agreement_signed_on}, fee paid on {a.fee_paid_on}",
    )


def _record_recognition(state: JourneyState, a: RecordRecognition, today: date) -> Step:
    _stage(state, "record_recognition", S.RECOGNITION)
    _documents(state, "record_recognition", DocumentStep.RECOGNITION)
    not_in_future("decided_on", a.decided_on, today)
    state.recognition, state.recognition_decided_on = a.decision, a.decided_on
    if a.decision is RecognitionDecision.FULL:
        return Step("recognition_full", S.BA_CONSENT, f"Full recognition by {a.body} on {a.decided_on}")
    if a.decision is RecognitionDecision.PARTIAL:
        state.route = ResidenceRoute.SECTION_16D1
        state.adaptation_qualification = a.adaptation_qualification
        return Step(
            "recognition_partial",
            S.BA_CONSENT,
            f"Partial recognition (Defizitbescheid) by {a.body} on {a.decided_on}; route switched to "
            f"§16d(1) with adaptation qualification: {a.adaptation_qualification}",
        )
    if a.continue_as_recognition_partnership:
        state.route = ResidenceRoute.SECTION_16D3
        return Step(
            "recognition_rejected",
            S.BA_CONSENT,
            f"Recognition rejected by {a.body} on {a.decided_on}; continues as recognition partnership §16d(3)",
        )
    _finish(state, JourneyOutcome.RECOGNITION_REJECTED, f"recognition rejected by {a.body}")
    return Step("recognition_rejected", S.FINISHED, f"Recognition rejected by {a.body} on {a.decided_on}")


def _recognition_clock(state: JourneyState, action: str, status: DeadlineStatus) -> Deadline:
    _stage(state, action, S.RECOGNITION)
    clock = next((d for d in state.deadlines if d.clock is ClockName.RECOGNITION_DECISION and d.open), None)
    if clock is None:
        raise CaseRuleViolation(f"{action}: the recognition clock has not started (documents incomplete?)")
    if clock.status is not status:
        raise CaseRuleViolation(f"{action}: the recognition clock is {clock.status.value}")
    return clock


def _pause_recognition_clock(state: JourneyState, a: PauseRecognitionClock, today: date) -> Step:
    _recognition_clock(state, "pause_recognition_clock", DeadlineStatus.RUNNING)
    return Step("recognition_clock_paused", S.RECOGNITION, f"Recognition clock paused: {a.reason}")


def _resume_recognition_clock(state: JourneyState, a: ResumeRecognitionClock, today: date) -> Step:
    _recognition_clock(state, "resume_recognition_clock", DeadlineStatus.PAUSED)
    return Step("recognition_clock_resumed", S.RECOGNITION, "Recognition clock runs again; paused days added")


def _extend_recognition_clock(state: JourneyState, a: ExtendRecognitionClock, today: date) -> Step:
    clock = _recognition_clock(state, "extend_recognition_clock", DeadlineStatus.RUNNING)
    if clock.extended:
        raise CaseRuleViolation("extend_recognition_clock: the decision period can be extended only once (§6(4) BQFG)")
    if a.until <= clock.due_on:
        raise CaseRuleViolation(f"until: {a.until} is not after the current due date {clock.due_on}")
    return Step(
        "recognition_clock_extended", S.RECOGNITION, f"Recognition decision period extended to {a.until}: {a.reason}"
    )


def deemed_ba_consent(state: JourneyState, due_on: date) -> Step:
    """§36(2) BeschV: no answer from the BA within the period means consent (Zustimmungsfiktion)."""
    if state.stage is not S.BA_CONSENT:
        raise CaseRuleViolation(f"ba consent fiction: journey {state.number} is in stage '{state.stage}'")
    state.ba_decisions.append(
        {"decision": "deemed_granted", "path": "fiction", "decided_on": due_on.isoformat(), "basis": "§36(2) BeschV"}
    )
    next_stage = S.VORABZUSTIMMUNG if state.procedure is Procedure.ACCELERATED_81A else S.VISA
    return Step(
        "ba_consent_deemed",
        next_stage,
        f"BA consent deemed given on {due_on}: no answer within the period (Zustimmungsfiktion, §36(2) BeschV)",
    )


def _record_ba_decision(state: JourneyState, a: RecordBaDecision, today: date) -> Step:
    _stage(state, "record_ba_decision", S.BA_CONSENT)
    not_in_future("decided_on", a.decided_on, today)
    _not_before("decided_on", a.decided_on, "contract signed_on", state.contract_signed_on)
    accelerated = state.procedure is Procedure.ACCELERATED_81A
    if accelerated and a.path is not BaConsentPath.ABH_81A:
        raise CaseRuleViolation("path: in the §81a procedure the ABH asks the BA (abh_81a)")
    if not accelerated and a.path is BaConsentPath.ABH_81A:
        raise CaseRuleViolation("path: abh_81a only exists in the §81a procedure")
    state.ba_decisions.append(a.model_dump(mode="json", exclude={"advisor", "note"}))
    if a.decision is ConsentDecision.REFUSED:
        return Step(
            "ba_consent_refused",
            S.BA_REFUSED,
            f"BA consent refused on {a.decided_on}: {a.refusal_grounds}",
        )
    next_stage = S.VORABZUSTIMMUNG if accelerated else S.VISA
    return Step("ba_consent_granted", next_stage, f"BA consent granted on {a.decided_on} ({a.path})")


def _reapply_ba(state: JourneyState, a: ReapplyBaConsent, today: date) -> Step:
    _stage(state, "reapply_ba_consent", S.BA_REFUSED)
    return Step("ba_consent_reapplied", S.BA_CONSENT, f"Re-applied for BA consent after: {a.changes}")


def _record_vorabzustimmung(state: JourneyState, a: RecordVorabzustimmung, today: date) -> Step:
    _stage(state, "record_vorabzustimmung", S.VORABZUSTIMMUNG)
    not_in_future("issued_on", a.issued_on, today)
    if a.valid_until < today:
        raise CaseRuleViolation(f"valid_until: {a.valid_until} has passed; record a current Vorabzustimmung")
    state.vorabzustimmung_valid_until = a.valid_until
    state.visa_appointment_on = None
    return Step(
        "vorabzustimmung_issued",
        S.VISA,
        f"Vorabzustimmung issued on {a.issued_on}, valid until {a.valid_until}",
    )


def _vorabzustimmung_expired(state: JourneyState, a: VorabzustimmungExpired, today: date) -> Step:
    _stage(state, "vorabzustimmung_expired", S.VISA)
    if state.procedure is not Procedure.ACCELERATED_81A:
        raise CaseRuleViolation("vorabzustimmung_expired: only in the §81a procedure")
    state.vorabzustimmung_valid_until = None
    state.visa_appointment_on = None
    return Step(
        "vorabzustimmung_expired",
        S.VORABZUSTIMMUNG,
        f"Vorabzustimmung expired before the visa appointment ({a.reason}); the ABH must issue a new one",
    )


def _book_visa_appointment(state: JourneyState, a: BookVisaAppointment, today: date) -> Step:
    _stage(state, "book_visa_appointment", S.VISA)
    _documents(state, "book_visa_appointment", DocumentStep.VISA_APPLICATION)
    valid_until = state.vorabzustimmung_valid_until
    if state.procedure is Procedure.ACCELERATED_81A and valid_until and a.appointment_on > valid_until:
        raise CaseRuleViolation(
            f"appointment_on: {a.appointment_on} is after the Vorabzustimmung expires ({valid_until}); "
            "book earlier or record vorabzustimmung-expired"
        )
    rebooked = state.visa_appointment_on is not None
    if not rebooked:
        state.visa_applications += 1
    state.visa_appointment_on = a.appointment_on
    verb = "rebooked" if rebooked else "booked"
    return Step(
        "visa_appointment_booked",
        S.VISA,
        f"Visa appointment {verb} for {a.appointment_on} at the mission in {a.mission}",
    )


def _record_visa_decision(state: JourneyState, a: RecordVisaDecision, today: date) -> Step:
    _stage(state, "record_visa_decision", S.VISA, S.VISA_LAWSUIT)
    not_in_future("decided_on", a.decided_on, today)
    if state.stage is S.VISA:
        if state.visa_appointment_on is None:
            raise CaseRuleViolation("record_visa_decision: no visa appointment booked yet")
        _not_before("decided_on", a.decided_on, "the appointment", state.visa_appointment_on)
    if a.decision is VisaDecision.ISSUED:
        state.visa_valid_until = a.valid_until
        via = " after the lawsuit" if state.stage is S.VISA_LAWSUIT else ""
        return Step("visa_issued", S.ARRIVAL, f"Visa issued{via} on {a.decided_on}, valid until {a.valid_until}")
    if state.stage is S.VISA_LAWSUIT:
        _finish(state, JourneyOutcome.VISA_REFUSED, "visa refused, lawsuit lost")
        return Step("visa_lawsuit_lost", S.FINISHED, f"Lawsuit lost on {a.decided_on}; visa refused for good")
    state.visa_refused_on = a.decided_on
    deadline = add_months(a.decided_on, 1)
    return Step(
        "visa_refused",
        S.VISA_REFUSED,
        f"Visa refused on {a.decided_on}; new application, or lawsuit at the VG Berlin by {deadline}",
    )


def _new_visa_application(state: JourneyState, a: NewVisaApplication, today: date) -> Step:
    _stage(state, "new_visa_application", S.VISA_REFUSED)
    state.visa_appointment_on = None
    return Step("visa_new_application", S.VISA, "New visa application after the refusal")


def _file_visa_lawsuit(state: JourneyState, a: FileVisaLawsuit, today: date) -> Step:
    _stage(state, "file_visa_lawsuit", S.VISA_REFUSED)
    not_in_future("filed_on", a.filed_on, today)
    assert state.visa_refused_on is not None
    _not_before("filed_on", a.filed_on, "the refusal", state.visa_refused_on)
    deadline = add_months(state.visa_refused_on, 1)
    if a.filed_on > deadline:
        raise CaseRuleViolation(
            f"filed_on: the one-month period for a lawsuit (§74 VwGO) ended on {deadline}; "
            "only a new application is possible"
        )
    state.lawsuit_filed_on = a.filed_on
    return Step("visa_lawsuit_filed", S.VISA_LAWSUIT, f"Lawsuit against the refusal filed on {a.filed_on}")


def _delay_arrival(state: JourneyState, a: DelayArrival, today: date) -> Step:
    _stage(state, "delay_arrival", S.ARRIVAL)
    if a.expected_on < today:
        raise CaseRuleViolation(f"expected_on: {a.expected_on} has passed (today is {today})")
    state.expected_arrival_on = a.expected_on
    if state.visa_valid_until and a.expected_on > state.visa_valid_until:
        state.visa_appointment_on = None
        state.visa_valid_until = None
        return Step(
            "arrival_delayed",
            S.VISA,
            f"Arrival delayed to {a.expected_on} ({a.reason}), after the visa expires; new visa needed",
        )
    return Step("arrival_delayed", S.ARRIVAL, f"Arrival delayed to {a.expected_on}: {a.reason}")


def _record_arrival(state: JourneyState, a: RecordArrival, today: date) -> Step:
    _stage(state, "record_arrival", S.ARRIVAL)
    not_in_future("arrived_on", a.arrived_on, today)
    if state.visa_valid_until and a.arrived_on > state.visa_valid_until:
        raise CaseRuleViolation(f"arrived_on: {a.arrived_on} is after the visa expired ({state.visa_valid_until})")
    state.arrived_on = a.arrived_on
    return Step("arrived", S.ANMELDUNG, f"Arrived on {a.arrived_on}; Anmeldung due within 2 weeks of moving in")


def _record_anmeldung(state: JourneyState, a: RecordAnmeldung, today: date) -> Step:
    _stage(state, "record_anmeldung", S.ANMELDUNG)
    _documents(state, "record_anmeldung", DocumentStep.ANMELDUNG)
    not_in_future("registered_on", a.registered_on, today)
    _not_before("moved_in_on", a.moved_in_on, "arrived_on", state.arrived_on)
    state.moved_in_on, state.registered_on = a.moved_in_on, a.registered_on
    late = a.registered_on > a.moved_in_on + ANMELDUNG_PERIOD
    suffix = " (late: more than 2 weeks after moving in, §17 BMG)" if late else ""
    return Step("anmeldung_recorded", S.RESIDENCE_PERMIT, f"Registered (Anmeldung) on {a.registered_on}{suffix}")


def _record_permit_application(state: JourneyState, a: RecordPermitApplication, today: date) -> Step:
    _stage(state, "record_permit_application", S.RESIDENCE_PERMIT)
    if state.permit_applied_on is not None:
        raise CaseRuleViolation(f"record_permit_application: already applied on {state.permit_applied_on}")
    _documents(state, "record_permit_application", DocumentStep.RESIDENCE_PERMIT)
    not_in_future("applied_on", a.applied_on, today)
    _not_before("applied_on", a.applied_on, "registered_on", state.registered_on)
    state.permit_applied_on = a.applied_on
    if state.visa_valid_until and a.applied_on > state.visa_valid_until:
        summary = (
            f"Residence permit applied for on {a.applied_on}, after the visa expired "
            f"({state.visa_valid_until}): no Fiktionsbescheinigung (§81(4) AufenthG)"
        )
    else:
        summary = f"Residence permit applied for on {a.applied_on}, before the visa expires; status kept (§81(4))"
    return Step("permit_applied", S.RESIDENCE_PERMIT, summary)


def _record_permit_decision(state: JourneyState, a: RecordPermitDecision, today: date) -> Step:
    _stage(state, "record_permit_decision", S.RESIDENCE_PERMIT)
    if state.permit_applied_on is None:
        raise CaseRuleViolation("record_permit_decision: record the permit application first")
    not_in_future("decided_on", a.decided_on, today)
    _not_before("decided_on", a.decided_on, "applied_on", state.permit_applied_on)
    if a.decision is PermitDecision.REFUSED:
        _finish(state, JourneyOutcome.PERMIT_REFUSED, "residence permit refused")
        return Step("permit_refused", S.FINISHED, f"Residence permit refused on {a.decided_on}")
    state.permit_valid_until = a.valid_until
    return Step(
        "permit_granted",
        S.JOB_START,
        f"Residence permit granted on {a.decided_on}, valid until {a.valid_until}",
    )


def _record_job_start(state: JourneyState, a: RecordJobStart, today: date) -> Step:
    _stage(state, "record_job_start", S.JOB_START)
    not_in_future("started_on", a.started_on, today)
    state.job_started_on = a.started_on
    return Step("job_started", S.PROBATION, f"Started work on {a.started_on}; probation runs (§622(3) BGB)")


def _record_probation_passed(state: JourneyState, a: RecordProbationPassed, today: date) -> Step:
    _stage(state, "record_probation_passed", S.PROBATION)
    not_in_future("passed_on", a.passed_on, today)
    _not_before("passed_on", a.passed_on, "started_on", state.job_started_on)
    _finish(state, JourneyOutcome.PLACED, f"probation passed on {a.passed_on}")
    return Step("probation_passed", S.FINISHED, f"Probation passed on {a.passed_on}: placed")


def _record_employment_ended(state: JourneyState, a: RecordEmploymentEnded, today: date) -> Step:
    _stage(state, "record_employment_ended", S.PROBATION)
    not_in_future("ended_on", a.ended_on, today)
    _not_before("ended_on", a.ended_on, "started_on", state.job_started_on)
    state.employment_ended_on = a.ended_on
    state.outcome_reason = a.reason
    when = "during probation" if a.during_probation else "early"
    due = a.ended_on + EMPLOYER_REPORT_PERIOD
    return Step(
        "employment_ended",
        S.EMPLOYER_REPORT_DUE,
        f"Employment ended {when} on {a.ended_on} ({a.reason}); employer must report to the ABH by {due}",
    )


def _record_employer_report(state: JourneyState, a: RecordEmployerReport, today: date) -> Step:
    _stage(state, "record_employer_report", S.EMPLOYER_REPORT_DUE)
    not_in_future("reported_on", a.reported_on, today)
    assert state.employment_ended_on is not None
    _not_before("reported_on", a.reported_on, "the end of employment", state.employment_ended_on)
    late = a.reported_on > state.employment_ended_on + EMPLOYER_REPORT_PERIOD
    _finish(state, JourneyOutcome.EMPLOYMENT_ENDED, state.outcome_reason or "employment ended")
    suffix = " (late: after the 4-week period)" if late else ""
    return Step("employer_reported", S.FINISHED, f"Employer reported the end to the ABH on {a.reported_on}{suffix}")


def _withdraw_candidate(state: JourneyState, a: WithdrawCandidate, today: date) -> Step:
    _finish(state, JourneyOutcome.WITHDRAWN_BY_CANDIDATE, a.reason)
    return Step("candidate_withdrew", S.FINISHED, f"Candidate withdrew in stage {state.stage}: {a.reason}")


def _end_journey(state: JourneyState, a: EndJourney, today: date) -> Step:
    if a.outcome not in (JourneyOutcome.VACANCY_WITHDRAWN, JourneyOutcome.ENDED_BY_WELCOME_CENTER):
        raise CaseRuleViolation(f"outcome: '{a.outcome}' comes from the journey's own steps")
    _finish(state, a.outcome, a.reason)
    return Step("journey_ended", S.FINISHED, f"Journey ended in stage {state.stage} ({a.outcome}): {a.reason}")


def _add_note(state: JourneyState, a: AddNote, today: date) -> Step:
    return Step("note_added", state.stage, "Note added")


_RULES: dict[type, Callable[[JourneyState, Any, date], Step]] = {
    RecordDocuments: _record_documents,
    RecordContract: _record_contract,
    StartAcceleratedProcedure: _start_accelerated_procedure,
    RecordRecognition: _record_recognition,
    PauseRecognitionClock: _pause_recognition_clock,
    ResumeRecognitionClock: _resume_recognition_clock,
    ExtendRecognitionClock: _extend_recognition_clock,
    RecordBaDecision: _record_ba_decision,
    ReapplyBaConsent: _reapply_ba,
    RecordVorabzustimmung: _record_vorabzustimmung,
    VorabzustimmungExpired: _vorabzustimmung_expired,
    BookVisaAppointment: _book_visa_appointment,
    RecordVisaDecision: _record_visa_decision,
    NewVisaApplication: _new_visa_application,
    FileVisaLawsuit: _file_visa_lawsuit,
    DelayArrival: _delay_arrival,
    RecordArrival: _record_arrival,
    RecordAnmeldung: _record_anmeldung,
    RecordPermitApplication: _record_permit_application,
    RecordPermitDecision: _record_permit_decision,
    RecordJobStart: _record_job_start,
    RecordProbationPassed: _record_probation_passed,
    RecordEmploymentEnded: _record_employment_ended,
    RecordEmployerReport: _record_employer_report,
    WithdrawCandidate: _withdraw_candidate,
    EndJourney: _end_journey,
    AddNote: _add_note,
}
_ACTION_NAMES = {model: rule.__name__.lstrip("_") for model, rule in _RULES.items()}
