"""Each action's own checks and field updates up to the visa (after it: rules_after_visa.py);
the generic ones (availability, guards, dates not in the future, chronology, documents) are
the engine's. A rule returns the audit summary and, where the action branches, which branch
of its effects applies.

Every rule raises ``Refusal`` (process/refusal.py) with a message that starts with the field at fault.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.case import BaConsentPath, ConsentDecision, ResidenceRoute, VisaDecision
from models.clocks import ClockName
from models.documents import DocumentCode
from models.journey import BaRecord, JourneyState, Milestone, PauseReason, ReceivedDocument, RecognitionDecision
from models.said import say
from process import first_title
from process.conditions import accelerated, fiction_applies
from process.refusal import Refusal
from process.spec import Context, Result

C = ClockName
M = Milestone
# Process version 4 (#24; guard late-facts in core/versions.py): a deemed consent is dated on the
# day the fiction took effect, a request recorded after its period says so, and a new visa
# application leaves the lawsuit's month running (both side by side, §74(2) VwGO), a resumed
# recognition period counts by the period function, a §81a appointment after three weeks misses its clock.
PROCESS_V4 = 4


def record_documents(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    earliest, _ = ctx.policy.date_window(ctx.today)  # the same window as every other date
    for doc in a.documents:
        if doc.received_on < earliest:
            raise Refusal(
                say(
                    "documents.{code}.received_on: {received_on} is before {earliest}",
                    code=doc.code.value,
                    received_on=doc.received_on,
                    earliest=earliest,
                )
            )
        if doc.received_on > ctx.today:
            raise Refusal(
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
        raise Refusal(
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
            raise Refusal(
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
        raise Refusal(
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
    clock = s.open_deadline(C.RECOGNITION_DECISION)
    assert clock is not None  # guards.DECISION_PERIOD_RUNNING
    if a.until <= clock.due_on:
        raise Refusal(
            say("until: {until} is not after the current due date {due_on}", until=a.until, due_on=clock.due_on)
        )
    return Result(say("Recognition decision period extended to {day}: {reason}", day=a.until, reason=a.reason))


def request_ba_consent(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if accelerated(s) and a.path is not BaConsentPath.ABH_81A:
        raise Refusal(say("path: in the §81a procedure the ABH asks the BA (abh_81a)"))
    if not accelerated(s) and a.path is BaConsentPath.ABH_81A:
        raise Refusal(say("path: abh_81a only exists in the §81a procedure"))
    if a.path is BaConsentPath.EMBASSY and s.visa_applied_on is None:
        raise Refusal(
            say(
                "path: the embassy asks the BA after the visa application; record-visa-application first (or ask "
                "with path vorabzustimmung)"
            )
        )
    if a.path is BaConsentPath.EMBASSY and a.requested_on < (s.visa_applied_on or a.requested_on):
        raise Refusal(
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
        if due is not None and due < ctx.today and s.process_version >= PROCESS_V4:
            fiction = say(
                "{fiction}. That day has passed: the consent is deemed given now. If the BA asked or decided by "
                "then, record it with its date (ba-information-requested, record-ba-decision): the deemed consent "
                "is then taken back",
                fiction=fiction,
            )
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
        raise Refusal(
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
        raise Refusal(
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
        raise Refusal(
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
    if s.process_version < PROCESS_V4:  # dated on the period's last day (retire: with the late-facts guard)
        r.decision, r.decided_on, r.fiction_ended_on = "deemed_granted", a.due_on, a.due_on
        return Result(
            say(
                "BA consent deemed given: no answer by the end of {day} (Zustimmungsfiktion, §36(2) BeschV)",
                day=a.due_on,
            )
        )
    # The fiction takes effect when the period has run out: the day after its last day.
    took_effect = a.due_on + timedelta(days=1)
    r.decision, r.decided_on, r.fiction_ended_on = "deemed_granted", took_effect, a.due_on
    return Result(
        say(
            "BA consent deemed given on {effect}: no answer by the end of {day} (Zustimmungsfiktion, §36(2) BeschV)",
            effect=took_effect,
            day=a.due_on,
        )
    )


# --- late facts (#24): what the office records after the law's period ran out -------------------


def _deemed(s: JourneyState) -> BaRecord | None:
    last = s.ba_requests[-1] if s.ba_requests else None
    return last if last is not None and last.decision == "deemed_granted" else None


def _within_the_fiction(s: JourneyState, day: date) -> bool:
    r = _deemed(s)
    last_day = r.fiction_last_day if r is not None else None
    return last_day is not None and day <= last_day


def question_within_the_fiction(s: JourneyState, a: Any) -> bool:
    """The BA's question dated within the period: no consent was deemed (§36(2) S.2 BeschV)."""
    return _within_the_fiction(s, a.asked_on)


