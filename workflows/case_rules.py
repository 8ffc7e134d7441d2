"""Which advisor action is allowed when: pure functions over the case state.

Update validators and handlers both call these, so a rejected action changes nothing
and the message says why. Unit-testable without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from models import programmes, staff
from models.case import (
    CaseState,
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
from models.thresholds import WageRule, figures_for

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
    finding: str | None = None


def _annual(state: CaseState) -> Decimal:
    if not state.monthly_gross_wage_eur:
        raise CaseRuleViolation(say("monthly_gross_wage_eur: {label} needs the offered wage", label=state.route.label))
    return state.monthly_gross_wage_eur * 12


def pension_proof_needed(
    state: CaseState, candidate: SelectedCandidate, policy: DeadlinePolicy, today: date
) -> str | None:
    """§18(2) Nr. 5 AufenthG: a first §18a/§18b title at 45 or older needs 55% of the BBG, or
    proof of adequate pension provision. Returns why the proof is needed, or None."""
    if not candidate.aged_45_or_over_at_first_title or not state.route.rules.pension_45_plus:
        return None
    year, figures = figures_for(policy.wage_thresholds, today)
    t = figures.thresholds[WageRule.AGE_45_PLUS]
    annual = _annual(state)
    if annual >= t.annual_eur:
        return None
    return (
        f"45 or older at the first title: {annual:,} EUR a year is below {t.describe(year)}; "
        "proof of adequate pension provision is needed (pension_provision_proof)"
    )


def check_route_wage(state: CaseState, policy: DeadlinePolicy | None, today: date) -> WageCheck:
    """The route's salary threshold of the year (Blue Card, §19c(2)); the message names the
    threshold, the year, the basis and what would satisfy it."""
    route = state.route.rules
    if route.wage is None:
        return WageCheck()
    if policy is None:
        raise CaseRuleViolation(say("complete-consultation: the case has not read its policy yet"))
    year, figures = figures_for(policy.wage_thresholds, today)
    annual = _annual(state)
    offered = f"{state.monthly_gross_wage_eur:,} EUR a month ({annual:,} EUR a year)"
    if route.collective_agreement_exempts:
        t = figures.thresholds[route.wage]
        if annual >= t.annual_eur:
            return WageCheck(finding=f"{offered} meets {t.describe(year)}")
        if state.collective_agreement:
            return WageCheck(finding=f"{offered}: the employer is bound by a collective agreement (§6 BeschV)")
        raise CaseRuleViolation(
            say(
                "monthly_gross_wage_eur: {offered} is below {year}; raise the wage, or confirm that the employer is "
                "bound by a collective agreement (collective_agreement)",
                offered=offered,
                year=t.describe(year),
            )
        )
    general = figures.thresholds[route.wage]
    if annual >= general.annual_eur:
        if route.consent_free_at_wage:
            return WageCheck(False, f"{offered} meets {general.describe(year)}: no BA consent needed")
        return WageCheck(finding=f"{offered} meets {general.describe(year)}")
    lower = figures.thresholds[route.shortage_wage] if route.shortage_wage else None
    shortage = lower is not None and bool(state.shortage_occupation_or_career_starter)
    if lower and shortage and annual >= lower.annual_eur:
        return WageCheck(True, f"{offered} meets {lower.describe(year)}: BA consent needed")
    # The refusal names the threshold that applies: with the shortage/career-starter flag the
    # lower one (§18g(1) S.2), else the general one and the lower one as the way out.
    applies = lower if lower and shortage else general
    also = "" if lower is None or shortage else f"; {lower.describe(year)} for shortage occupations and career starters"
    raise CaseRuleViolation(
        say(
            "monthly_gross_wage_eur: {offered} is below {year}{also}; raise the wage or choose §18b",
            offered=offered,
            year=applies.describe(year),
            also=also,
        )
    )


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
