"""The case's own rules as plain functions: replacements, closing, withdrawal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from models.case import (
    CaseState,
    CloseCase,
    Employer,
    JourneySummary,
    Outcome,
    SelectCandidates,
    SelectedCandidate,
    Stage,
    Withdraw,
)
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from workflows import case_rules
from workflows.case_rules import CaseRuleViolation


def case(stage: Stage, *outcomes: str | None, positions: int = 2, withdrawing: bool = False) -> CaseState:
    journeys = [
        JourneySummary(number=n, workflow_id=f"case-WC-0000000042-j{n}", candidate_ref=f"R-{n}00",
                       origin_country="TN", outcome=o, reason="r" if o else None)
        for n, o in enumerate(outcomes, start=1)
    ]  # fmt: skip
    return CaseState(
        case_id="WC-0000000042", stage=stage, advisor="m.koch", employer=Employer(name="X GmbH"), occupation="cook",
        positions=positions, route="18a", procedure="regular", opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        candidates=[SelectedCandidate(candidate_ref=j.candidate_ref, origin_country="TN") for j in journeys],
        journeys=journeys, withdrawing=withdrawing,
    )  # fmt: skip


def select(ref: str) -> SelectCandidates:
    return SelectCandidates(advisor="m.koch", candidates=[SelectedCandidate(candidate_ref=ref, origin_country="MA")])


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (case(Stage.CONSULTATION), select("R-900"), "complete the consultation first"),
        (case(Stage.JOURNEYS, None), select("R-100"), "already selected in this case: R-100"),
        (case(Stage.JOURNEYS, None, withdrawing=True), select("R-900"), "being withdrawn"),
        (case(Stage.CLOSED), select("R-900"), "closed"),
    ],
    ids=["before-consultation", "same-candidate", "while-withdrawing", "closed"],
)
def test_selections_that_are_refused(state: CaseState, action: SelectCandidates, message: str) -> None:
    with pytest.raises(CaseRuleViolation, match=message):
        case_rules.check_select_candidates(state, action)


@pytest.mark.parametrize(
    "state",
    [case(Stage.CANDIDATE_SELECTION), case(Stage.JOURNEYS, "placed", None, positions=1)],
    ids=["first-selection", "replacement-while-running-beyond-positions"],
)
def test_selections_that_are_taken(state: CaseState) -> None:
    case_rules.check_select_candidates(state, select("R-900"))


@pytest.mark.parametrize(
    ("outcomes", "positions", "expected"),
    [
        (("placed", "placed"), 2, Outcome.PLACED),
        (("placed", "withdrawn_by_candidate", "placed"), 2, Outcome.PLACED),
        (("placed", "visa_refused"), 2, Outcome.PARTLY_PLACED),
        (("withdrawn_by_candidate",), 1, Outcome.NOT_PLACED),
    ],
)
def test_the_outcome_counts_placements_against_positions(
    outcomes: tuple[str, ...], positions: int, expected: Outcome
) -> None:
    outcome, reason = case_rules.outcome_of(case(Stage.CANDIDATE_SELECTION, *outcomes, positions=positions))
    assert outcome is expected
    assert reason.startswith(f"{outcomes.count('placed')} of {positions} position(s) filled")


def test_closing_needs_every_journey_ended() -> None:
    close = CloseCase(advisor="m.koch", reason_code="no_suitable_candidates")
    with pytest.raises(CaseRuleViolation, match="journeys still run"):
        case_rules.check_close_case(case(Stage.JOURNEYS, "placed", None), close)
    with pytest.raises(CaseRuleViolation, match="withdraw the case instead"):
        case_rules.check_close_case(case(Stage.CANDIDATE_SELECTION), close)
    case_rules.check_close_case(case(Stage.CANDIDATE_SELECTION, "visa_refused"), close)


def test_a_second_withdrawal_while_journeys_end_is_refused() -> None:
    withdraw = Withdraw(advisor="m.koch", party="employer", reason_code="economic_reasons")
    with pytest.raises(CaseRuleViolation, match="being withdrawn already"):
        case_rules.check_withdraw(case(Stage.JOURNEYS, None, withdrawing=True), withdraw)


@pytest.mark.parametrize(
    ("typed", "euros"),
    [("4647,50", "4647.50"), ("4.647,50", "4647.50"), ("4647.50", "4647.50"), ("3.400", "3400"),
     ("3400 EUR", "3400"), (3100, "3100")],
)  # fmt: skip
def test_a_wage_is_read_as_the_office_writes_it(typed: object, euros: str) -> None:
    read = CaseState.model_validate({**case(Stage.CONSULTATION).model_dump(), "monthly_gross_wage_eur": typed})
    assert read.monthly_gross_wage_eur == Decimal(euros)


@pytest.mark.parametrize(("monthly", "proof"), [("4647.50", False), ("4647.49", True)])
def test_the_45_plus_threshold_is_met_to_the_cent(monthly: str, proof: bool) -> None:
    # #24: 4,647.50 EUR a month is 55,770 EUR a year, the 2026 figure of §18(2) Nr. 5 AufenthG.
    state = case(Stage.CANDIDATE_SELECTION).model_copy(update={"monthly_gross_wage_eur": Decimal(monthly)})
    policy = load_policy(DEFAULT_POLICY_FILE)
    older = SelectedCandidate(candidate_ref="R-450", origin_country="EG", aged_45_or_over_at_first_title=True)
    found = case_rules.pension_proof_needed(state, older, policy, date(2026, 6, 1))
    assert (found is not None) == proof, found
