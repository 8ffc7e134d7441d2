"""Each action's own checks and field updates; the generic ones (availability, dates not
in the future, chronology, documents) are the engine's. A rule returns the audit summary
and, where the action branches, which branch of its effects applies.

Every rule raises ``Refusal`` (process/refusal.py) with a message that starts with the field at fault.
"""

from __future__ import annotations

from datetime import date, datetime, time

from models.berlin import local_instant
from models.case import BaConsentPath, ConsentDecision, Procedure, ResidenceRoute, VisaDecision
from models.clocks import ClockName, Deadline
from models.documents import DocumentCode
from models.journey import (
    BaRecord,
    JourneyState,
    Milestone,
    PauseReason,
    PermitDecision,
    ReceivedDocument,
    RecognitionDecision,
)
from models.reasons import stated
from models.routes import AfterEntry, Qualification
from models.said import Said, say
from process.refusal import Refusal
from process.spec import Context, Result

C = ClockName
M = Milestone


def _reject(message: str | Said) -> Refusal:
    return Refusal(message)


def _by(what: str, due: date | None) -> str:
    """ "; <what> <due>" for a summary, or nothing when the case's policy has no such clock."""
    return f"; {what} {due}" if due else ""


def _clock(state: JourneyState, clock: ClockName) -> Deadline | None:
    return next((d for d in state.deadlines if d.clock is clock and d.open), None)


# --- predicates the definition names ------------------------------------------------------


def process_version_at_milestone(state: JourneyState, current: int) -> int:
    """The process version a running journey moves to when a milestone is done
    (core/versions.py): the current one, unless its route's milestones differ between
    versions (models/routes.py): then it keeps its own, as its open milestones would not fit."""
    if state.original_route.rules.version_bound or state.route.rules.version_bound:
        return state.process_version
    return max(state.process_version, current)


def _qualification(state: JourneyState) -> Qualification:
    return state.original_route.rules.qualification_at(state.process_version)


def needs_recognition(state: JourneyState) -> bool:
    """§18a; §18b and §18g for regulated professions (recognition before the visa)"""
    shown_by = _qualification(state)
    return shown_by is Qualification.RECOGNITION or (
        shown_by is Qualification.DEGREE and bool(state.regulated_profession)
    )


def needs_comparability(state: JourneyState) -> bool:
    """§18b and §18g for non-regulated professions (anabin or ZAB)"""
    return _qualification(state) is Qualification.DEGREE and not state.regulated_profession


def needs_experience(state: JourneyState) -> bool:
    """§19c(2) with §6 BeschV"""
    return _qualification(state) is Qualification.EXPERIENCE


def needs_follow_up_recognition(state: JourneyState) -> bool:
    """§16d(1), §16d(3): full recognition in Germany, then §18a"""
    return state.route.rules.after_entry_at(state.process_version) is not None


def partnership(ctx: Context) -> bool:
    return ctx.state.route.rules.after_entry_at(ctx.state.process_version) is AfterEntry.PARTNERSHIP


def needs_ba_consent(state: JourneyState) -> bool:
    """every route but a Blue Card at the general threshold (§18g(1) S.1)"""
    return state.ba_consent_required


def accelerated(state: JourneyState) -> bool:
    """§81a procedure only"""
    return state.procedure is Procedure.ACCELERATED_81A


def fiction_applies(ctx: Context) -> bool:
    """§36(2) BeschV: the policy names the request paths on which the fiction runs."""
    request = ctx.state.ba_request
    paths = (
        ctx.policy.clocks[C.BA_CONSENT_FICTION].applies_to_paths if C.BA_CONSENT_FICTION in ctx.policy.clocks else []
    )
    return request is not None and (paths is None or request.path in paths)


def in_81a(ctx: Context) -> bool:
    return accelerated(ctx.state)


def on_probation(ctx: Context) -> bool:
    """Working, probation not yet passed (an imported journey: its probation clock runs)."""
    return ctx.state.job_started_on is not None and ctx.state.probation_passed_on is None


def arrived_on_the_visa(ctx: Context) -> bool:
    """Arrived, the visa's validity known (an imported journey: the permit application's clock)."""
    return ctx.state.arrived_on is not None and ctx.state.visa_valid_until is not None


