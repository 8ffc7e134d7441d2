"""Which advisor action is allowed when: pure functions over the case state.

Update validators and handlers both call these, so a rejected action changes nothing
and the message says why. Unit-testable without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from models import programmes, staff, wage
from models.case import (
    CaseState,
    ChangeOfferedWage,
    CloseCase,
    CompleteConsultation,
    ImportedCase,
    Outcome,
    SelectCandidates,
    SelectedCandidate,
    Stage,
    Withdraw,
    WithdrawingParty,
)
from models.deadlines import DeadlinePolicy
from models.door import refusals
from models.said import Said, english, say
from models.wage import WageOffer

PLACED = "placed"  # a journey's outcome when probation was passed


class CaseRuleViolation(ApplicationError):
    """An advisor action that does not fit the case as it stands.

    An ApplicationError, so that raised in a validator it rejects the update and
    raised in a handler it fails only that update, never the case.
    """

    def __init__(self, message: str | Said) -> None:
        # The message is English (logs, tests); a Said travels as the failure's detail, so the
        # starter can show it in the office's language (#16).
        said = message if isinstance(message, Said) else None
        details = [said.model_dump(mode="json")] if said is not None else []
        super().__init__(english(message), *details, type="CaseRuleViolation", non_retryable=True)


def check_candidate_refs(programme: str | None, action: SelectCandidates) -> None:
    """The references follow the case's programme's format (door only: never on replay)."""
    found = [
        f"candidates.{n}.candidate_ref: {why}"  # English: a Said's str()
        for n, candidate in enumerate(action.candidates)
        if (why := programmes.refusal(programme, candidate.candidate_ref))
    ]
    if found:
        raise CaseRuleViolation("; ".join(found))


def check_import(imported: ImportedCase, programme: str | None, today: date) -> None:
    """An imported case's history must be possible: dates not ahead of today and in the
    journey's order, end codes that fit, references in the programme's format (door only)."""
    found = [str(f) for f in imported.findings(today)]
    if imported.by is not None and (why := staff.refusal(imported.by, staff.CARRIES_CASES)):
        found.append(f"imported.by: {why}")
    found += [
        f"imported row {j.row}, candidate_ref: {why}"
        for j in imported.journeys
        if (why := programmes.refusal(programme, j.candidate.candidate_ref))
    ]
    if found:
        raise CaseRuleViolation("; ".join(found))


def check_door(action: BaseModel) -> None:
    """The door's own rules (models/door.py), in every Update validator: never on replay."""
    if found := refusals(action):
        raise CaseRuleViolation("; ".join(map(str, found)))


def _require_stage(state: CaseState, expected: Stage, action: str) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(
            say(
                "{action}: case {case_id} is closed ({outcome}); nothing can change",
                action=action,
                case_id=state.case_id,
                outcome=state.outcome,
            )
        )
    if state.stage is not expected:
        raise CaseRuleViolation(
            say(
                "{action}: case {case_id} is in stage '{stage}', this action belongs to stage '{expected}'",
                action=action,
                case_id=state.case_id,
                stage=state.stage,
                expected=expected,
            )
        )


def check_complete_consultation(
    state: CaseState, action: CompleteConsultation, policy: DeadlinePolicy | None, today: date, wage: bool = True
) -> WageCheck:
    _require_stage(state, Stage.CONSULTATION, "complete-consultation")
    if not action.wage_meets_local_standard:
        raise CaseRuleViolation(
            say(
                "wage_meets_local_standard: the wage must be no worse than for comparable domestic workers (§39(2) "
                "AufenthG); adjust the offer before selecting candidates"
            )
        )
    return check_route_wage(state, policy, today) if wage else WageCheck()


@dataclass(frozen=True)
class WageCheck:
    ba_consent_required: bool = True
    finding: Said | None = None


def wage_offer(state: CaseState) -> WageOffer | None:
    """The case's offer as the thresholds see it (None: a route or case without a wage)."""
    if not state.monthly_gross_wage_eur:
        return None
    return WageOffer(
        monthly_gross_wage_eur=state.monthly_gross_wage_eur,
        collective_agreement=bool(state.collective_agreement),
        shortage_occupation_or_career_starter=bool(state.shortage_occupation_or_career_starter),
    )


def pension_proof_needed(
    state: CaseState, candidate: SelectedCandidate, policy: DeadlinePolicy, today: date
) -> str | None:
    """§18(2) Nr. 5 AufenthG (models/wage.py): why the pension-provision proof is needed, or None."""
    why = wage.pension_proof(
        state.route.rules, candidate.aged_45_or_over_at_first_title, wage_offer(state), policy.wage_thresholds, today
    )
    return english(why) if why else None


def check_route_wage(state: CaseState, policy: DeadlinePolicy | None, today: date) -> WageCheck:
    """The route's salary threshold of the year (models/wage.py); a finding names the next
    year's figures too when the policy has them and the offer misses them."""
    route = state.route.rules
    if route.wage is None:
        return WageCheck()
    if policy is None:
        raise CaseRuleViolation(say("complete-consultation: the case has not read its policy yet"))
    offer = wage_offer(state)
    if offer is None:
        raise CaseRuleViolation(say("monthly_gross_wage_eur: {label} needs the offered wage", label=state.route.label))
    found = wage.route_wage(route, offer, policy.wage_thresholds, today)
    if found.refusal is not None:
        raise CaseRuleViolation(found.refusal)
    later = wage.next_year(route, offer, False, policy.wage_thresholds, today)
    finding = say("{finding}; {later}", finding=found.finding, later=later) if later else found.finding
    return WageCheck(found.ba_consent_required, finding)


