"""An email notification as the workflows queue it: role and key, never an address."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from models.said import Said


class RecipientRole(StrEnum):
    ADVISOR = "advisor"
    TEAM_LEAD = "team_lead"
    OPERATIONS = "operations"


class Notification(BaseModel):
    """An email to send once. The activity resolves the mailbox from the role,
    so no address is stored in the workflow history."""

    idempotency_key: str
    case_id: str
    recipient_role: RecipientRole
    advisor: str | None = None
    subject: str  # English, as the workflow wrote it: what is sent when ``content`` is None
    body: str
    content: EmailContent | None = None  # #16: written in the office's language when queued


class EmailContent(BaseModel):
    """What a workflow's email says, as data (#16): the workflow knows no language, so the
    email is written where it is queued (the records activity), in the office's language."""

    case_id: str
    about: str  # the case as recorded: employer, occupation, route
    journey: int | None = None
    candidate: str | None = None  # reference and country, e.g. "ANETI-1001 (TN)"
    action: str
    advisor: str
    from_stage: str | None = None
    to_stage: str
    what: Said | str
    note: str | None = None
    open_documents: list[str] = []
    outcome: str | None = None
    outcome_reason: str | None = None

    @classmethod
    def of(cls, event: Any, **about: Any) -> EmailContent:
        """From an audit event (a case's or a journey's) and what the email says about its case."""
        return cls(
            action=event.action,
            advisor=event.advisor,
            from_stage=event.from_stage.value if event.from_stage else None,
            to_stage=event.to_stage.value,
            what=event.says or event.summary,
            note=event.note,
            **about,
        )


Notification.model_rebuild()
