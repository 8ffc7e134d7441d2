"""The conditions the process definition names: for which journeys a milestone applies, and
when a clock operation happens. They read the route table (models/routes.py), so a route's
knowledge stays in its row.
"""

from __future__ import annotations

from models.case import Procedure
from models.clocks import ClockName
from models.journey import JourneyState
from models.routes import AfterEntry, Qualification
from process.spec import Context

C = ClockName


def process_version_at_milestone(state: JourneyState, current: int) -> int:
    """The process version a running journey moves to when a milestone is done
    (core/versions.py): the current one, unless its route's milestones differ between
    versions (models/routes.py): then it keeps its own, as its open milestones would not fit."""
    if state.original_route.rules.version_bound or state.route.rules.version_bound:
        return state.process_version
    return max(state.process_version, current)


def _qualification(state: JourneyState) -> Qualification:
    return state.original_route.rules.qualification_at(state.process_version)


def needs_recognition(state: JourneyState) -> bool:
    """§18a; §18b and §18g for regulated professions (recognition before the visa)"""
    shown_by = _qualification(state)
    return shown_by is Qualification.RECOGNITION or (
        shown_by is Qualification.DEGREE and bool(state.regulated_profession)
    )


def integration_course_entitlement(state: JourneyState) -> bool:
    """the routes with an entitlement (§44(1) S.1 Nr.1a AufenthG: §§18a-18d, 18g, 19c); all before v3"""
    return state.route.rules.integration_course_at(state.process_version)


def entitled_to_the_integration_course(ctx: Context) -> bool:
    return integration_course_entitlement(ctx.state)


def needs_comparability(state: JourneyState) -> bool:
    """§18b and §18g for non-regulated professions (anabin or ZAB)"""
    return _qualification(state) is Qualification.DEGREE and not state.regulated_profession


def needs_experience(state: JourneyState) -> bool:
    """§19c(2) with §6 BeschV"""
    return _qualification(state) is Qualification.EXPERIENCE


def needs_follow_up_recognition(state: JourneyState) -> bool:
    """§16d(1), §16d(3): full recognition in Germany, then §18a (decided: the route is §18a now)"""
    return state.route.rules.after_entry_at(state.process_version) is not None or state.follow_up_decided_on is not None


def partnership(ctx: Context) -> bool:
    return ctx.state.route.rules.after_entry_at(ctx.state.process_version) is AfterEntry.PARTNERSHIP


def needs_ba_consent(state: JourneyState) -> bool:
    """every route but a Blue Card at the general threshold (§18g(1) S.1)"""
    return state.ba_consent_required


def accelerated(state: JourneyState) -> bool:
    """§81a procedure only"""
    return state.procedure is Procedure.ACCELERATED_81A


def fiction_applies(ctx: Context) -> bool:
    """§36(2) BeschV: the policy names the request paths on which the fiction runs."""
    request = ctx.state.ba_request
    paths = (
        ctx.policy.clocks[C.BA_CONSENT_FICTION].applies_to_paths if C.BA_CONSENT_FICTION in ctx.policy.clocks else []
    )
    return request is not None and (paths is None or request.path in paths)


def in_81a(ctx: Context) -> bool:
    return accelerated(ctx.state)


def on_probation(ctx: Context) -> bool:
    """Working, probation not yet passed (an imported journey: its probation clock runs)."""
    return ctx.state.job_started_on is not None and ctx.state.probation_passed_on is None


def arrived_on_the_visa(ctx: Context) -> bool:
    """Arrived, the visa's validity known, no permit yet (an imported journey: the permit
    application's clock)."""
    s = ctx.state
    return s.arrived_on is not None and s.visa_valid_until is not None and s.permit_decided_on is None


def course_after_an_imported_permit(ctx: Context) -> bool:
    """The permit's date in the file, the route entitled (the course's entitlement lapses a year on)."""
    return ctx.state.permit_decided_on is not None and integration_course_entitlement(ctx.state)


def complete_documents_known(ctx: Context) -> bool:
    return ctx.action.complete_on is not None


def applied_before_visa_expiry(ctx: Context) -> bool:
    s = ctx.state
    return (
        s.visa_valid_until is not None and s.permit_applied_on is not None and s.permit_applied_on <= s.visa_valid_until
    )