def decision_within_the_fiction(s: JourneyState, a: Any) -> bool:
    """The BA's decision dated within the period: it decided, nothing was deemed."""
    return _within_the_fiction(s, a.decided_on)


def take_back_deemed_consent(ctx: Context) -> Result:
    r = _deemed(ctx.state)
    assert r is not None  # question_within_the_fiction / decision_within_the_fiction
    last_day = r.fiction_last_day
    r.decision = r.decided_on = r.fiction_ended_on = None
    return Result(
        say(
            "Deemed consent taken back: the BA acted within the fiction period (until {day}), so no consent was "
            "deemed (§36(2) BeschV); recorded late.",
            day=last_day,
        )
    )


def reapply_ba_consent(ctx: Context) -> Result:
    return Result(say("Re-applying for BA consent after: {changes}", changes=ctx.action.changes))


def record_vorabzustimmung(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    # Recorded after its validity (#24, a late fact): accepted with its own dates. Whether the
    # visa was applied for in time is the application's date to say; its clock is then overdue.
    if a.latest_start_on is not None:
        s.latest_start_on = a.latest_start_on
    s.vorabzustimmung_issued_on, s.vorabzustimmung_valid_until = a.issued_on, a.valid_until
    s.visa_appointment_on, s.visa_applied_on = None, None
    latest = say("; latest start {day}", day=a.latest_start_on) if s.latest_start_on else None
    if a.valid_until < ctx.today:  # refused before #24: no running journey has this entry
        return Result(
            say(
                "Vorabzustimmung issued on {day}, valid until {until}{latest}, recorded after its validity: if the "
                "visa was applied for by then, record the application with its date; otherwise "
                "vorabzustimmung-expired",
                day=a.issued_on,
                until=a.valid_until,
                latest=latest,
            )
        )
    return Result(
        say(
            "Vorabzustimmung issued on {day}, valid until {until}{latest}: apply for the visa by then",
            day=a.issued_on,
            until=a.valid_until,
            latest=latest,
        )
    )


def latest_start_given(ctx: Context) -> None:
    """The Vorabzustimmung names the latest start of employment (#11)."""
    a = ctx.action
    if a.latest_start_on is None:
        raise Refusal(say("latest_start_on: required (the latest start of employment in the Vorabzustimmung)"))
    if a.latest_start_on < a.issued_on:
        raise Refusal(
            say(
                "latest_start_on: {latest_start_on} is before issued_on ({issued_on})",
                latest_start_on=a.latest_start_on,
                issued_on=a.issued_on,
            )
        )


def vorabzustimmung_expired(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.vorabzustimmung_lapsed_until = s.vorabzustimmung_valid_until
    s.vorabzustimmung_valid_until = None
    s.visa_appointment_on = None
    return Result(
        say(
            "Vorabzustimmung expired before the visa application ({reason}); the ABH must issue a new one",
            reason=a.reason,
        )
    )


def application_within_the_validity(s: JourneyState, a: Any) -> bool:
    """A visa application dated within the Vorabzustimmung's validity: it did not expire unused."""
    return (
        s.visa_applied_on is None
        and s.vorabzustimmung_lapsed_until is not None
        and (a.applied_on <= s.vorabzustimmung_lapsed_until)
    )


def take_back_expiry(ctx: Context) -> Result:
    s = ctx.state
    s.vorabzustimmung_valid_until, s.vorabzustimmung_lapsed_until = s.vorabzustimmung_lapsed_until, None
    return Result(
        say(
            "Expiry taken back: the visa application lies within the Vorabzustimmung's validity (until {day}; "
            "§81a(3) AufenthG); recorded late.",
            day=s.vorabzustimmung_valid_until,
        )
    )


def book_visa_appointment(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    valid_until = s.vorabzustimmung_valid_until
    if accelerated(s) and valid_until and s.visa_applied_on is None and a.appointment_on > valid_until:
        raise Refusal(
            say(
                "appointment_on: {appointment_on} is after the Vorabzustimmung expires ({valid_until}); book earlier "
                "or record vorabzustimmung-expired",
                appointment_on=a.appointment_on,
                valid_until=valid_until,
            )
        )
    rebooked = s.visa_appointment_on is not None
    s.visa_appointment_on = a.appointment_on
    clock = s.open_deadline(C.EMBASSY_APPOINTMENT_81A)
    if s.process_version >= PROCESS_V4 and clock is not None and a.appointment_on > clock.due_on:
        # Decision (#24, unverified): §31a(1) AufenthV asks for the appointment itself within three
        # weeks of the Vorabzustimmung (its text now says "without delay"); a later date leaves the
        # clock running, so the office asks the mission for an earlier one.
        return Result(
            say(
                "Visa appointment booked for {day} at the mission in {mission}: after the three weeks of §31a(1) "
                "AufenthV (until {due}); the clock runs on, ask the mission for an earlier date",
                day=a.appointment_on,
                mission=a.mission,
                due=clock.due_on,
            ),
            "after_the_clock",
        )
    if rebooked:
        return Result(
            say(
                "Visa appointment rebooked for {day} at the mission in {mission}",
                day=a.appointment_on,
                mission=a.mission,
            ),
            "within_the_clock",
        )
    return Result(
        say("Visa appointment booked for {day} at the mission in {mission}", day=a.appointment_on, mission=a.mission),
        "within_the_clock",
    )


def record_visa_application(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if accelerated(s) and s.vorabzustimmung_valid_until and a.applied_on > s.vorabzustimmung_valid_until:
        raise Refusal(
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
    lawsuit = M.VISA_LAWSUIT in s.open_milestones
    beside = lawsuit and M.VISA in s.open_milestones  # a new application runs beside the lawsuit
    if a.by_court and not lawsuit:
        raise Refusal(say("by_court: no lawsuit is pending; the mission decided"))
    if lawsuit and (a.by_court or not beside):
        return _court_decision(ctx)
    if beside and s.visa_applied_on is None:
        raise Refusal(
            say(
                "decision: the mission has no new application on record; record-visa-application first, or "
                "--by-court for the court's decision"
            )
        )
    if a.decision is VisaDecision.ISSUED:
        if s.ba_consent_required and not s.ba_consent_given:
            raise Refusal(
                say("decision: the visa cannot be issued before the BA's consent is recorded (record-ba-decision)")
            )
        if s.ba_decided_on and a.decided_on < s.ba_decided_on:
            raise Refusal(
                say(
                    "decided_on: {decided_on} is before the BA's consent ({ba_decided_on})",
                    decided_on=a.decided_on,
                    ba_decided_on=s.ba_decided_on,
                )
            )
        wage = first_title.at_visa_issue(s, a.decided_on, ctx.policy)
        s.visa_issued_on, s.visa_valid_until = a.decided_on, a.valid_until
        if beside:
            return Result(
                first_title.plus(
                    say(
                        "Visa issued on {day}, valid until {until}, on the new application; the lawsuit is moot "
                        "(the employer withdraws it)",
                        day=a.decided_on,
                        until=a.valid_until,
                    ),
                    wage,
                ),
                "issued_beside_the_lawsuit",
            )
        issued = say("Visa issued on {day}, valid until {until}", day=a.decided_on, until=a.valid_until)
        return Result(first_title.plus(issued, wage), "issued")
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


def _court_decision(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if s.lawsuit_filed_on and a.decided_on < s.lawsuit_filed_on:
        raise Refusal(
            say(
                "decided_on: {decided_on} is before the lawsuit was filed ({lawsuit_filed_on})",
                decided_on=a.decided_on,
                lawsuit_filed_on=s.lawsuit_filed_on,
            )
        )
    if a.decision is VisaDecision.ISSUED:
        s.visa_issued_on, s.visa_valid_until = a.decided_on, a.valid_until
        said = say("Visa issued after the lawsuit on {day}, valid until {until}", day=a.decided_on, until=a.valid_until)
        return Result(said, "won_over_a_new_refusal" if M.VISA_REFUSED in s.open_milestones else "won")
    if M.VISA in s.open_milestones or M.VISA_REFUSED in s.open_milestones:
        return Result(
            say("Lawsuit lost on {day}; the new visa application goes on", day=a.decided_on),
            "lost_beside_an_application",
        )
    return Result(say("Lawsuit lost on {day}; the visa is refused for good", day=a.decided_on), "lost")


def new_visa_application(ctx: Context) -> Result:
    s = ctx.state
    s.visa_appointment_on, s.visa_applied_on = None, None
    if s.process_version < PROCESS_V4 and M.VISA_LAWSUIT not in s.open_milestones:
        return Result(say("New visa application after the refusal"), "instead_of_a_lawsuit")
    if M.VISA_LAWSUIT in s.open_milestones:
        return Result(say("New visa application beside the lawsuit (filed on {day})", day=s.lawsuit_filed_on),
                      "beside_the_lawsuit")  # fmt: skip
    deadline = ctx.due_on(C.VISA_LAWSUIT, s.visa_refusal_notified_on) if s.visa_refusal_notified_on else None
    until = say(" until {day}", day=deadline) if deadline else None
    return Result(
        say("New visa application after the refusal; a lawsuit is still possible{until} (§74(2) VwGO)", until=until),
        "beside_the_lawsuit",
    )


def file_visa_lawsuit(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    assert s.visa_refusal_notified_on is not None
    deadline = ctx.due_on(C.VISA_LAWSUIT, s.visa_refusal_notified_on)
    if deadline is not None and a.filed_on > deadline:
        raise Refusal(
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
