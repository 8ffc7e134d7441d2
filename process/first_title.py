"""The wage at the first title (#24): which year's thresholds a journey's offer meets.

What counts is the year the first title is issued (models/wage.py). A journey that carries the
case's offer (``JourneyState.offered_wage``) checks it itself:

- until the visa is issued, the 45+ proof follows the route in force (a §16d(1) visa after a
  partial recognition needs none) and the figures of the day a step is recorded;
- when the visa is issued, the history says if the offer misses the issue year's figures;
- at the change to §18a after a full follow-up recognition (the first §18a title), the 45+
  rule is asked again, for a person 45 or older by then.

Guard (data, not a patch): journeys started before code version 13 carry no offer and keep
the 45+ finding the case made when they started. Retire the ``offered_wage is None`` paths
once no running journey follows a version below 13 (``bin/starter versions``).
"""

from __future__ import annotations

from datetime import date

from models.deadlines import DeadlinePolicy
from models.documents import DocumentCode
from models.journey import JourneyState
from models.routes import ResidenceRoute
from models.said import Said, english, say
from models.wage import pension_proof, route_wage


def _known(policy: DeadlinePolicy, day: date) -> bool:
    """The policy has figures for ``day`` (a day dated before its first year has none to check)."""
    return any(year <= day.year for year in policy.wage_thresholds)


def refresh(state: JourneyState, day: date, policy: DeadlinePolicy) -> None:
    """Before each step: the 45+ proof by the route in force and ``day``'s figures, until the
    first title (the visa) is issued."""
    if state.offered_wage is None or state.visa_issued_on is not None or not _known(policy, day):
        return
    why = pension_proof(
        state.route.rules,
        state.candidate.aged_45_or_over_at_first_title,
        state.offered_wage,
        policy.wage_thresholds,
        day,
    )
    state.pension_proof_needed = english(why) if why else None


def at_visa_issue(state: JourneyState, issued_on: date, policy: DeadlinePolicy) -> Said | None:
    """The visa is the first title: what the offer misses by the issue year's figures."""
    offer = state.offered_wage
    if offer is None or not _known(policy, issued_on):
        return None
    route = state.route.rules
    found = route_wage(route, offer, policy.wage_thresholds, issued_on)
    if found.refusal is None and found.ba_consent_required and not state.ba_consent_required:
        return say(
            "; the first title was issued on {day}, whose year's figures ask for the BA's consent: {finding}",
            day=issued_on,
            finding=found.finding,
        )
    if (refused := found.refusal) is not None:
        return say(
            "; the first title was issued on {day}, whose year's figures apply: {why}",
            day=issued_on,
            why=refused,
        )
    aged = state.candidate.aged_45_or_over_at_first_title
    why = pension_proof(route, aged, offer, policy.wage_thresholds, issued_on)
    if why is not None and not state.has_document(DocumentCode.PENSION_PROVISION_PROOF):
        return say("; the first title was issued on {day}: {why}; the proof is not on file", day=issued_on, why=why)
    return None


def at_the_change_to_18a(
    state: JourneyState, aged_45_or_over: bool | None, decided_on: date, policy: DeadlinePolicy
) -> Said | None:
    """Full follow-up recognition: the §18a residence permit is the first §18a title."""
    if state.offered_wage is None or not _known(policy, decided_on):
        return None
    rules, figures = ResidenceRoute.SECTION_18A.rules, policy.wage_thresholds
    if pension_proof(rules, True, state.offered_wage, figures, decided_on) is None:
        return None  # the wage meets the 45+ figure: the age does not matter
    if aged_45_or_over is None:
        return say(
            "; at 45 or older the §18a residence permit (the first §18a title) needs proof of adequate pension "
            "provision at this wage: say so with --aged-45-or-over"
        )
    why = pension_proof(rules, aged_45_or_over, state.offered_wage, figures, decided_on)
    state.pension_proof_needed = english(why) if why else None
    return say("; for the §18a residence permit (the first §18a title): {why}", why=why) if why else None


def plus(said: Said, more: Said | None) -> Said:
    """A step's summary with what the wage check adds (the summary's own template unchanged)."""
    return said if more is None else say("{said}{more}", said=said, more=more)
