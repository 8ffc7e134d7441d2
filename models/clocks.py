"""The state of deadline clocks inside a case or journey: which clock, when due, how far
escalated. Kept apart from the policy (models/deadlines.py) so that the case's state can
hold them without an import cycle."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum

from pydantic import BaseModel


class ClockName(StrEnum):
    # The Welcome Center's own service levels
    CONSULTATION_FOLLOW_UP = "consultation_follow_up"
    CANDIDATE_SELECTION = "candidate_selection"
    CONTRACT = "contract"
    # Legal and administrative clocks
    RECOGNITION_RECEIPT = "recognition_receipt"
    RECOGNITION_DECISION = "recognition_decision"
    BA_CONSENT_FICTION = "ba_consent_fiction"
    VORABZUSTIMMUNG_VALIDITY = "vorabzustimmung_validity"
    EMBASSY_APPOINTMENT_81A = "embassy_appointment_81a"
    VISA_DECISION_81A = "visa_decision_81a"
    VISA_LAWSUIT = "visa_lawsuit"
    ANMELDUNG = "anmeldung"
    RESIDENCE_PERMIT_APPLICATION = "residence_permit_application"
    PERMIT_DECISION_BEFORE_VISA_EXPIRY = "permit_decision_before_visa_expiry"
    FIKTIONSBESCHEINIGUNG_VALIDITY = "fiktionsbescheinigung_validity"
    INTEGRATION_COURSE = "integration_course"
    RECOGNITION_AFTER_ENTRY = "recognition_after_entry"
    PROBATION = "probation"
    EMPLOYER_REPORT = "employer_report"


class Rung(IntEnum):
    """The escalation ladder of one clock; the number is the escalation level."""

    NONE = 0
    REMINDER = 1  # to the advisor, before the due date
    DUE = 2  # to the advisor, on the due date (or the statutory effect acts)
    TEAM_LEAD = 3  # after a grace period
    OPERATIONS = 4  # after a longer one


class DeadlineStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    LAPSED = "lapsed"  # the step did not happen in time and the clock ended (e.g. validity ran out)
    INTERRUPTED = "interrupted"  # stopped by the authority (BA asked for information); a new run may follow
    CLOSED = "closed"  # the journey or case ended first


class Deadline(BaseModel):
    clock: ClockName
    label: str
    basis: str
    started_on: date
    due_on: date
    # Scaled policy days (tests, demos) are counted from the instant the clock started:
    # a rung at local time T on date D fires at anchor + (D - anchor_date + T) policy days.
    # With real days a rung fires at T on D in Europe/Berlin.
    anchor: datetime
    anchor_date: date
    level: Rung = Rung.NONE
    status: DeadlineStatus = DeadlineStatus.RUNNING
    paused_on: date | None = None
    paused_days: int = 0  # days it stood still so far (counted into the due date on resuming)
    extended: bool = False
    # Bumped when the due date moves: the ladder starts again and its emails get new keys.
    generation: int = 1

    @property
    def open(self) -> bool:
        return self.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)


def next_due_on(deadlines: list[Deadline]) -> date | None:
    """The earliest due date among the open deadlines."""
    return min((d.due_on for d in deadlines if d.open), default=None)
