"""The wage offer against the thresholds of a year (models/wage.py, #24): the route's threshold,
the 45+ rule, and the next year's figures once the policy holds them. Pure functions given
their day: the policy's 2026 figures and an invented following year (test data only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.i18n import Text
from models import wage
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from models.routes import ResidenceRoute
from models.thresholds import Threshold, YearFigures
from models.wage import WageOffer

pytestmark = pytest.mark.unit

FIGURES = load_policy(DEFAULT_POLICY_FILE).wage_thresholds
THIS = min(FIGURES)  # the policy's first year (2026: BBG 101,400 EUR)
DECEMBER = date(THIS, 12, 10)  # fixed: a check made before the ceiling changes
CEILING = 105_000  # invented for the following year: the thresholds rise with it


def _following() -> dict[int, YearFigures]:
    figures = FIGURES[THIS]
    rules = {
        rule: Threshold(
            share_of_ceiling=t.share_of_ceiling, annual_eur=round(t.share_of_ceiling * CEILING, 2), basis=t.basis
        )
        for rule, t in figures.thresholds.items()
    }
    nxt = YearFigures(pension_contribution_ceiling_eur=CEILING, source="test data", thresholds=rules)
    return {THIS: figures, THIS + 1: nxt}


BOTH = _following()
SHORTAGE = {"shortage_occupation_or_career_starter": True}


def _offer(monthly: str, **flags: bool) -> WageOffer:
    return WageOffer(monthly_gross_wage_eur=Decimal(monthly), **flags)


@pytest.mark.parametrize(
    ("route", "monthly", "flags", "refused", "consent", "meets"),
    [
        (ResidenceRoute.SECTION_18G, "4225", {}, False, False, "50,700.00"),  # exactly 50,700 a year
        (ResidenceRoute.SECTION_18G, "4224.99", {}, True, True, "50,700.00"),
        (ResidenceRoute.SECTION_18G, "3827.85", SHORTAGE, False, True, "45,934.20"),
        (ResidenceRoute.SECTION_18G, "3827.84", SHORTAGE, True, True, "45,934.20"),
        (ResidenceRoute.SECTION_19C2, "3802.50", {}, False, True, "45,630.00"),
        (ResidenceRoute.SECTION_19C2, "3000", {"collective_agreement": True}, False, True, "collective agreement"),
        (ResidenceRoute.SECTION_19C2, "3000", {}, True, True, "45,630.00"),
        (ResidenceRoute.SECTION_18A, "2500", {}, False, True, None),
    ],
)  # fmt: skip
def test_the_route_threshold_of_the_year(
    route: ResidenceRoute, monthly: str, flags: dict[str, bool], refused: bool, consent: bool, meets: str | None
) -> None:
    found = wage.route_wage(route.rules, _offer(monthly, **flags), FIGURES, DECEMBER)
    said = found.refusal if refused else found.finding
    assert (found.refusal is not None) == refused
    assert found.ba_consent_required == consent
    if meets is None:
        assert said is None
    else:
        assert said is not None and meets in said.english()


@pytest.mark.parametrize(
    ("route", "monthly", "flags", "aged_45", "warns"),
    [
        # Meets this year's general Blue Card threshold, not the next year's (52,500): refused then.
        (ResidenceRoute.SECTION_18G, "4300", {}, False, "needs more"),
        # The same with the shortage flag: the lower threshold holds, but with the BA's consent.
        (ResidenceRoute.SECTION_18G, "4300", SHORTAGE, False, "BA's consent"),
        (ResidenceRoute.SECTION_18G, "4400", {}, False, None),  # 52,800 meets both years
        # 45+: 56,400 a year meets this year's 55,770, not the next year's 57,750.
        (ResidenceRoute.SECTION_18A, "4700", {}, True, "pension provision"),
        (ResidenceRoute.SECTION_18A, "4700", {}, False, None),
        (ResidenceRoute.SECTION_16D1, "4700", {}, True, None),  # §16d: no 45+ rule
    ],
)  # fmt: skip
def test_a_first_title_from_1_january_is_warned_of(
    route: ResidenceRoute, monthly: str, flags: dict[str, bool], aged_45: bool, warns: str | None
) -> None:
    found = wage.next_year(route.rules, _offer(monthly, **flags), aged_45, BOTH, DECEMBER)
    if warns is None:
        assert found is None
        return
    assert found is not None and warns in found.english()
    assert f"{THIS + 1}-01-01" in found.english()
    # Without the next year's figures in the policy there is nothing to warn of.
    assert wage.next_year(route.rules, _offer(monthly, **flags), aged_45, FIGURES, DECEMBER) is None


def test_in_january_the_new_figures_apply() -> None:
    january = date(THIS + 1, 1, 4)  # fixed: the first working day after the change
    offer = _offer("4300")
    assert wage.route_wage(ResidenceRoute.SECTION_18G.rules, offer, BOTH, DECEMBER).refusal is None
    refused = wage.route_wage(ResidenceRoute.SECTION_18G.rules, offer, BOTH, january).refusal
    assert refused is not None and f"in {THIS + 1}" in refused.english()


@pytest.mark.parametrize(("monthly", "needed"), [("4647.50", False), ("4647.49", True)])
def test_the_45_plus_proof_to_the_cent(monthly: str, needed: bool) -> None:
    why = wage.pension_proof(ResidenceRoute.SECTION_18A.rules, True, _offer(monthly), FIGURES, DECEMBER)
    assert (why is not None) == needed


def test_sums_and_shares_read_in_the_reader_s_language() -> None:
    said = wage.route_wage(ResidenceRoute.SECTION_18G.rules, _offer("4224.99"), FIGURES, DECEMBER).refusal
    assert said is not None
    english = Text("en").said(said)
    german = Text("de").said(said)
    assert "4,224.99 EUR a month (50,699.88 EUR a year)" in english and "50.0%" in english
    assert "4.224,99 EUR im Monat (50.699,88 EUR im Jahr)" in german and "50,0 %" in german
    assert "liegt unter 50.700,00 EUR brutto im Jahr" in german
