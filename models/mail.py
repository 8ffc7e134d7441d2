"""An email notification as the workflows queue it: role and key, never an address."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


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
    body: str  # empty with ``content``: the records activity writes it
    content: EmailContent | None = None  # #16: written in the office's language when queued


AGAIN = "/r"  # an event's email written again with new content after a repair: "<key>/r2"


def again_key(key: str, n: int) -> str:
    """The key of the ``n``-th email (n >= 2) under an event's ``key``: the reset run of a
    repair wrote the event again and its email says something new (activities/records.py)."""
    return f"{key}{AGAIN}{n}"


class EmailContent(BaseModel):
    """What a workflow's email says about its case, as data (#16). The workflow knows no
    language: the records activity writes the email from this and the event it records with
    it (action, advisor, stages, what happened, note), in the office's language."""

    about: str  # the case as recorded: employer, occupation, route
    journey: int | None = None
    candidate: str | None = None  # reference and country, e.g. "ANETI-1001 (TN)"
    open_documents: list[str] = []
    outcome: str | None = None
    outcome_reason: str | None = None


Notification.model_rebuild()
