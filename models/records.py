"""Inputs of the I/O activities: what the workflow hands to the database and the mailer.

Each input carries what its activity writes and no more (#12): one event, the row the
records table mirrors after it, and the email it queues. History then grows with the
number of transitions, not with their square. Records scheduled by histories from
before that change carry the whole state (``case`` / ``journey``) and still load.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from models.case import AdvisorHandle, CaseEvent, CaseState
from models.journey import JourneyEvent, JourneyState
from models.mail import Notification

ERASED = "(erased)"  # what the records keep of erased text, and what a sealed value reads once its key is gone


class CaseRow(BaseModel):
    """The ``cases`` row after an event: codes, dates, no personal data."""

    case_id: str
    stage: str
    advisor: str
    employer_name: str
    occupation: str
    route: str
    procedure: str
    positions: int
    origin_countries: str
    outcome: str | None
    outcome_reason: str | None
    opened_at: datetime
    closed_at: datetime | None
    next_due_on: date | None


class JourneyRow(BaseModel):
    """The ``journeys`` row after an event."""

    journey_id: str
    case_id: str
    number: int
    candidate_ref: str
    origin_country: str
    occupation: str
    route: str
    procedure: str
    stage: str
    outcome: str | None
    outcome_reason: str | None
    started_at: datetime
    finished_at: datetime | None
    arrived_on: date | None
    documents: str
    next_due_on: date | None
    probation_passed_on: date | None = None  # #24: rows written before it have none
    permit_valid_until: date | None = None  # #24: the residence permit's end (its renewal)
    employment_ended_on: date | None = None  # #24: no renewal once the employment ended


class CaseTransitionRecord(BaseModel):
    """One case event, the case row after it and the email it queues, in one transaction."""

    event: CaseEvent
    row: CaseRow | None = None
    notification: Notification | None = None
    case: CaseState | None = None  # scheduled before #12: the whole state

    def snapshot(self) -> dict[str, Any]:
        if self.row is not None:
            return self.row.model_dump()
        assert self.case is not None, "a case record carries its row"
        return self.case.summary_fields()


class JourneyTransitionRecord(BaseModel):
    """One journey event, the journey row after it and the email it queues."""

    event: JourneyEvent
    row: JourneyRow | None = None
    notification: Notification | None = None
    journey: JourneyState | None = None  # scheduled before #12: the whole state

    def snapshot(self) -> dict[str, Any]:
        if self.row is not None:
            return self.row.model_dump()
        assert self.journey is not None, "a journey record carries its row"
        return self.journey.summary_fields()


class NotificationKey(BaseModel):
    """Which queued email to deliver: the outbox row holds the rest."""

    idempotency_key: str


class UndeliverableNotification(BaseModel):
    """An email given up on: the outbox row is marked with the reason."""

    idempotency_key: str
    case_id: str
    subject: str
    reason: str


# Activity names: workflows call activities by name so that workflow modules never
# import the database or SMTP code into the sandbox.
RECORD_CASE_TRANSITION = "record_case_transition"
RECORD_JOURNEY_TRANSITION = "record_journey_transition"
# A record written as a local activity has the id record-<event seq>: its marker keeps no
# input, and the repair (starter/repair.py) finds the discarded events by it.
LOCAL_RECORD_ID_PREFIX = "record-"
SEND_NOTIFICATION = "send_notification"  # before #12: queue and send in one (kept for running histories)
DELIVER_NOTIFICATION = "deliver_notification"
MARK_NOTIFICATION_UNDELIVERABLE = "mark_notification_undeliverable"
LOAD_DEADLINE_POLICY = "load_deadline_policy"


class ResendEmail(BaseModel):
    """Operations ask for one more delivery of an undeliverable email."""

    advisor: AdvisorHandle = Field(description="Handle of whoever asks for the resend")


class RepairWorkflow(BaseModel):
    """Operations repair a workflow whose history no longer replays (starter/repair.py)."""

    advisor: AdvisorHandle = Field(description="Handle of whoever repairs, for the reset's reason")
    workflow_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", description="e.g. case-WC-0123456789-j1")


class EmailResult(BaseModel):
    idempotency_key: str
    outcome: str  # "sent" (now or before)


class ErasureRequest(BaseModel):
    """Erase one closed case (the retention Schedule; erase-case runs the same steps)."""

    case_id: str
    erased_by: str
    basis: str


class RetentionInput(BaseModel):
    # Defaults: the policy's retention period before now. Given: a narrower manual run (only
    # these cases; only cases closed before an earlier cutoff); never a later cutoff (#25).
    erase_closed_before: datetime | None = None
    case_ids: list[str] | None = None


class RetentionResult(BaseModel):
    erased: list[str]


class StuckWorkflow(BaseModel):
    """A running workflow whose pending workflow task keeps failing (#26 point 6): ids and counts."""

    workflow_id: str
    workflow_type: str
    case_id: str | None = None
    attempts: int
    alarm_run_id: str = ""  # the alarm's run: the key of its one email


class StuckWatchInput(BaseModel):
    min_attempts: int = Field(default=3, ge=2)
    check_every_seconds: float = Field(default=300.0, gt=0)
    only_workflow_ids: list[str] | None = None  # a narrower run (tests, operations): only these


class StuckAlarmInput(BaseModel):
    stuck: StuckWorkflow
    check_every_seconds: float = 300.0
    min_attempts: int = 3


class StuckAlarmResult(BaseModel):
    workflow_id: str
    outcome: str


FIND_STUCK_WORKFLOWS = "find_stuck_workflows"
STILL_STUCK = "still_stuck"
QUEUE_STUCK_ALARM_EMAIL = "queue_stuck_alarm_email"

CASES_DUE_FOR_ERASURE = "cases_due_for_erasure"
ERASE_CLOSED_CASE = "erase_closed_case"
