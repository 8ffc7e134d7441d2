"""Human-readable output of the starter: a case as an advisor reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.config import Settings
from models.case import CaseState, workflow_id_for
from models.clocks import Deadline, DeadlineStatus
from models.journey import JourneyView


def ui_link(settings: Settings, case_id: str) -> str:
    return (
        f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{settings.temporal_namespace}"
        f"/workflows/{workflow_id_for(case_id)}"
    )


def fmt_time(value: datetime | str | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else (value or "-")


def render_status(
    state: CaseState,
    journeys: list[JourneyView],
    settings: Settings,
    undeliverable: list[dict[str, Any]] | None = None,
    records_unreadable: str | None = None,
) -> str:
    s = state
    state_line = f"closed, {s.outcome.value} ({s.outcome_reason})" if s.outcome else "open"
    employer = s.employer
    lines = [
        f"Case {s.case_id}   stage: {s.stage.value}   ({state_line})",
        f"  Employer:    {employer.name}"
        + (f" ({employer.sector})" if employer.sector else "")
        + (f", contact {employer.contact}" if employer.contact else "")
        + (
            ", has hired from abroad before"
            if employer.earlier_international_hires
            else (", first international hire" if employer.earlier_international_hires is False else "")
        ),
        f"  Vacancy:     {s.occupation}, {s.positions} position(s)"
        + (f", {s.qualification_level.value}" if s.qualification_level else "")
        + (f", {s.monthly_gross_wage_eur} EUR gross/month" if s.monthly_gross_wage_eur else ""),
        *([f"  Wage check:  {s.wage_check}"] if s.wage_check else []),
        f"  Route:       {s.route.label}, procedure: {s.procedure.value}"
        + (f", programme: {s.origin_programme}" if s.origin_programme else ""),
        f"  Advisor:     {s.advisor}",
        f"  Opened:      {fmt_time(s.opened_at)}" + (f"   closed: {fmt_time(s.closed_at)}" if s.closed_at else ""),
    ]
    if s.candidates and not s.journeys:
        lines.append("  Candidates:  " + ", ".join(f"{c.candidate_ref} ({c.origin_country})" for c in s.candidates))
    if s.journeys:
        placed = sum(1 for j in s.journeys if j.outcome == "placed")
        lines.append(f"  Placed:      {placed} of {s.positions} position(s), {len(s.journeys)} candidate(s) selected")
    lines += _deadline_lines(s.deadlines, indent="  ")
    for view in journeys:
        lines += _journey_lines(view)
    if undeliverable:
        lines.append("  Emails not delivered (resend with the command shown):")
        for email in undeliverable:
            lines.append(f"    {email['idempotency_key']}  to {email['recipient_role']}: {email['subject']}")
            lines.append(f"      why: {email['last_error']}")
            lines.append(f"      bin/starter resend-email '{email['idempotency_key']}' --advisor HANDLE")
    if records_unreadable:
        lines.append(f"  Emails:      not checked: {records_unreadable}")
    lines.append("  History:")
    lines += _history(s.history)
    lines.append(f"  Web UI:      {ui_link(settings, s.case_id)}")
    return "\n".join(lines) + "\n"


def _journey_lines(view: JourneyView) -> list[str]:
    j = view.state
    route = j.route.label + (f" (was {j.original_route.label})" if j.route is not j.original_route else "")
    done = f", {j.outcome.value}: {j.outcome_reason}" if j.outcome else ""
    lines = [
        "",
        f"  Journey {j.number}: candidate {j.candidate.candidate_ref} ({j.candidate.origin_country})"
        f"   stage: {j.stage.value}{done}",
        f"    Route:          {route}",
    ]
    for m in view.milestones:
        lines.append(f"    Open:           {m.milestone.value}: {m.title}")
        if m.open_documents:
            lines.append(
                "                      documents missing: "
                + ", ".join(f"{d.value} ({d.german})" for d in m.open_documents)
            )
        if m.next_steps:
            lines.append("                      next: " + ", ".join(m.next_steps))
    if view.open_documents:
        lines.append("    Open documents: " + ", ".join(d.value for d in view.open_documents))
    if j.documents:
        lines.append("    Documents:      " + ", ".join(f"{d.code.value} ({d.received_on})" for d in j.documents))
    if view.next_steps:
        lines.append("    Next steps:     " + ", ".join(view.next_steps))
    lines += _deadline_lines(j.deadlines, indent="    ")
    lines.append("    History:")
    lines += ["  " + line for line in _history(j.history)]
    return lines


_LEVELS = ["", ", reminded", ", due", ", escalated to the team lead", ", escalated to operations"]


def _deadline_lines(deadlines: list[Deadline], indent: str) -> list[str]:
    """Open clocks: what is due when, on which legal basis, how far escalated."""
    lines = []
    for d in deadlines:
        if not d.open:
            continue
        paused = " (paused)" if d.status is DeadlineStatus.PAUSED else ""
        lines.append(f"{indent}Deadline:    {d.due_on}{paused}{_LEVELS[d.level]}: {d.label} [{d.basis}]")
    return lines


def _history(events: list[Any]) -> list[str]:
    lines = []
    for e in events:
        lines.append(f"    {e.seq:>3}  {fmt_time(e.occurred_at)}  {e.advisor:<12} {e.summary}")
        if e.note:
            lines.append(f"         note: {e.note}")
        elif getattr(e, "note_in_records", False):
            lines.append("         note: kept in the records database (journey_events)")
    return lines
