"""What operations staff read in the Temporal Web UI: summaries and markdown details.

Only case ids, codes, company and occupation: never candidate personal data (the UI
shows these unencrypted). Used by the starter (static summary at start) and by the
workflows (current details on every change).
"""

from __future__ import annotations

from typing import Any

from models.case import CaseState, NewCase
from models.clocks import Deadline
from models.journey import JourneyInput, JourneyState

_LEVEL = ["", "reminded", "due", "escalated to team lead", "escalated to operations"]


def case_static_summary(case: NewCase) -> str:
    return f"{case.case_id} · {case.employer.name} · {case.occupation} · {case.route.label}"


# Markdown hard line break: a newline alone would run the lines together in the UI.
BR = "  \n"


def case_static_details(case: NewCase) -> str:
    return BR.join(
        [
            f"**Case** {case.case_id}",
            f"**Employer:** {case.employer.name}" + (f" ({case.employer.sector})" if case.employer.sector else ""),
            f"**Vacancy:** {case.occupation}, {case.positions} position(s)",
            f"**Route:** {case.route.label} · **Procedure:** {case.procedure.value}"
            + (f" · **Programme:** {case.origin_programme}" if case.origin_programme else ""),
            f"**Advisor:** {case.advisor}",
        ]
    )


def journey_static_summary(journey: JourneyInput) -> str:
    return (
        f"{journey.case_id} · journey {journey.number} · {journey.candidate.candidate_ref} "
        f"({journey.candidate.origin_country}) · {journey.occupation}"
    )


def journey_static_details(journey: JourneyInput) -> str:
    return BR.join(
        [
            f"**Case** {journey.case_id}, journey {journey.number}",
            f"**Candidate:** {journey.candidate.candidate_ref} from {journey.candidate.origin_country}",
            f"**Employer:** {journey.employer_name} · **Occupation:** {journey.occupation}",
            f"**Route:** {journey.route.label} · **Procedure:** {journey.procedure.value}",
        ]
    )


def _next_deadline(deadlines: list[Deadline]) -> str:
    open_ = [d for d in deadlines if d.open]
    if not open_:
        return "none"
    d = min(open_, key=lambda d: d.due_on)
    level = _LEVEL[d.level]
    return f"{d.due_on}: {d.label} ({d.basis})" + (f", **{level}**" if level else "")


def case_current_details(state: CaseState) -> str:
    lines = [
        f"**Stage:** {state.stage.value}" + (f" · **Outcome:** {state.outcome.value}" if state.outcome else ""),
        f"**Next deadline:** {_next_deadline(state.deadlines)}",
    ]
    text = BR.join(lines)
    if state.journeys:
        lines = ["", ""]
        lines.append("| Journey | Candidate | Country | Outcome |")
        lines.append("|---|---|---|---|")
        for j in state.journeys:
            lines.append(f"| {j.number} | {j.candidate_ref} | {j.origin_country} | {j.outcome or 'running'} |")
        text += "\n".join(lines)
    return text


def journey_current_details(state: JourneyState, open_documents: list[Any], next_steps: list[str]) -> str:
    lines = [
        f"**Stage:** {state.stage.value} · **Route:** {state.route.label} · **Procedure:** {state.procedure.value}"
        + (f" · **Outcome:** {state.outcome.value}" if state.outcome else ""),
        f"**Open milestones:** {', '.join(m.value for m in state.open_milestones) or 'none'}",
        f"**Open documents:** {', '.join(str(d) for d in open_documents) or 'none'}",
        f"**Next deadline:** {_next_deadline(state.deadlines)}",
    ]
    if next_steps:
        lines.append(f"**Next steps:** {', '.join(next_steps)}")
    return BR.join(lines)
