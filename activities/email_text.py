"""The workflows' emails in the office's language (#16 point 4): subject and plain-text body
from ``EmailContent``, written when the email is queued (``activities/records.py``)."""

from __future__ import annotations

from core.i18n import Text
from models.mail import EmailContent, Notification


def render_email(c: EmailContent, t: Text) -> tuple[str, str]:
    what = t.said(c.what)
    if c.journey is None:
        subject = f"[{c.case_id}] {what}"
        head = t("Case {case_id} ({about})", case_id=c.case_id, about=c.about)
    else:
        subject = f"[{c.case_id} / {(c.candidate or '').split(' ')[0]}] {what}"
        head = t(
            "Case {case_id}, journey {number}: candidate {candidate}, {about}",
            case_id=c.case_id,
            number=c.journey,
            candidate=c.candidate,
            about=c.about,
        )
    lines = [
        head,
        t("Action: {action} by {advisor}", action=c.action, advisor=c.advisor),
        t("Stage: {before} -> {after}", before=c.from_stage or "-", after=c.to_stage),
        t("What happened: {what}", what=what),
    ]
    if c.note:
        lines.append(t("Note: {note}", note=c.note))
    if c.open_documents:
        lines.append(t("Open documents: {documents}", documents=", ".join(c.open_documents)))
    if c.outcome:
        lines.append(t("Outcome: {outcome} ({reason})", outcome=c.outcome, reason=c.outcome_reason or ""))
    return subject[:180], "\n".join(lines)


def written(notification: Notification, t: Text) -> Notification:
    """The notification with its subject and body in ``t``'s language (as it is without content)."""
    if notification.content is None:
        return notification
    subject, body = render_email(notification.content, t)
    return notification.model_copy(update={"subject": subject, "body": body})
