"""Human-readable output of the starter: a case as an advisor reads it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.config import Settings
from models.berlin import BERLIN
from models.case import CaseState, workflow_id_for
from models.clocks import Deadline, DeadlineStatus
from models.journey import JourneyView

if TYPE_CHECKING:  # Babel is imported only when a status is rendered (the starter starts fast)
    from core.i18n import Text


def ui_link(settings: Settings, case_id: str) -> str:
    return (
        f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{settings.temporal_namespace}"
        f"/workflows/{workflow_id_for(case_id)}"
    )


def fmt_time(value: datetime | str | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else (value or "-")


def when(value: datetime, t: Text) -> str:
    """A moment as staff read it: the day in the office's format, the time in Hannover."""
    local = value.astimezone(BERLIN)
    return fmt_time(value) if t.language == "en" else f"{t.date(local.date())} {local:%H:%M}"


def render_status(
    state: CaseState,
    journeys: list[JourneyView],
    settings: Settings,
    undeliverable: list[dict[str, Any]] | None = None,
    records_unreadable: str | None = None,
) -> str:
    from core.i18n import Text

    t = Text(settings.language)
    s = state
    if s.outcome:
        state_line = t("closed, {outcome} ({reason})", outcome=s.outcome.value, reason=s.outcome_reason)
    else:
        state_line = t("open")
    employer = s.employer
    lines = [
        t("Case {case_id}   stage: {stage}   ({state})", case_id=s.case_id, stage=s.stage.value, state=state_line),
        t("  Employer:    {name}", name=employer.name)
        + (f" ({employer.sector})" if employer.sector else "")
        + (t(", contact {contact}", contact=employer.contact) if employer.contact else "")
        + (
            t(", has hired from abroad before")
            if employer.earlier_international_hires
            else (t(", first international hire") if employer.earlier_international_hires is False else "")
        ),
        t("  Vacancy:     {occupation}, {positions} position(s)", occupation=s.occupation, positions=s.positions)
        + (f", {s.qualification_level.value}" if s.qualification_level else "")
        + (t(", {wage} EUR gross/month", wage=s.monthly_gross_wage_eur) if s.monthly_gross_wage_eur else ""),
        *([t("  Wage check:  {finding}", finding=t.said(s.wage_check_says or s.wage_check))] if s.wage_check else []),
        t("  Route:       {route}, procedure: {procedure}", route=s.route.label, procedure=s.procedure.value)
        + (t(", programme: {programme}", programme=s.origin_programme) if s.origin_programme else ""),
        *([t("  Local ABH:   {abh}", abh=s.local_abh.label)] if s.local_abh else []),
        t("  Advisor:     {advisor}", advisor=s.advisor),
        t("  Opened:      {when}", when=when(s.opened_at, t))
        + (t("   closed: {when}", when=when(s.closed_at, t)) if s.closed_at else ""),
    ]
    if s.candidates and not s.journeys:
        lines.append(
            t(
                "  Candidates:  {candidates}",
                candidates=", ".join(f"{c.candidate_ref} ({c.origin_country})" for c in s.candidates),
            )
        )
    if s.journeys:
        placed = sum(1 for j in s.journeys if j.outcome == "placed")
        lines.append(
            t(
                "  Placed:      {placed} of {positions} position(s), {selected} candidate(s) selected",
                placed=placed,
                positions=s.positions,
                selected=len(s.journeys),
            )
        )
    lines += _deadline_lines(s.deadlines, "  ", t)
    for view in journeys:
        lines += _journey_lines(view, t)
    if undeliverable:
        lines.append(t("  Emails not delivered (resend with the command shown):"))
        for email in undeliverable:
            lines.append(f"    {email['idempotency_key']}  to {email['recipient_role']}: {email['subject']}")
            lines.append(t("      why: {why}", why=email["last_error"]))
            lines.append(f"      bin/starter resend-email '{email['idempotency_key']}' --advisor HANDLE")
    if records_unreadable:
        lines.append(t("  Emails:      not checked: {why}", why=records_unreadable))
    lines.append(t("  History:"))
    lines += _history(s.history, t)
    lines.append(t("  Web UI:      {link}", link=ui_link(settings, s.case_id)))
    return "\n".join(lines) + "\n"


def _journey_lines(view: JourneyView, t: Text) -> list[str]:
    j = view.state
    route = j.route.label + (
        t(" (was {route})", route=j.original_route.label) if j.route is not j.original_route else ""
    )
    done = f", {j.outcome.value}: {j.outcome_reason}" if j.outcome else ""
    lines = [
        "",
        t(
            "  Journey {number}: candidate {ref} ({country})   stage: {stage}",
            number=j.number,
            ref=j.candidate.candidate_ref,
            country=j.candidate.origin_country,
            stage=j.stage.value,
        )
        + done,
        t("    Route:          {route}", route=route),
    ]
    for m in view.milestones:
        # The definition's titles are in the catalogue (extracted as MilestoneSpec's second argument).
        lines.append(t("    Open:           {milestone}: {title}", milestone=m.milestone.value, title=t(m.title)))
        if m.open_documents:
            lines.append(
                t(
                    "                      documents missing: {documents}",
                    documents=", ".join(f"{d.value} ({d.german})" for d in m.open_documents),
                )
            )
        if m.next_steps:
            lines.append(t("                      next: {steps}", steps=", ".join(m.next_steps)))
    if view.open_documents:
        lines.append(t("    Open documents: {documents}", documents=", ".join(d.value for d in view.open_documents)))
    if j.documents:
        received = ", ".join(f"{d.code.value} ({t.date(d.received_on)})" for d in j.documents)
        lines.append(t("    Documents:      {documents}", documents=received))
    if view.next_steps:
        lines.append(t("    Next steps:     {steps}", steps=", ".join(view.next_steps)))
    lines += _deadline_lines(j.deadlines, "    ", t)
    lines.append(t("    History:"))
    lines += ["  " + line for line in _history(j.history, t)]
    return lines


def _levels(t: Text) -> list[str]:
    return ["", t(", reminded"), t(", due"), t(", escalated to the team lead"), t(", escalated to operations")]


def _deadline_lines(deadlines: list[Deadline], indent: str, t: Text) -> list[str]:
    """Open clocks: what is due when, on which legal basis, how far escalated."""
    lines = []
    for d in deadlines:
        if not d.open:
            continue
        paused = t(" (paused)") if d.status is DeadlineStatus.PAUSED else ""
        level = _levels(t)[d.level]
        due = t.date(d.due_on)
        lines.append(
            indent + t("Deadline:    {due}{paused}{level}: {label} [{basis}]", due=due, paused=paused, level=level,
                       label=t(d.label), basis=d.basis)
        )  # fmt: skip
    return lines


def _history(events: list[Any], t: Text) -> list[str]:
    lines = []
    for e in events:
        summary = t.said(e.says) if getattr(e, "says", None) else e.summary
        lines.append(f"    {e.seq:>3}  {when(e.occurred_at, t)}  {e.advisor:<12} {summary}")
        if e.note:
            lines.append(t("         note: {note}", note=e.note))
        elif getattr(e, "note_in_records", False):
            lines.append(t("         note: kept in the records database (journey_events)"))
    return lines
