"""The weekly digest: collected from the cases themselves (visibility, then each case's and
journey's status query), queued in the outbox once per person and ISO week (#16 point 2).

``collect`` is shared by the ``weekly-digest`` Schedule's activity and ``bin/starter
digest``; the digest email is delivered like every other, by ``deliver_notification``.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import Client

from core import search_attributes as sa
from core.advisor_cases import advisor_cases, reopened_journeys
from core.config import Settings
from core.i18n import Text
from models import staff
from models.berlin import local_date
from models.clocks import Deadline, Rung
from models.digest import (
    AHEAD_DAYS,
    DIGEST_CASE_ID,
    QUIET_DAYS,
    SEND_WEEKLY_DIGESTS,
    Digest,
    DigestItem,
    digest_key,
    iso_week,
)
from models.mail import Notification, RecipientRole
from models.said import Said, say

log = structlog.get_logger(__name__)

# The template of a rung that lay before an import (workflows/deadlines.past_rung_summary): the
# import records it so the history is whole; nobody acted, so it is no activity (#24).
BEFORE_THE_IMPORT = "Before the import (not sent): {rung}"


def is_activity(event: Any) -> bool:
    """Whether a history entry is something that happened, not a reminder never sent."""
    says = getattr(event, "says", None)
    return not (isinstance(says, Said) and says.text == BEFORE_THE_IMPORT)


def quiet_since(events: list[Any], today: date) -> date | None:
    """The Hannover day of a case's last activity when that is more than QUIET_DAYS ago (an
    imported date is 00:00 in Berlin, the day before in UTC), else None."""
    moments = [e.occurred_at for e in events if is_activity(e)]
    if not moments:
        return None
    last = local_date(max(moments))
    return last if last < today - timedelta(days=QUIET_DAYS) else None


def renewals(engine: Engine, handle: str, today: date) -> list[DigestItem]:
    """The advisor's residence permits to renew (records/renewals.py): the journey has often
    ended, so the records database answers, not the workflows."""
    from records.renewals import BASIS, permits_ending

    return [
        DigestItem(
            case_id=p.case_id,
            where=f"journey {p.number}",
            what=say("residence permit ends: its renewal at the Ausländerbehörde, applied for before then")
            if p.valid_until >= today
            else say("residence permit ended: apply at once; the ABH may keep the title in force (§81(4) S.3)"),
            due_on=p.valid_until,
            basis=BASIS,
        )
        for p in permits_ending(engine, handle, today)
    ]


async def collect(
    client: Client, settings: Settings, handle: str, role: str, today: date, engine: Engine | None = None
) -> Digest:
    digest = Digest(handle=handle, role=role, week=iso_week(today), as_of=today)
    if engine is not None:
        digest.renewals = await asyncio.to_thread(renewals, engine, handle, today)
    seen: set[str] = set()
    async for case in advisor_cases(client, settings, handle):
        state = case.state
        seen.add(state.case_id)
        parts: list[tuple[str, list[Deadline], str | None]] = [("case", state.deadlines, None)]
        parts += [
            (f"journey {summary.number}", view.state.deadlines, view.next_steps[0] if view.next_steps else None)
            for summary, view in case.journeys
        ]
        events = [*state.history, *(e for _, view in case.journeys for e in view.state.history)]
        for where, deadlines, next_step in parts:
            for d in deadlines:
                if d.open:
                    _sort_in(digest, _item(state.case_id, where, d, next_step), today)
        if (since := quiet_since(events, today)) is not None:
            open_next = next((step for _, _, step in parts if step), None)
            digest.quiet.append(
                DigestItem(
                    case_id=state.case_id,
                    where="case",
                    what=say("no activity since {day}", day=since),
                    next_step=open_next,
                )
            )
    async for view in reopened_journeys(client, settings, handle, seen):
        step = view.next_steps[0] if view.next_steps else None
        for d in (d for d in view.state.deadlines if d.open):
            _sort_in(digest, _item(view.state.case_id, f"journey {view.state.number}", d, step), today)
    if role == staff.Role.TEAM_LEAD:
        running = f"TaskQueue = '{settings.task_queue}' AND ExecutionStatus = 'Running'"
        escalated = f"{sa.ESCALATION_LEVEL.name} >= {int(Rung.TEAM_LEAD)} AND {running}"
        async for wf in client.list_workflows(escalated):
            attrs = wf.typed_search_attributes
            due = attrs.get(sa.NEXT_DEADLINE)
            digest.escalated.append(
                DigestItem(
                    case_id=attrs.get(sa.CASE_ID) or wf.id,
                    where="journey" if wf.workflow_type == "JourneyWorkflow" else "case",
                    what=say("escalation level {level}", level=attrs.get(sa.ESCALATION_LEVEL) or 0),
                    due_on=due.date() if due else None,
                )
            )
    for items in (digest.overdue, digest.due_soon, digest.escalated):
        items.sort(key=lambda i: (i.due_on or date.max, i.case_id, i.where))
    return digest


def _item(case_id: str, where: str, d: Deadline, next_step: str | None) -> DigestItem:
    return DigestItem(
        case_id=case_id,
        where=where,
        what=Said(text=d.label),  # the policy's label: in the catalogue (core/i18n_extract.py)
        due_on=d.due_on,
        basis=d.basis,
        next_step=next_step,
    )


def _sort_in(digest: Digest, item: DigestItem, today: date) -> None:
    """Overdue, or due within the next two weeks; later deadlines wait for their week."""
    due = item.due_on or date.max
    if due < today:
        digest.overdue.append(item)
    elif due <= today + timedelta(days=AHEAD_DAYS):
        digest.due_soon.append(item)


class DigestActivities:
    def __init__(self, client: Client, settings: Settings, engine: Engine) -> None:
        self._client = client
        self._settings = settings
        self._engine = engine

    @activity.defn(name=SEND_WEEKLY_DIGESTS)
    async def send_weekly_digests(self, week: str) -> list[str]:
        """Queue this week's digest of every advisor and team lead with something in it.
        Idempotent: the outbox row's key is the person and the ISO week."""
        members = staff.load_staff(self._settings.staff_file).staff
        today = _monday_of(week)
        keys = []
        for member in members:
            if member.role not in (staff.Role.ADVISOR, staff.Role.TEAM_LEAD):
                continue
            digest = await collect(self._client, self._settings, member.handle, member.role.value, today, self._engine)
            if digest.empty:
                continue
            subject, body = render(digest, Text(self._settings.language))
            role = RecipientRole.TEAM_LEAD if member.role == staff.Role.TEAM_LEAD else RecipientRole.ADVISOR
            notification = Notification(
                idempotency_key=digest_key(member.handle, week),
                case_id=DIGEST_CASE_ID,
                recipient_role=role,
                advisor=member.handle if role == RecipientRole.ADVISOR else None,
                subject=subject,
                body=body,
            )
            await asyncio.to_thread(self._queue, notification)
            keys.append(notification.idempotency_key)
        log.info("weekly digests queued", week=week, count=len(keys))
        return keys

    def _queue(self, notification: Notification) -> None:
        from records.database import insert_ignoring_duplicates
        from records.outbox import outbox_row
        from records.schema import notifications

        with self._engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(self._engine, notifications).values(**outbox_row(notification)))


