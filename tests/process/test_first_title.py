"""The wage at the first title (#24, process/first_title.py): the 45+ proof follows the route in
force and the year of the step, the visa's issue is checked against its own year, and the
change to §18a asks the 45+ rule again. Engine walks of ``test_engine`` (a §18a journey of
2025/26) with an offer carried, and a policy whose figures begin in 2025 and rise in 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from models import journey as J
from models.case import ResidenceRoute, SelectedCandidate
from models.deadlines import DeadlinePolicy
from models.documents import DocumentCode
from models.journey import DocumentReceipt, JourneyState
from models.thresholds import Threshold, YearFigures
from models.wage import WageOffer
from process import engine, first_title
from process.refusal import Refusal
from tests.process.test_engine import REG, WALKS, P, act, journey, track

d = date
pytestmark = pytest.mark.unit


def _figures(ceiling: float) -> YearFigures:
    this = P.wage_thresholds[min(P.wage_thresholds)]
    rules = {
        rule: Threshold(
            share_of_ceiling=t.share_of_ceiling, annual_eur=round(t.share_of_ceiling * ceiling, 2), basis=t.basis
        )
        for rule, t in this.thresholds.items()
    }
    return YearFigures(pension_contribution_ceiling_eur=ceiling, source="test data", thresholds=rules)


# Test data: 2025 at a ceiling of 100,000 (45+: 55,000 a year), 2026 at 105,000 (57,750).
POLICY: DeadlinePolicy = P.model_copy(update={"wage_thresholds": {2025: _figures(100_000), 2026: _figures(105_000)}})
MONTHLY_56_400 = WageOffer(monthly_gross_wage_eur=Decimal("4700"))  # 56,400 a year: between the two


def older(offer: WageOffer | None = MONTHLY_56_400, route: ResidenceRoute = ResidenceRoute.SECTION_18A) -> JourneyState:
    state = journey(REG)
    state.candidate = SelectedCandidate(
        candidate_ref="THAMM-4545", origin_country="MA", aged_45_or_over_at_first_title=True
    )
    state.offered_wage, state.route, state.original_route = offer, route, route
    return state


def do(state: JourneyState, action: Any, today: date) -> engine.Step:
    step = engine.apply(state, action, today, POLICY)
    track(state, step.clocks)
    return step


def walk_to(state: JourneyState, point: str, today: date, keep_back: tuple[DocumentCode, ...] = ()) -> None:
    for name, action in WALKS[REG]:
        missing = [c for c in engine.open_documents(state) if c not in keep_back]
        if missing:
            receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=d(2025, 6, 1)) for c in missing]
            do(state, act(J.RecordDocuments, documents=receipts), today)
        do(state, action, today)
        if name == point:
            return


@pytest.mark.parametrize(
    ("today", "offer", "needed"),
    [
        (d(2025, 12, 15), MONTHLY_56_400, False),  # 2025's figures: 56,400 meets 55,000
        (d(2026, 1, 5), MONTHLY_56_400, True),  # a visa applied for in January: 2026's 57,750
        (d(2026, 1, 5), WageOffer(monthly_gross_wage_eur=Decimal("4812.50")), False),  # exactly 57,750
        (d(2026, 1, 5), None, False),  # started before the offer was carried: the case's finding stands
    ],
)  # fmt: skip
def test_the_visa_checklist_asks_the_45_plus_proof_by_the_year_of_the_step(
    today: date, offer: WageOffer | None, needed: bool
) -> None:
    state = older(offer)
    walk_to(state, "appointment", today, keep_back=(DocumentCode.PENSION_PROVISION_PROOF,))
    asked = DocumentCode.PENSION_PROVISION_PROOF in engine.open_documents(state)
    assert asked == needed
    assert (state.pension_proof_needed is not None) == needed


def test_the_visa_application_is_refused_without_the_proof_the_year_asks_for() -> None:
    state = older()
    walk_to(state, "appointment", d(2026, 1, 5), keep_back=(DocumentCode.PENSION_PROVISION_PROOF,))
    with pytest.raises(Refusal, match="pension_provision_proof.*57,750.00 EUR gross a year in 2026"):
        do(state, WALKS[REG][5][1], d(2026, 1, 5))


def test_a_partial_recognition_to_16d1_drops_the_proof_the_18a_route_asked() -> None:
    state = older(WageOffer(monthly_gross_wage_eur=Decimal("3100")))
    walk_to(state, "contract", d(2026, 1, 5))
    assert state.pension_proof_needed is not None  # §18a at 37,200 a year
    state.route = ResidenceRoute.SECTION_16D1  # what a Defizitbescheid does (process/rules.py)
    do(state, act(J.AddNote, note="Defizitbescheid"), d(2026, 1, 6))
    assert state.pension_proof_needed is None


@pytest.mark.parametrize(
    ("issued_on", "proof_on_file", "says"),
    [
        (d(2025, 12, 18), False, None),  # issued in 2025: 56,400 meets 55,000
        (d(2026, 1, 8), False, "the first title was issued on 2026-01-08"),  # 2026 asks 57,750
        (d(2026, 1, 8), True, None),  # the proof was handed in
    ],
)  # fmt: skip
def test_the_visa_issue_is_checked_by_its_own_year(issued_on: date, proof_on_file: bool, says: str | None) -> None:
    state = older()
    walk_to(state, "ba_granted", d(2025, 12, 17))  # applied in December: no proof asked then
    assert not state.has_document(DocumentCode.PENSION_PROVISION_PROOF)
    if proof_on_file:
        receipt = DocumentReceipt(code=DocumentCode.PENSION_PROVISION_PROOF, reference="DMS-2", received_on=issued_on)
        do(state, act(J.RecordDocuments, documents=[receipt]), issued_on)
    issued = act(J.RecordVisaDecision, decision="issued", decided_on=issued_on, valid_until=d(2026, 12, 31))
    summary = do(state, issued, issued_on).summary
    assert (says in summary) if says else ("first title" not in summary), summary


@pytest.mark.parametrize(
    ("monthly", "aged", "says", "needed"),
    [
        ("4700", True, "for the §18a residence permit (the first §18a title)", True),
        ("4700", None, "--aged-45-or-over", False),  # not said: the advisor is reminded
        ("4700", False, None, False),
        ("5000", True, None, False),  # 60,000 a year meets 57,750: the age does not matter
    ],
)  # fmt: skip
def test_the_change_to_18a_asks_the_45_plus_rule_again(
    monthly: str, aged: bool | None, says: str | None, needed: bool
) -> None:
    state = older(WageOffer(monthly_gross_wage_eur=Decimal(monthly)), ResidenceRoute.SECTION_16D1)
    state.candidate = SelectedCandidate(candidate_ref="THAMM-4545", origin_country="MA")  # under 45 at the visa
    state.visa_issued_on, state.arrived_on = d(2025, 9, 10), d(2025, 10, 1)
    state.follow_up_applied_on = d(2026, 1, 10)
    changed = first_title.at_the_change_to_18a(state, aged, d(2026, 3, 2), POLICY)
    if says is None:
        assert changed is None
    else:
        assert changed is not None and says in changed.english()
    assert (state.pension_proof_needed is not None) == needed


@pytest.mark.parametrize(("issued_on", "says"), [(d(2025, 12, 18), None), (d(2026, 1, 8), "ask for the BA's consent")])
def test_a_consent_free_blue_card_issued_in_a_year_that_asks_for_the_consent_says_so(
    issued_on: date, says: str | None
) -> None:
    # 4,300 a month (51,600 a year): 2025's general threshold (50,000) is met, so no BA consent;
    # 2026's (52,500) is not, and the shortage threshold (47,565) holds only with the consent.
    offer = WageOffer(monthly_gross_wage_eur=Decimal("4300"), shortage_occupation_or_career_starter=True)
    state = older(offer, ResidenceRoute.SECTION_18G)
    state.ba_consent_required = False
    found = first_title.at_visa_issue(state, issued_on, POLICY)
    assert (found is None) if says is None else (found is not None and says in found.english())
