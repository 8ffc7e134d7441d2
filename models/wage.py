"""What a wage offer meets: the route's salary threshold and the 45+ rule, of a year.

Which year counts is the one in which the first title is issued: the thresholds are shares of
the pension contribution ceiling, which changes every 1 January (§18(2) Nr. 5, §18g(1)
AufenthG, §6 BeschV; ../shared/DOMAIN.md, "Which year's threshold"). The year is known only
when the title is issued. Decision (#24, unverified: no source names the day for a visa
applied for in December and issued in January): until then the product checks the figures of
the day of the check, and says so when the policy already holds the next year's figures and
the offer misses them; the journey checks again when the title is issued.

Pure functions: the case checks the offer at the consultation and when it changes, the
journey at the visa application and the visa's issue. Messages are ``Said`` templates, in the
office's language where staff read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from models.routes import Route
from models.said import Said, say
from models.thresholds import Threshold, WageRule, YearFigures, figures_for


class WageOffer(BaseModel):
    """The employer's offer as the case holds it: what the thresholds are checked against."""

    model_config = ConfigDict(frozen=True)

    monthly_gross_wage_eur: Decimal
    collective_agreement: bool = False  # §19c(2) with §6 BeschV: no threshold for a bound employer
    shortage_occupation_or_career_starter: bool = False  # §18g(1) S.2: the lower threshold

    @property
    def annual_eur(self) -> Decimal:
        return self.monthly_gross_wage_eur * 12


@dataclass(frozen=True)
class WageFinding:
    """``refusal`` when the offer misses what the route asks; else what it meets."""

    ba_consent_required: bool = True
    finding: Said | None = None
    refusal: Said | None = None


def amount(value: Decimal | float) -> str:
    """A sum as a template value: plain digits (cents as entered; a threshold always has
    them), grouped by the reader's language."""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def threshold(t: Threshold, year: int) -> Said:
    return say(
        "{annual_eur} EUR gross a year in {year} ({share_pct} of the pension contribution ceiling, {basis})",
        annual_eur=amount(t.annual_eur),
        year=year,
        share_pct=f"{t.share_of_ceiling * 100:.1f}",
        basis=t.basis,
    )


def offered(offer: WageOffer) -> Said:
    return say(
        "{monthly_eur} EUR a month ({annual_eur} EUR a year)",
        monthly_eur=amount(offer.monthly_gross_wage_eur),
        annual_eur=amount(offer.annual_eur),
    )


def route_wage(route: Route, offer: WageOffer, figures: dict[int, YearFigures], on: date) -> WageFinding:
    """The route's salary threshold of ``on``'s year (Blue Card, §19c(2)); a refusal names the
    threshold that applies, the year, the basis and what would satisfy it."""
    if route.wage is None:
        return WageFinding()
    year, of_year = figures_for(figures, on)
    annual, what = offer.annual_eur, offered(offer)
    if route.collective_agreement_exempts:
        t = of_year.thresholds[route.wage]
        if annual >= Decimal(str(t.annual_eur)):
            return WageFinding(finding=say("{offered} meets {threshold}", offered=what, threshold=threshold(t, year)))
        if offer.collective_agreement:
            return WageFinding(
                finding=say("{offered}: the employer is bound by a collective agreement (§6 BeschV)", offered=what)
            )
        return WageFinding(
            refusal=say(
                "monthly_gross_wage_eur: {offered} is below {threshold}; raise the wage, or confirm that the "
                "employer is bound by a collective agreement (collective_agreement)",
                offered=what,
                threshold=threshold(t, year),
            )
        )
    general = of_year.thresholds[route.wage]
    if annual >= Decimal(str(general.annual_eur)):
        met = say("{offered} meets {threshold}", offered=what, threshold=threshold(general, year))
        if route.consent_free_at_wage:
            return WageFinding(False, say("{met}: no BA consent needed", met=met))
        return WageFinding(finding=met)
    lower = of_year.thresholds[route.shortage_wage] if route.shortage_wage else None
    shortage = lower is not None and offer.shortage_occupation_or_career_starter
    if lower and shortage and annual >= Decimal(str(lower.annual_eur)):
        return WageFinding(
            True,
            say("{offered} meets {threshold}: BA consent needed", offered=what, threshold=threshold(lower, year)),
        )
    # The refusal names the threshold that applies: with the shortage/career-starter flag the
    # lower one (§18g(1) S.2), else the general one and the lower one as the way out.
    applies = lower if lower and shortage else general
    also = (
        None
        if lower is None or shortage
        else say("; {threshold} for shortage occupations and career starters", threshold=threshold(lower, year))
    )
    return WageFinding(
        refusal=say(
            "monthly_gross_wage_eur: {offered} is below {threshold}{also}; raise the wage or choose §18b",
            offered=what,
            threshold=threshold(applies, year),
            also=also,
        )
    )


def pension_proof(
    route: Route, aged_45_or_over: bool, offer: WageOffer | None, figures: dict[int, YearFigures], on: date
) -> Said | None:
    """§18(2) Nr. 5 AufenthG: a first §18a/§18b title at 45 or older needs 55% of the ceiling,
    or proof of adequate pension provision. Why the proof is needed, or None."""
    if not aged_45_or_over or not route.pension_45_plus or offer is None:
        return None
    year, of_year = figures_for(figures, on)
    t = of_year.thresholds[WageRule.AGE_45_PLUS]
    if offer.annual_eur >= Decimal(str(t.annual_eur)):
        return None
    return say(
        "45 or older at the first title: {annual_eur} EUR a year is below {threshold}; proof of adequate "
        "pension provision is needed (pension_provision_proof)",
        annual_eur=amount(offer.annual_eur),
        threshold=threshold(t, year),
    )


def next_year(
    route: Route, offer: WageOffer, aged_45_or_over: bool, figures: dict[int, YearFigures], on: date
) -> Said | None:
    """A first title issued from 1 January may need more: what the next year's published
    figures ask that this year's do not (None when the policy has no figures for it yet)."""
    following = date(on.year + 1, 1, 1)
    if following.year not in figures:
        return None
    now, then = route_wage(route, offer, figures, on), route_wage(route, offer, figures, following)
    if now.refusal is None and then.refusal is not None:
        return say("a first title issued from {day} needs more: {refusal}", day=following, refusal=then.refusal)
    if now.refusal is None and then.ba_consent_required and not now.ba_consent_required:
        return say(
            "a first title issued from {day} needs the BA's consent: {finding}", day=following, finding=then.finding
        )
    later = pension_proof(route, aged_45_or_over, offer, figures, following)
    if later is not None and pension_proof(route, aged_45_or_over, offer, figures, on) is None:
        return say("a first title issued from {day}: {why}", day=following, why=later)
    return None