def complete_documents_known(ctx: Context) -> bool:
    return ctx.action.complete_on is not None


def applied_before_visa_expiry(ctx: Context) -> bool:
    s = ctx.state
    return (
        s.visa_valid_until is not None and s.permit_applied_on is not None and s.permit_applied_on <= s.visa_valid_until
    )


# --- one rule per action ----------------------------------------------------------------------


def record_documents(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    earliest, _ = ctx.policy.date_window(ctx.today)  # the same window as every other date
    for doc in a.documents:
        if doc.received_on < earliest:
            raise _reject(
                say(
                    "documents.{code}.received_on: {received_on} is before {earliest}",
                    code=doc.code.value,
                    received_on=doc.received_on,
                    earliest=earliest,
                )
            )
        if doc.received_on > ctx.today:
            raise _reject(
                say(
                    "documents.{code}.received_on: {received_on} is in the future (today is {today})",
                    code=doc.code.value,
                    received_on=doc.received_on,
                    today=ctx.today,
                )
            )
    codes = {d.code for d in a.documents}
    # A newer copy of the same document replaces the older entry.
    s.documents = [d for d in s.documents if d.code not in codes] + [
        ReceivedDocument(code=d.code, reference=d.reference, received_on=d.received_on, recorded_by=a.advisor)
        for d in a.documents
    ]
    return Result(say("Documents recorded: {codes}", codes=", ".join(sorted(c.value for c in codes))))


def record_contract(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if a.starts_on < a.signed_on:
        raise _reject(
            say(
                "starts_on: {starts_on} is before signed_on ({signed_on})", starts_on=a.starts_on, signed_on=a.signed_on
            )
        )
    s.contract_signed_on, s.contract_starts_on = a.signed_on, a.starts_on
    return Result(
        say("Contract signed on {signed_on}, start {starts_on}", signed_on=a.signed_on, starts_on=a.starts_on)
    )


def start_accelerated_procedure(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.agreement_81a_signed_on = a.agreement_signed_on
    return Result(
        say(
            "§81a agreement with the ABH signed on {signed_on}, fee paid on {paid_on}",
            signed_on=a.agreement_signed_on,
            paid_on=a.fee_paid_on,
        )
    )


def apply_for_recognition(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.recognition_applied_on, s.recognition_body = a.applied_on, a.body
    due = ctx.due_on(C.RECOGNITION_RECEIPT, a.applied_on)
    by = say("; receipt to be confirmed by {day}", day=due) if due else None
    return Result(
        say("Recognition applied for at {body} on {applied_on}{by}", body=a.body, applied_on=a.applied_on, by=by)
    )


def confirm_recognition_receipt(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if a.complete_on is not None:
        if a.complete_on < (s.recognition_applied_on or a.complete_on):
            raise _reject(
                say(
                    "complete_on: {complete_on} is before the application ({recognition_applied_on})",
                    complete_on=a.complete_on,
                    recognition_applied_on=s.recognition_applied_on,
                )
            )
        s.recognition_complete_on = a.complete_on
    s.recognition_receipt_on = a.confirmed_on
    complete = (
        say("; documents complete on {day}, the decision period runs", day=a.complete_on) if a.complete_on else None
    )
    return Result(say("Recognition body confirmed receipt on {day}{complete}", day=a.confirmed_on, complete=complete))


def record_recognition_complete(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.recognition_complete_on = a.complete_on
    due = ctx.due_on(C.RECOGNITION_DECISION, a.complete_on)
    by = say("; decision due by {day}", day=due) if due else None
    return Result(say("Recognition body has the complete documents since {day}{by}", day=a.complete_on, by=by))


def record_recognition(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.recognition, s.recognition_decided_on = a.decision, a.decided_on
    body = s.recognition_body or "the recognition body"
    if a.decision is RecognitionDecision.FULL:
        return Result(say("Full recognition by {body} on {day}", body=body, day=a.decided_on), "full")
    if a.decision is RecognitionDecision.PARTIAL:
        s.route = ResidenceRoute.SECTION_16D1
        s.adaptation_qualification = a.adaptation_qualification
        return Result(
            say(
                "Partial recognition (Defizitbescheid) by {body} on {day}; route switched to "
                "§16d(1) with adaptation qualification: {adaptation}",
                body=body,
                day=a.decided_on,
                adaptation=a.adaptation_qualification,
            ),
            "partial",
        )
    if a.continue_as_recognition_partnership:
        s.route = ResidenceRoute.SECTION_16D3
        return Result(
            say(
                "Recognition rejected by {body} on {day}; continues as recognition partnership §16d(3)",
                body=body,
                day=a.decided_on,
            ),
            "partnership",
        )
    return Result(say("Recognition rejected by {body} on {day}", body=body, day=a.decided_on), "rejected")


def record_comparability(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    code = DocumentCode.ANABIN_ENTRY if a.evidence.value == "anabin" else DocumentCode.ZAB_STATEMENT
    s.documents = [d for d in s.documents if d.code is not code] + [
        ReceivedDocument(code=code, reference=a.reference, received_on=a.checked_on, recorded_by=a.advisor)
    ]
    what = (
        say('anabin: institution H+, degree "entspricht"')
        if code is DocumentCode.ANABIN_ENTRY
        else say("ZAB statement")
    )
    return Result(
        say(
            "Degree comparable ({what}), checked on {day}; no recognition procedure needed", what=what, day=a.checked_on
        )
    )


def record_professional_experience(ctx: Context) -> Result:
    a = ctx.action
    return Result(
        say(
            "§6 BeschV: state-recognised qualification of {training:g} years' training and "
            "{experience:g} years' experience on file",
            training=a.training_years,
            experience=a.experience_years,
        )
    )


def pause_recognition_clock(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if accelerated(s) and a.reason_code is not PauseReason.AUTHENTICITY_DOUBTS:
        raise _reject(
            say(
                "reason_code: in the §81a procedure the decision period stops only on doubts about a document's "
                "authenticity (authenticity_doubts)"
            )
        )
    s.recognition_paused_on = a.paused_on
    return Result(
        say(
            "Recognition decision period paused on {day} ({code}): {reason}",
            day=a.paused_on,
            code=a.reason_code.value,
            reason=a.reason,
        )
    )


def resume_recognition_clock(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    assert s.recognition_paused_on is not None  # guards.DECISION_PERIOD_PAUSED
    days = (a.resumed_on - s.recognition_paused_on).days
    s.recognition_paused_on = None
    return Result(
        say(
            "Recognition decision period runs again since {day}; {days} paused day(s) added",
            day=a.resumed_on,
            days=days,
        )
    )


def extend_recognition_clock(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    clock = _clock(s, C.RECOGNITION_DECISION)
    assert clock is not None  # guards.DECISION_PERIOD_RUNNING
    if a.until <= clock.due_on:
        raise _reject(
            say("until: {until} is not after the current due date {due_on}", until=a.until, due_on=clock.due_on)
        )
    return Result(say("Recognition decision period extended to {day}: {reason}", day=a.until, reason=a.reason))


def request_ba_consent(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if accelerated(s) and a.path is not BaConsentPath.ABH_81A:
        raise _reject(say("path: in the §81a procedure the ABH asks the BA (abh_81a)"))
    if not accelerated(s) and a.path is BaConsentPath.ABH_81A:
        raise _reject(say("path: abh_81a only exists in the §81a procedure"))
    if a.path is BaConsentPath.EMBASSY and s.visa_applied_on is None:
        raise _reject(
            say(
                "path: the embassy asks the BA after the visa application; record-visa-application first (or ask "
                "with path vorabzustimmung)"
            )
        )
    if a.path is BaConsentPath.EMBASSY and a.requested_on < (s.visa_applied_on or a.requested_on):
        raise _reject(
            say(
                "requested_on: {requested_on} is before the visa application ({visa_applied_on})",
                requested_on=a.requested_on,
                visa_applied_on=s.visa_applied_on,
            )
        )
    s.ba_requests.append(BaRecord(path=a.path, requested_on=a.requested_on))
    if fiction_applies(ctx):
        due = ctx.due_on(C.BA_CONSENT_FICTION, a.requested_on)
        fiction = say("; consent deemed given after {day} unless the BA asks for information (§36(2) BeschV)", day=due)
    else:
        fiction = say("; no consent fiction on this path")
    return Result(
        say("BA consent requested on {day} ({path}){fiction}", day=a.requested_on, path=a.path.value, fiction=fiction)
    )


def ba_information_requested(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    r = s.ba_request
    assert r is not None  # guards.BA_WAITING
    since = r.answers_received_on or r.requested_on
    if a.asked_on < since:
        raise _reject(
            say(
                "asked_on: {asked_on} is before the request or the last answers ({since})",
                asked_on=a.asked_on,
                since=since,
            )
        )
    r.information_requested_on, r.answers_received_on = a.asked_on, None
    return Result(
        say(
            "BA asked for more information on {day}: the consent fiction stops until it has the answers", day=a.asked_on
        )
    )


def ba_answers_sent(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    r = s.ba_request
    assert r is not None and r.information_requested_on is not None  # guards.BA_QUESTION_OPEN
    if a.received_on < r.information_requested_on:
        raise _reject(
            say(
                "received_on: {received_on} is before the BA's question ({information_requested_on})",
                received_on=a.received_on,
                information_requested_on=r.information_requested_on,
            )
        )
    r.answers_received_on = a.received_on
    restart = None
    if fiction_applies(ctx):
        due = ctx.due_on(C.BA_CONSENT_FICTION, a.received_on)
        until = say("; until {day}", day=due) if due else None
        restart = say("; the consent fiction runs afresh{until}", until=until)
    return Result(say("BA received the answers on {day}{restart}", day=a.received_on, restart=restart))


def record_ba_decision(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    r = s.ba_request
    assert r is not None  # guards.BA_REQUESTED
    if a.decided_on < r.requested_on:
        raise _reject(
            say(
                "decided_on: {decided_on} is before the BA was asked ({requested_on})",
                decided_on=a.decided_on,
                requested_on=r.requested_on,
            )
        )
    r.decision, r.decided_on, r.refusal_grounds = a.decision.value, a.decided_on, a.refusal_grounds
    if a.decision is ConsentDecision.REFUSED:
        s.ba_refused_on = a.decided_on
        return Result(
            say("BA consent refused on {day}: {grounds}", day=a.decided_on, grounds=str(a.refusal_grounds)), "refused"
        )
    return Result(say("BA consent granted on {day} ({path})", day=a.decided_on, path=r.path.value), "granted")


def ba_consent_deemed(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    r = s.ba_request
    assert r is not None  # guards.FICTION_RUNS
    r.decision, r.decided_on = "deemed_granted", a.due_on
    return Result(
        say("BA consent deemed given: no answer by the end of {day} (Zustimmungsfiktion, §36(2) BeschV)", day=a.due_on)
    )


def reapply_ba_consent(ctx: Context) -> Result:
    return Result(say("Re-applying for BA consent after: {changes}", changes=ctx.action.changes))


def record_vorabzustimmung(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if a.valid_until < ctx.today:
        raise _reject(
            say("valid_until: {valid_until} has passed; record a current Vorabzustimmung", valid_until=a.valid_until)
        )
    if s.process_version >= 2:
        if a.latest_start_on is None:
            raise _reject(say("latest_start_on: required (the latest start of employment in the Vorabzustimmung)"))
        if a.latest_start_on < a.issued_on:
            raise _reject(
                say(
                    "latest_start_on: {latest_start_on} is before issued_on ({issued_on})",
                    latest_start_on=a.latest_start_on,
                    issued_on=a.issued_on,
                )
            )
        s.latest_start_on = a.latest_start_on
    s.vorabzustimmung_issued_on, s.vorabzustimmung_valid_until = a.issued_on, a.valid_until
    s.visa_appointment_on, s.visa_applied_on = None, None
    latest = say("; latest start {day}", day=a.latest_start_on) if s.latest_start_on else None
    return Result(
        say(
            "Vorabzustimmung issued on {day}, valid until {until}{latest}: apply for the visa by then",
            day=a.issued_on,
            until=a.valid_until,
            latest=latest,
        )
    )


def vorabzustimmung_expired(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.vorabzustimmung_valid_until = None
    s.visa_appointment_on = None
    return Result(
        say(
            "Vorabzustimmung expired before the visa application ({reason}); the ABH must issue a new one",
            reason=a.reason,
        )
    )


def book_visa_appointment(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    valid_until = s.vorabzustimmung_valid_until
    if accelerated(s) and valid_until and s.visa_applied_on is None and a.appointment_on > valid_until:
        raise _reject(
            say(
                "appointment_on: {appointment_on} is after the Vorabzustimmung expires ({valid_until}); book earlier "
                "or record vorabzustimmung-expired",
                appointment_on=a.appointment_on,
                valid_until=valid_until,
            )
        )
    rebooked = s.visa_appointment_on is not None
    s.visa_appointment_on = a.appointment_on
    if rebooked:
        return Result(
            say(
                "Visa appointment rebooked for {day} at the mission in {mission}",
                day=a.appointment_on,
                mission=a.mission,
            )
        )
    return Result(
        say("Visa appointment booked for {day} at the mission in {mission}", day=a.appointment_on, mission=a.mission)
    )


def record_visa_application(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if accelerated(s) and s.vorabzustimmung_valid_until and a.applied_on > s.vorabzustimmung_valid_until:
        raise _reject(
            say(
                "applied_on: {applied_on} is after the Vorabzustimmung expired ({vorabzustimmung_valid_until})",
                applied_on=a.applied_on,
                vorabzustimmung_valid_until=s.vorabzustimmung_valid_until,
            )
        )
    s.visa_applied_on = a.applied_on
    s.visa_applications += 1
    return Result(say("Visa application lodged on {day}", day=a.applied_on))


def record_visa_decision(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if M.VISA_LAWSUIT in s.open_milestones:
        if a.decision is VisaDecision.ISSUED:
            s.visa_issued_on, s.visa_valid_until = a.decided_on, a.valid_until
            return Result(
                say(
                    "Visa issued after the lawsuit on {day}, valid until {until}", day=a.decided_on, until=a.valid_until
                ),
                "won",
            )
        return Result(say("Lawsuit lost on {day}; the visa is refused for good", day=a.decided_on), "lost")
    if a.decision is VisaDecision.ISSUED:
        if s.ba_consent_required and not s.ba_consent_given:
            raise _reject(
                say("decision: the visa cannot be issued before the BA's consent is recorded (record-ba-decision)")
            )
        if s.ba_decided_on and a.decided_on < s.ba_decided_on:
            raise _reject(
                say(
                    "decided_on: {decided_on} is before the BA's consent ({ba_decided_on})",
                    decided_on=a.decided_on,
                    ba_decided_on=s.ba_decided_on,
                )
            )
        s.visa_issued_on, s.visa_valid_until = a.decided_on, a.valid_until
        return Result(say("Visa issued on {day}, valid until {until}", day=a.decided_on, until=a.valid_until), "issued")
    s.visa_refused_on, s.visa_refusal_notified_on = a.decided_on, a.notified_on
    deadline = ctx.due_on(C.VISA_LAWSUIT, a.notified_on)
    by = say(" by {day}", day=deadline) if deadline else None
    return Result(
        say(
            "Visa refused on {day} (notified {notified}); new application, or lawsuit at the VG Berlin{by}",
            day=a.decided_on,
            notified=a.notified_on,
            by=by,
        ),
        "refused",
    )


def new_visa_application(ctx: Context) -> Result:
    s = ctx.state
    s.visa_appointment_on, s.visa_applied_on = None, None
    return Result(say("New visa application after the refusal"))


def file_visa_lawsuit(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    assert s.visa_refusal_notified_on is not None
    deadline = ctx.due_on(C.VISA_LAWSUIT, s.visa_refusal_notified_on)
    if deadline is not None and a.filed_on > deadline:
        raise _reject(
            say(
                "filed_on: the one-month period for a lawsuit (§74 VwGO) ended on {deadline}; only a new application "
                "is possible",
                deadline=deadline,
            )
        )
    s.lawsuit_filed_on = a.filed_on
    return Result(
        say("Lawsuit against the refusal filed on {day} (period ends {end})", day=a.filed_on, end=deadline or "None")
    )


def delay_arrival(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if a.expected_on < ctx.today:
        raise _reject(
            say("expected_on: {expected_on} has passed (today is {today})", expected_on=a.expected_on, today=ctx.today)
        )
    moved_start = None
    if s.process_version >= 2:
        if s.latest_start_on and a.expected_on > s.latest_start_on:
            raise _reject(
                say(
                    "expected_on: {expected_on} is after the latest start the Vorabzustimmung allows "
                    "({latest_start_on}); the ABH must issue a new one",
                    expected_on=a.expected_on,
                    latest_start_on=s.latest_start_on,
                )
            )
        if s.contract_starts_on and a.expected_on > s.contract_starts_on:
            if a.new_start_on is None:
                raise _reject(
                    say(
                        "new_start_on: arrival on {expected_on} comes after the agreed start ({contract_starts_on}); "
                        "give the start the employer agreed to now",
                        expected_on=a.expected_on,
                        contract_starts_on=s.contract_starts_on,
                    )
                )
            if a.new_start_on < a.expected_on:
                raise _reject(
                    say(
                        "new_start_on: {new_start_on} is before the arrival ({expected_on})",
                        new_start_on=a.new_start_on,
                        expected_on=a.expected_on,
                    )
                )
            moved_start = say(
                "; start of employment moved from {was} to {day}", was=s.contract_starts_on, day=a.new_start_on
            )
            s.contract_starts_on = a.new_start_on
    s.expected_arrival_on = a.expected_on
    if s.visa_valid_until and a.expected_on > s.visa_valid_until:
        s.visa_appointment_on = s.visa_applied_on = s.visa_issued_on = s.visa_valid_until = None
        return Result(
            say(
                "Arrival delayed to {day} ({reason}), after the visa expires; new visa needed{moved}",
                day=a.expected_on,
                reason=a.reason,
                moved=moved_start,
            ),
            "past_visa",
        )
    return Result(
        say("Arrival delayed to {day}: {reason}{moved}", day=a.expected_on, reason=a.reason, moved=moved_start),
        "within_visa",
    )


def record_arrival(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if s.visa_valid_until and a.arrived_on > s.visa_valid_until:
        raise _reject(
            say(
                "arrived_on: {arrived_on} is after the visa expired ({visa_valid_until})",
                arrived_on=a.arrived_on,
                visa_valid_until=s.visa_valid_until,
            )
        )
    s.arrived_on = a.arrived_on
    return Result(
        say(
            "Arrived on {day}: Anmeldung, residence permit (before {until}) and job start are open",
            day=a.arrived_on,
            until=s.visa_valid_until or "None",
        )
    )


def record_moving_in(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.moved_in_on = a.moved_in_on
    due = ctx.due_on(C.ANMELDUNG, a.moved_in_on)
    by = say("; Anmeldung due by {day}", day=due) if due else None
    return Result(say("Moved in on {day}{by} (§17 BMG)", day=a.moved_in_on, by=by))


def record_anmeldung(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    moved_in = a.moved_in_on or s.moved_in_on
    if moved_in is None:
        raise _reject(say("moved_in_on: required (or record-moving-in first): the period counts from moving in"))
    if a.moved_in_on and s.moved_in_on and a.moved_in_on != s.moved_in_on:
        raise _reject(
            say(
                "moved_in_on: {moved_in_on} differs from the recorded {moved_in_on2}",
                moved_in_on=a.moved_in_on,
                moved_in_on2=s.moved_in_on,
            )
        )
    if s.arrived_on and moved_in < s.arrived_on:
        raise _reject(
            say(
                "moved_in_on: {moved_in} is before the arrival ({arrived_on})",
                moved_in=moved_in,
                arrived_on=s.arrived_on,
            )
        )
    if a.registered_on < moved_in:
        raise _reject(
            say(
                "registered_on: {registered_on} is before moving in ({moved_in})",
                registered_on=a.registered_on,
                moved_in=moved_in,
            )
        )
    s.moved_in_on, s.registered_on = moved_in, a.registered_on
    due = ctx.due_on(C.ANMELDUNG, moved_in)
    late = say(" (late: the period ended on {day}, §17 BMG)", day=due) if due and a.registered_on > due else None
    return Result(say("Registered (Anmeldung) on {day}{late}", day=a.registered_on, late=late))


def record_permit_application(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.permit_applied_on = a.applied_on
    if s.visa_valid_until and a.applied_on > s.visa_valid_until:
        return Result(
            say(
                "Residence permit applied for on {day}, after the visa expired ({until}): "
                "no Fiktionswirkung (§81(4) AufenthG)",
                day=a.applied_on,
                until=s.visa_valid_until,
            )
        )
    return Result(
        say(
            "Residence permit applied for on {day}, before the visa expires ({until}); "
            "status kept until the decision (§81(4) AufenthG)",
            day=a.applied_on,
            until=s.visa_valid_until or "None",
        )
    )


def record_fiktionsbescheinigung(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.fiktionsbescheinigung_valid_until = a.valid_until
    code = DocumentCode.FIKTIONSBESCHEINIGUNG
    s.documents = [d for d in s.documents if d.code is not code] + [
        ReceivedDocument(code=code, reference=a.reference, received_on=a.issued_on, recorded_by=a.advisor)
    ]
    return Result(
        say(
            "Fiktionsbescheinigung issued on {day}, valid until {until} (§81(5) AufenthG)",
            day=a.issued_on,
            until=a.valid_until,
        )
    )


def record_permit_decision(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.permit_decided_on = a.decided_on
    if a.decision is PermitDecision.REFUSED:
        return Result(say("Residence permit refused on {day}", day=a.decided_on), "refused")
    s.permit_valid_until = a.valid_until
    due = ctx.due_on(C.INTEGRATION_COURSE, a.decided_on)
    lapse = say("; integration course entitlement lapses after {day}", day=due) if due else None
    return Result(
        say(
            "Residence permit granted on {day}, valid until {until}{lapse}",
            day=a.decided_on,
            until=a.valid_until or "None",
            lapse=lapse,
        ),
        "granted",
    )


def record_job_start(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.job_started_on = a.started_on
    if s.permit_decided_on:
        return Result(say("Started work on {day} with the permit; probation runs (§622(3) BGB)", day=a.started_on))
    return Result(
        say(
            "Started work on {day} on the visa (the permit card follows); probation runs (§622(3) BGB)",
            day=a.started_on,
        )
    )


def record_probation_passed(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.probation_passed_on = a.passed_on
    s.outcome_reason = f"probation passed on {a.passed_on}"
    return Result(say("Probation passed on {day}", day=a.passed_on))


def record_employment_ended(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    known: date = a.known_on
    s.employment_ended_on, s.end_known_on = a.ended_on, known
    reason = stated(a)
    if s.probation_passed_on is None:
        s.outcome_reason = reason
    else:
        s.outcome_reason = f"probation passed on {s.probation_passed_on}; employment ended on {a.ended_on} ({reason})"
    due = ctx.due_on(C.EMPLOYER_REPORT, known)
    by = say(" by {day}", day=due) if due else None
    if s.probation_passed_on is None:
        summary = say(
            "Employment ended during probation on {day} ({reason}); the employer must report it to the ABH{by} "
            "(§4a(5) AufenthG)",
            day=a.ended_on,
            reason=reason,
            by=by,
        )
    else:
        summary = say(
            "Employment ended after probation on {day} ({reason}); the employer must report it to the ABH{by} "
            "(§4a(5) AufenthG)",
            day=a.ended_on,
            reason=reason,
            by=by,
        )
    # Placed once probation has passed: an end after it does not undo the placement.
    return Result(summary, "after_probation" if s.probation_passed_on else "during_probation")


def record_employer_report(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    assert s.employment_ended_on is not None
    known = s.end_known_on or s.employment_ended_on
    due = ctx.due_on(C.EMPLOYER_REPORT, known)
    late = say(" (late: the period ended on {day})", day=due) if due and a.reported_on > due else None
    return Result(say("Employer reported the end to the ABH on {day}{late}", day=a.reported_on, late=late))


def record_integration_course(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.integration_course = a.status
    return Result(
        say("Integration course: {status} ({day})", status=a.status.value.replace("_", " "), day=a.recorded_on)
    )


def apply_for_follow_up_recognition(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.follow_up_applied_on = a.applied_on
    return Result(
        say(
            "Follow-up recognition applied for at {body} on {day} ({route})",
            body=a.body,
            day=a.applied_on,
            route=s.route.label,
        )
    )


def record_follow_up_recognition(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.follow_up_decided_on = a.decided_on
    if a.decision is RecognitionDecision.FULL:
        was = s.route
        s.route = ResidenceRoute.SECTION_18A
        return Result(
            say(
                "Full recognition on {day}: route changed from {was} to §18a AufenthG "
                "(skilled worker with a recognised qualification)",
                day=a.decided_on,
                was=was.label,
            ),
            "full",
        )
    s.follow_up_applied_on = None  # a further application follows (after more adaptation)
    return Result(
        say(
            "Follow-up recognition {decision} on {day}; the adaptation goes on",
            decision=a.decision.value,
            day=a.decided_on,
        ),
        "not_yet",
    )


def withdraw_candidate(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.outcome_reason = stated(a)
    return Result(say("Candidate withdrew in stage {stage}: {reason}", stage=s.stage.value, reason=s.outcome_reason))


def end_journey(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    from models.journey import JourneyOutcome

    if a.outcome not in (JourneyOutcome.VACANCY_WITHDRAWN, JourneyOutcome.ENDED_BY_WELCOME_CENTER):
        raise _reject(say("outcome: '{outcome}' comes from the journey's own steps", outcome=a.outcome))
    s.outcome_reason = a.reason or a.outcome.value.replace("_", " ")
    return Result(
        say(
            "Journey ended in stage {stage} ({outcome}): {reason}",
            stage=s.stage.value,
            outcome=a.outcome.value,
            reason=s.outcome_reason,
        ),
        a.outcome,
    )


def add_note(ctx: Context) -> Result:
    return Result(say("Note added"))


def import_journey(ctx: Context) -> Result:
    """An imported row's history: its dates into the journey (#16). The milestones the dates
    reached are completed by the effects (``complete_reached``); ends and placements finish."""
    s, a = ctx.state, ctx.action
    j = a.imported
    if found := j.findings(a.selected_on, ctx.today):
        raise _reject("; ".join(f"{name}: {why}" for name, why in found))
    s.started_at = _midnight(a.selected_on)
    s.contract_signed_on = j.contract_signed_on
    if j.recognition_decided_on is not None:  # the journey went on: recognised
        s.recognition, s.recognition_decided_on = RecognitionDecision.FULL, j.recognition_decided_on
    if j.ba_consent_on is not None:  # the day it was given; how it was asked is not in the file
        path = BaConsentPath.ABH_81A if s.procedure is Procedure.ACCELERATED_81A else BaConsentPath.EMBASSY
        s.ba_requests.append(
            BaRecord(path=path, requested_on=j.ba_consent_on, decision="granted", decided_on=j.ba_consent_on)
        )
    s.visa_issued_on, s.visa_valid_until, s.arrived_on = j.visa_issued_on, j.visa_valid_until, j.arrived_on
    s.job_started_on, s.probation_passed_on = j.job_started_on, j.probation_passed_on
    dated = ", ".join(f"{name.removesuffix('_on').replace('_', ' ')} {day}" for name, day in j.dated().items())
    summary = say(
        "Imported by {advisor} from {file}, row {row}: {dated}",
        advisor=a.advisor,
        file=a.file,
        row=j.row,
        dated=dated or say("selected, nothing dated yet"),
    )
    if j.ended_on is not None:
        code = j.end_reason_code or ""
        ended = say("{summary}; ended {day} ({code})", summary=summary, day=j.ended_on, code=code)
        if j.job_started_on is not None:
            s.employment_ended_on = s.end_known_on = j.ended_on
        if j.probation_passed_on is not None:
            s.outcome_reason = f"probation passed on {j.probation_passed_on}; employment ended on {j.ended_on} ({code})"
            return Result(ended, "placed")
        s.outcome_reason = code
        return Result(ended, "employment_ended" if j.job_started_on else "withdrew")
    if j.probation_passed_on is not None:
        s.outcome_reason = f"probation passed on {j.probation_passed_on}"
        return Result(summary, "placed")
    return Result(summary, "running")


def _midnight(day: date) -> datetime:
    return local_instant(day, time(0, 0))
