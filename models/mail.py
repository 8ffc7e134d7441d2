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
    subject: str
    body: str