def _monday_of(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def render(digest: Digest, t: Text) -> tuple[str, str]:
    """Subject and plain-text body, in ``t``'s language."""
    counts = t(
        "{overdue} overdue, {soon} due within {days} days",
        overdue=len(digest.overdue),
        soon=len(digest.due_soon),
        days=AHEAD_DAYS,
    )
    subject = t(
        "Welcome Center weekly digest {week} for {handle}: {counts}",
        week=digest.week,
        handle=digest.handle,
        counts=counts,
    )
    lines = [
        t(
            "Weekly digest {week} for {handle} (as of {day})",
            week=digest.week,
            handle=digest.handle,
            day=t.date(digest.as_of),
        ),
        "",
    ]

    def section(title: str, items: list[DigestItem]) -> None:
        lines.append(f"{title} ({len(items)})")
        if not items:
            lines.append("  " + t("none"))
        for item in items:
            where = (
                t("case")
                if item.where == "case"
                else t("journey {number}", number=item.where.removeprefix("journey ").strip())
            )
            due = t("due {day}: ", day=t.date(item.due_on)) if item.due_on else ""
            basis = f" [{t(item.basis)}]" if item.basis else ""
            lines.append(f"  {item.case_id} {where}: {due}{t.said(item.what)}{basis}")
            if item.next_step:
                lines.append("    " + t("next: {step}", step=item.next_step))
        lines.append("")

    section(t("Overdue"), digest.overdue)
    section(t("Due within {days} days", days=AHEAD_DAYS), digest.due_soon)
    section(t("No activity for {days} days", days=QUIET_DAYS), digest.quiet)
    if digest.role == "team_lead":
        section(t("Escalated to the team lead or further"), digest.escalated)
    if digest.renewals:
        section(t("Residence permits to renew"), digest.renewals)
    lines.append(t("Details of a case: bin/starter status CASE_ID"))
    return subject[:200], "\n".join(lines) + "\n"
