"""The workflows' emails in the office's language (#16 point 4): subject and plain-text body
from the recorded event and the notification's ``EmailContent``, written when the email is
queued (``activities/records.py``), so the outbox holds what is sent."""

from __future__ import annotations

from typing import Any

from core.i18n import Text
from models.mail import EmailContent, Notification


def render_email(case_id: str, event: Any, c: EmailContent, t: Text) -> tuple[str, str]:
    """``event``: the case's or the journey's audit event the email tells of."""
    what = t.said(event.says or event.summary)
    if c.journey is None:
        subject = f"[{case_id}] {what}"
        head = t("Case {case_id} ({about})", case_id=case_id, about=c.about)
    else:
        subject = f"[{case_id} / {(c.candidate or '').split(' ')[0]}] {what}"
        head = t(
            "Case {case_id}, journey {number}: candidate {candidate}, {about}",
            case_id=case_id,
            number=c.journey,
            candidate=c.candidate,
            about=c.about,
        )
    before = event.from_stage.value if event.from_stage else "-"
    lines = [
        head,
        t("Action: {action} by {advisor}", action=event.action, advisor=event.advisor),
        t("Stage: {before} -> {after}", before=before, after=event.to_stage.value),
        t("What happened: {what}", what=what),
    ]
    if event.note:
        lines.append(t("Note: {note}", note=event.note))
    if c.open_documents:
        lines.append(t("Open documents: {documents}", documents=", ".join(c.open_documents)))
    if c.outcome:
        lines.append(t("Outcome: {outcome} ({reason})", outcome=c.outcome, reason=c.outcome_reason or ""))
    return one_line(subject)[:180], "\n".join(lines)


def one_line(text: str) -> str:
    """A header value from data (a reason's note may hold line breaks): every run of white
    space one space, so the header cannot be split or refused (#26 point 4)."""
    return " ".join(text.split())


def written(notification: Notification, event: Any, t: Text) -> Notification:
    """The notification with its subject and body in ``t``'s language (as it is without content)."""
    if notification.content is None:
        return notification
    subject, body = render_email(notification.case_id, event, notification.content, t)
    return notification.model_copy(update={"subject": subject, "body": body})
