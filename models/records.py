"""Inputs of the I/O activities: what the workflow hands to the database and the mailer."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from models.case import CaseEvent, CaseState
from models.journey import JourneyEvent, JourneyState


class CaseTransitionRecord(BaseModel):
    """The case snapshot after one event, written together with that event."""

    case: CaseState
    event: CaseEvent


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


# Activity names: workflows call activities by name so that workflow modules never
# import the database or SMTP code into the sandbox.
RECORD_CASE_TRANSITION = "record_case_transition"
SEND_NOTIFICATION = "send_notification"


class JourneyTransitionRecord(BaseModel):
    """The journey snapshot after one event, written together with that event."""

    journey: JourneyState
    event: JourneyEvent


RECORD_JOURNEY_TRANSITION = "record_journey_transition"

LOAD_DEADLINE_POLICY = "load_deadline_policy"