def check_change_offered_wage(
    state: CaseState, action: ChangeOfferedWage, policy: DeadlinePolicy | None, today: date
) -> WageCheck | None:
    """A new offer (a raised wage after the BA's §39(2) refusal is a new fact): checked against
    the route's threshold as the consultation does, once it is done (None: not yet done)."""
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(
            say("change-offered-wage: case {case_id} is closed; nothing can change", case_id=state.case_id)
        )
    if state.withdrawing:
        raise CaseRuleViolation(say("change-offered-wage: the case is being withdrawn; its journeys are ending"))
    if action.monthly_gross_wage_eur == state.monthly_gross_wage_eur:
        raise CaseRuleViolation(
            say(
                "monthly_gross_wage_eur: the offer is {monthly_eur} EUR a month already",
                monthly_eur=str(action.monthly_gross_wage_eur),
            )
        )
    if action.changed_on > today:
        raise CaseRuleViolation(
            say("changed_on: {day} lies ahead; record the change when it is made", day=action.changed_on)
        )
    if state.stage is Stage.CONSULTATION:
        return None  # the consultation checks the offer when it completes
    trial = state.model_copy(update={"monthly_gross_wage_eur": action.monthly_gross_wage_eur})
    check = check_route_wage(trial, policy, today)
    running = [j.candidate_ref for j in state.journeys if j.outcome is None]
    if running and check.ba_consent_required and not state.ba_consent_required:
        raise CaseRuleViolation(
            say(
                "monthly_gross_wage_eur: at this wage the BA must consent ({finding}), but the running journeys "
                "({running}) started without a BA step; end them (withdraw) and select again",
                finding=check.finding,
                running=", ".join(running),
            )
        )
    return check


def check_select_candidates(state: CaseState, action: SelectCandidates) -> None:
    """Candidates are selected after the consultation and, as replacements, while journeys run
    or after they ended: the positions limit placements, not selections."""
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(
            say(
                "select-candidates: case {case_id} is closed ({outcome}); nothing can change",
                case_id=state.case_id,
                outcome=state.outcome,
            )
        )
    if state.stage not in (Stage.CANDIDATE_SELECTION, Stage.JOURNEYS):
        raise CaseRuleViolation(
            say(
                "select-candidates: case {case_id} is in stage '{stage}', complete the consultation first",
                case_id=state.case_id,
                stage=state.stage,
            )
        )
    if state.withdrawing:
        raise CaseRuleViolation(say("select-candidates: the case is being withdrawn; its journeys are ending"))
    known = {c.candidate_ref for c in state.candidates}
    again = sorted(c.candidate_ref for c in action.candidates if c.candidate_ref in known)
    if again:
        raise CaseRuleViolation(say("candidates: already selected in this case: {again}", again=", ".join(again)))


def placed(state: CaseState) -> int:
    return sum(1 for j in state.journeys if j.outcome == PLACED)


def outcome_of(state: CaseState) -> tuple[Outcome, str]:
    """The case's outcome from its journeys, counted against the positions."""
    count = placed(state)
    if count >= state.positions:
        outcome = Outcome.PLACED
    elif count:
        outcome = Outcome.PARTLY_PLACED
    else:
        outcome = Outcome.NOT_PLACED
    not_placed = "; ".join(
        f"{j.candidate_ref}: {j.outcome} ({j.reason})" for j in state.journeys if j.outcome != PLACED
    )
    reason = f"{count} of {state.positions} position(s) filled" + (f"; {not_placed}" if not_placed else "")
    return outcome, reason


def check_close_case(state: CaseState, action: CloseCase) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(
            say(
                "close_case: case {case_id} is already closed ({outcome})", case_id=state.case_id, outcome=state.outcome
            )
        )
    if not state.journeys:
        raise CaseRuleViolation(say("close_case: no candidate has been selected; withdraw the case instead"))
    running = [j.candidate_ref for j in state.journeys if j.outcome is None]
    if running:
        raise CaseRuleViolation(
            say(
                "close_case: journeys still run ({running}); they end on their own, or withdraw the case",
                running=", ".join(running),
            )
        )


def check_withdraw(state: CaseState, action: Withdraw) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(
            say("withdraw: case {case_id} is already closed ({outcome})", case_id=state.case_id, outcome=state.outcome)
        )
    if state.withdrawing:
        raise CaseRuleViolation(
            say("withdraw: case {case_id} is being withdrawn already; its journeys are ending", case_id=state.case_id)
        )
    if state.journeys and action.party is WithdrawingParty.CANDIDATE:
        raise CaseRuleViolation(
            say(
                "party: a candidate withdraws from their own journey (withdraw-candidate --candidate REF); the case "
                "is withdrawn by the employer or the Welcome Center"
            )
        )


def check_add_note(state: CaseState) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(say("add_note: case {case_id} is closed; nothing can change", case_id=state.case_id))
