"""The weekly digest (#16 point 2): what an advisor has on their plate, at a glance.

Per advisor: every open deadline of the next two weeks, everything overdue, and the cases
with no activity for 30 days, each with its case id and the next step. Team leads also
get everything escalated to them or further (one team here: the whole office). Sent on
Monday 07:30 Europe/Berlin by the ``weekly-digest`` Schedule, once per ISO week and
person (the email's key is ``digest/<handle>/<week>``); ``bin/starter digest`` prints it.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from models.said import Said

SEND_WEEKLY_DIGESTS = "send_weekly_digests"
DIGEST_CASE_ID = "digest"  # the outbox row's case column: a digest belongs to no one case
AHEAD_DAYS = 14
QUIET_DAYS = 30


class DigestItem(BaseModel):
    case_id: str
    where: str  # "case" or "journey 2"
    what: str | Said  # the deadline's label, or why the case is listed (rendered in the office's language)
    due_on: date | None = None
    basis: str | None = None
    next_step: str | None = None


class Digest(BaseModel):
    handle: str
    role: str
    week: str  # ISO week, e.g. 2026-W48
    as_of: date
    overdue: list[DigestItem] = []
    due_soon: list[DigestItem] = []
    quiet: list[DigestItem] = []
    escalated: list[DigestItem] = []  # team leads only
    renewals: list[DigestItem] = []  # residence permits ending (records/renewals.py, #24)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.quiet or self.escalated or self.renewals)


class WeeklyDigestInput(BaseModel):
    week: str | None = None  # default: the ISO week of the run, in Europe/Berlin


class WeeklyDigestResult(BaseModel):
    sent: list[str]  # the emails' keys (one per person with something to report)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(handle: str, week: str) -> str:
    return f"digest/{handle}/{week}"
