"""Which advisor action is allowed when: pure functions over the case state.

Update validators and handlers both call these, so a rejected action changes nothing
and the message says why. Unit-testable without a server.
"""

from __future__ import annotations

from datetime import date

from temporalio.exceptions import ApplicationError

from models.case import (
    BaConsentPath,
    CaseState,
    CompleteConsultation,
    ConsentDecision,
    Procedure,
    RecordArrival,
    RecordBaConsent,
    RecordVisaDecision,
    SelectCandidates,
    Stage,
    VisaDecision,
    Withdraw,
    WithdrawingParty,
)


class CaseRuleViolation(ApplicationError):
    """An advisor action that does not fit the case as it stands.

    An ApplicationError, so that raised in a validator it rejects the update and
    raised in a handler it fails only that update, never the case.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, type="CaseRuleViolation", non_retryable=True)


def _require_stage(state: CaseState, expected: Stage, action: str) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(f"{action}: case {state.case_id} is closed ({state.outcome}); nothing can change")
    if state.stage is not expected:
        raise CaseRuleViolation(
            f"{action}: case {state.case_id} is in stage '{state.stage}', this action belongs to stage '{expected}'"
        )


def not_in_future(field: str, value: date, today: date) -> None:
    if value > today:
        raise CaseRuleViolation(f"{field}: {value} is in the future (today is {today})")


def check_complete_consultation(state: CaseState, action: CompleteConsultation) -> None:
    _require_stage(state, Stage.CONSULTATION, "complete-consultation")
    if not action.wage_meets_local_standard:
        raise CaseRuleViolation(
            "wage_meets_local_standard: the wage must be no worse than for comparable "
            "domestic workers (§39(2) AufenthG); adjust the offer before selecting candidates"
        )


def check_select_candidates(state: CaseState, action: SelectCandidates) -> None:
    _require_stage(state, Stage.CANDIDATE_SELECTION, "select-candidates")
    if len(action.candidates) > state.positions:
        raise CaseRuleViolation(f"candidates: {len(action.candidates)} selected for {state.positions} position(s)")


def check_record_ba_consent(state: CaseState, action: RecordBaConsent, today: date) -> None:
    _require_stage(state, Stage.BA_HANDOFF, "record-ba-consent")
    not_in_future("decided_on", action.decided_on, today)
    accelerated = state.procedure is Procedure.ACCELERATED_81A
    if accelerated and action.path is not BaConsentPath.ABH_81A:
        raise CaseRuleViolation("path: in the §81a procedure the Ausländerbehörde obtains the BA consent (abh_81a)")
    if not accelerated and action.path is BaConsentPath.ABH_81A:
        raise CaseRuleViolation("path: abh_81a is only possible in the §81a procedure")


def check_record_visa_decision(state: CaseState, action: RecordVisaDecision, today: date) -> None:
    _require_stage(state, Stage.VISA, "record-visa-decision")
    not_in_future("decided_on", action.decided_on, today)
    granted = [c for c in state.ba_consents if c.decision is ConsentDecision.GRANTED]
    if granted and action.decided_on < granted[-1].decided_on:
        raise CaseRuleViolation(
            f"decided_on: the visa decision cannot precede the BA consent of {granted[-1].decided_on}"
        )


def check_record_arrival(state: CaseState, action: RecordArrival, today: date) -> None:
    _require_stage(state, Stage.ARRIVAL, "record-arrival")
    not_in_future("arrived_on", action.arrived_on, today)
    visa = next((v for v in reversed(state.visa_decisions) if v.decision is VisaDecision.ISSUED), None)
    if visa is None:  # cannot happen through the stages, guards hand-edited histories
        raise CaseRuleViolation("arrived_on: no issued visa is recorded")
    if action.arrived_on < visa.decided_on:
        raise CaseRuleViolation(f"arrived_on: before the visa was issued on {visa.decided_on}")
    if visa.valid_until is not None and action.arrived_on > visa.valid_until:
        raise CaseRuleViolation(f"arrived_on: after the visa expired on {visa.valid_until}; entry needs a valid visa")


def check_withdraw(state: CaseState, action: Withdraw) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(f"withdraw: case {state.case_id} is already closed ({state.outcome})")
    if state.stage is Stage.JOURNEYS and action.party is WithdrawingParty.CANDIDATE:
        raise CaseRuleViolation(
            "party: a candidate withdraws from their own journey (withdraw-candidate --candidate REF); "
            "the case is withdrawn by the employer or the Welcome Center"
        )


def check_add_note(state: CaseState) -> None:
    if state.stage is Stage.CLOSED:
        raise CaseRuleViolation(f"add_note: case {state.case_id} is closed; nothing can change")
