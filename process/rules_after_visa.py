"""Each action's own checks and field updates from the visa's issue to placement, and the
actions open at any time (before the visa: rules.py). Every rule raises ``Refusal`` with a
message that starts with the field at fault.
"""

from __future__ import annotations

from datetime import date, datetime, time

from models.berlin import local_instant
from models.case import BaConsentPath, Procedure, ResidenceRoute, ba_path_finding
from models.clocks import ClockName
from models.documents import DocumentCode
from models.journey import BaRecord, JourneyOutcome, JourneyState, PermitDecision, ReceivedDocument, RecognitionDecision
from models.reasons import stated
from models.said import say
from process import first_title
from process.conditions import entitled_to_the_integration_course
from process.refusal import Refusal
from process.spec import Context, Result

C = ClockName


def delay_arrival(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if a.expected_on < ctx.today:
        raise Refusal(
            say("expected_on: {expected_on} has passed (today is {today})", expected_on=a.expected_on, today=ctx.today)
        )
    moved_start = None
    if a.new_start_on is not None and s.contract_starts_on and a.expected_on > s.contract_starts_on:
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


def arrival_within_latest_start(ctx: Context) -> None:
    """§81a: the Vorabzustimmung names the latest start of employment."""
    s, a = ctx.state, ctx.action
    if s.latest_start_on and a.expected_on > s.latest_start_on:
        raise Refusal(
            say(
                "expected_on: {expected_on} is after the latest start the Vorabzustimmung allows "
                "({latest_start_on}); the ABH must issue a new one",
                expected_on=a.expected_on,
                latest_start_on=s.latest_start_on,
            )
        )


def new_start_when_arrival_is_later(ctx: Context) -> None:
    """An arrival after the agreed start needs the start the employer agreed to now."""
    s, a = ctx.state, ctx.action
    if s.contract_starts_on and a.expected_on > s.contract_starts_on and a.new_start_on is None:
        raise Refusal(
            say(
                "new_start_on: arrival on {expected_on} comes after the agreed start ({contract_starts_on}); "
                "give the start the employer agreed to now",
                expected_on=a.expected_on,
                contract_starts_on=s.contract_starts_on,
            )
        )


def new_start_not_before_arrival(ctx: Context) -> None:
    a = ctx.action
    if a.new_start_on is not None and a.new_start_on < a.expected_on:
        raise Refusal(
            say(
                "new_start_on: {new_start_on} is before the arrival ({expected_on})",
                new_start_on=a.new_start_on,
                expected_on=a.expected_on,
            )
        )


def record_arrival(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    if s.visa_valid_until and a.arrived_on > s.visa_valid_until:
        raise Refusal(
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
        raise Refusal(say("moved_in_on: required (or record-moving-in first): the period counts from moving in"))
    if a.moved_in_on and s.moved_in_on and a.moved_in_on != s.moved_in_on:
        raise Refusal(
            say(
                "moved_in_on: {moved_in_on} differs from the recorded {moved_in_on2}",
                moved_in_on=a.moved_in_on,
                moved_in_on2=s.moved_in_on,
            )
        )
    if s.arrived_on and moved_in < s.arrived_on:
        raise Refusal(
            say(
                "moved_in_on: {moved_in} is before the arrival ({arrived_on})",
                moved_in=moved_in,
                arrived_on=s.arrived_on,
            )
        )
    if a.registered_on < moved_in:
        raise Refusal(
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


def _applied_late(s: JourneyState) -> bool:
    return bool(s.visa_valid_until and s.permit_applied_on and s.permit_applied_on > s.visa_valid_until)


def status_kept(ctx: Context) -> None:
    """§81(4) S.1 keeps the status for a timely application; for a late one only the ABH's
    order does (S.3, to avoid undue hardship), which the advisor records with the certificate."""
    s, a = ctx.state, ctx.action
    if _applied_late(s) and not a.ordered_for_late_application:
        raise Refusal(
            say(
                "record_fiktionsbescheinigung: the permit was applied for after the visa expired ({until}); "
                "§81(4) S.1 AufenthG does not apply. If the ABH ordered the status kept (§81(4) S.3), record it "
                "with --ordered-for-late-application",
                until=s.visa_valid_until,
            )
        )
    if a.ordered_for_late_application and not _applied_late(s):
        raise Refusal(
            say(
                "ordered_for_late_application: the permit was applied for in time ({applied_on}, the visa ran until "
                "{until}); the status is kept by law (§81(4) S.1 AufenthG)",
                applied_on=s.permit_applied_on,
                until=s.visa_valid_until,
            )
        )


def record_fiktionsbescheinigung(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.fiktionsbescheinigung_valid_until = a.valid_until
    code = DocumentCode.FIKTIONSBESCHEINIGUNG
    s.documents = [d for d in s.documents if d.code is not code] + [
        ReceivedDocument(code=code, reference=a.reference, received_on=a.issued_on, recorded_by=a.advisor)
    ]
    if a.ordered_for_late_application:
        return Result(
            say(
                "Fiktionsbescheinigung issued on {day}, valid until {until}: the ABH ordered the status kept for the "
                "late application (§81(4) S.3 AufenthG)",
                day=a.issued_on,
                until=a.valid_until,
            )
        )
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
    # Only a route with the entitlement (§44(1) S.1 Nr.1a; every route before process version 3).
    due = ctx.due_on(C.INTEGRATION_COURSE, a.decided_on) if entitled_to_the_integration_course(ctx) else None
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


def probation_within_the_law(ctx: Context) -> None:
    """The agreed probation is no longer than the route's law allows (§622(3) BGB, §20 BBiG)."""
    months, most = ctx.action.probation_months, ctx.state.route.rules.probation_months_at_most
    if months is not None and months > most:
        raise Refusal(
            say(
                "probation_months: {months} is more than the {most} months the law allows on {route}",
                months=months,
                most=most,
                route=ctx.state.route.rules.label,
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
    if s.outcome is JourneyOutcome.PLACED:  # reopened after the placement: it stands, the report follows
        s.outcome, s.finished_at = None, None
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
        changed = say(
            "Full recognition on {day}: route changed from {was} to §18a AufenthG "
            "(skilled worker with a recognised qualification)",
            day=a.decided_on,
            was=was.label,
        )
        return Result(
            first_title.plus(changed, first_title.at_the_change_to_18a(s, a.aged_45_or_over, a.decided_on, ctx.policy)),
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


def change_offered_wage(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    was = s.pension_proof_needed
    if s.offered_wage is not None:  # the journey checks its offer itself, by its own route (first_title)
        s.offered_wage = a.offer
        first_title.refresh(s, ctx.today, ctx.policy)
    elif s.visa_issued_on is None:  # started before it carried the offer: the case's finding (retire: first_title)
        s.pension_proof_needed = a.pension_proof_needed
    now = s.pension_proof_needed
    proof = (
        say("; proof of adequate pension provision is now needed (§18(2) Nr. 5 AufenthG)")
        if now and not was
        else say("; proof of adequate pension provision is no longer needed")
        if was and not now
        else None
    )
    return Result(
        say(
            "The employer changed the offered wage on {day} to {monthly_eur} EUR a month{proof}",
            day=a.changed_on,
            monthly_eur=str(a.offer.monthly_gross_wage_eur),
            proof=proof,
        )
    )


def withdraw_candidate(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action
    s.outcome_reason = stated(a)
    return Result(say("Candidate withdrew in stage {stage}: {reason}", stage=s.stage.value, reason=s.outcome_reason))


def end_journey(ctx: Context) -> Result:
    s, a = ctx.state, ctx.action

    if a.outcome not in (JourneyOutcome.VACANCY_WITHDRAWN, JourneyOutcome.ENDED_BY_WELCOME_CENTER):
        raise Refusal(say("outcome: '{outcome}' comes from the journey's own steps", outcome=a.outcome))
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
    found = j.findings(a.selected_on, ctx.today)
    if why := ba_path_finding(j.ba_path, s.procedure):
        found.append(("ba_path", why))
    if found:
        raise Refusal("; ".join(f"{name}: {why}" for name, why in found))  # English: a Said's str()
    s.started_at = _midnight(a.selected_on)
    s.contract_signed_on = j.contract_signed_on
    if j.recognition_decided_on is not None and j.recognition_after_entry:  # §16d: full after entry, now §18a
        s.follow_up_decided_on, s.route = j.recognition_decided_on, ResidenceRoute.SECTION_18A
    elif j.recognition_decided_on is not None:  # the journey went on: recognised
        s.recognition, s.recognition_decided_on = RecognitionDecision.FULL, j.recognition_decided_on
    if j.ba_consent_on is not None:  # the day it was given; the path as the file says, else the usual one
        usual = BaConsentPath.ABH_81A if s.procedure is Procedure.ACCELERATED_81A else BaConsentPath.EMBASSY
        path = j.ba_path or usual
        s.ba_requests.append(
            BaRecord(path=path, requested_on=j.ba_consent_on, decision="granted", decided_on=j.ba_consent_on)
        )
    s.visa_issued_on, s.visa_valid_until, s.arrived_on = j.visa_issued_on, j.visa_valid_until, j.arrived_on
    s.job_started_on, s.probation_passed_on = j.job_started_on, j.probation_passed_on
    s.registered_on = j.registered_on
    s.permit_decided_on, s.permit_valid_until = j.permit_granted_on, j.permit_valid_until
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
