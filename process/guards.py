"""The guards of the journey's actions: what must hold, the refusal when it does not, and its
basis. ``process/definition.py`` names them per action; the engine refuses with their text
and offers an action as a next step only while all of its guards hold, so each condition
is stated once (docs/advisors.md lists them, generated).
"""

from __future__ import annotations

from models.clocks import ClockName, DeadlineStatus
from models.journey import JourneyState, Milestone
from process.spec import Guard

PROCESS = "process order"  # no paragraph: the order of the office's own steps


def _decision_clock(state: JourneyState, status: DeadlineStatus) -> bool:
    clock = state.open_deadline(ClockName.RECOGNITION_DECISION)
    return clock is not None and clock.status is status


def _visa_not_applied(state: JourneyState) -> bool:
    return state.visa_applied_on is None


def _ba_waiting(state: JourneyState) -> bool:
    return state.ba_request is not None


def _ba_question_open(state: JourneyState) -> bool:
    r = state.ba_request
    return r is not None and r.information_requested_on is not None and r.answers_received_on is None


# --- recognition ---------------------------------------------------------------------------------

RECOGNITION_NOT_APPLIED = Guard(
    lambda s: s.recognition_applied_on is None,
    "applied_on: the recognition was applied for on {recognition_applied_on} already",
    PROCESS,
)
RECOGNITION_APPLIED = Guard(
    lambda s: s.recognition_applied_on is not None,
    "{name}: record the application first (apply-for-recognition)",
    PROCESS,
)
RECEIPT_UNCONFIRMED = Guard(
    lambda s: s.recognition_receipt_on is None,
    "confirmed_on: receipt was confirmed on {recognition_receipt_on} already",
    "§6(1) BQFG: the body confirms receipt once",
)
DOCUMENTS_NOT_YET_COMPLETE = Guard(
    lambda s: s.recognition_complete_on is None,
    "complete_on: the documents were complete on {recognition_complete_on} already",
    "§6(3) BQFG: the decision period runs from the complete documents",
)
DECISION_PERIOD_RUNNING = Guard(
    lambda s: _decision_clock(s, DeadlineStatus.RUNNING),
    "{name}: the decision period is not running (documents complete? paused?)",
    "§6(3) BQFG; §14a BQFG in the §81a procedure",
)
DECISION_PERIOD_PAUSED = Guard(
    lambda s: _decision_clock(s, DeadlineStatus.PAUSED) and s.recognition_paused_on is not None,
    "resume_recognition_clock: the decision period is not paused",
    PROCESS,
)
DECISION_PERIOD_NOT_EXTENDED = Guard(
    lambda s: not (clock := s.open_deadline(ClockName.RECOGNITION_DECISION)) or not clock.extended,
    "extend_recognition_clock: the decision period can be extended only once (§6(3) BQFG)",
    "§6(3) S.2 BQFG: extendable once",
)

# --- BA consent ----------------------------------------------------------------------------------

BA_NOT_REQUESTED = Guard(
    lambda s: s.ba_request is None,
    "requested_on: the BA was asked on {ba_requested_on} and has not decided yet",
    PROCESS,
)
BA_WAITING = Guard(
    _ba_waiting,
    "ba_information_requested: no request is waiting at the BA",
    PROCESS,
)
BA_REQUESTED = Guard(
    _ba_waiting,
    "record_ba_decision: record the request to the BA first (request-ba-consent)",
    PROCESS,
)
BA_NO_OPEN_QUESTION = Guard(
    lambda s: not _ba_question_open(s),
    "asked_on: the BA's question of {ba_question_asked_on} is still unanswered",
    "§36(2) BeschV: a question stops the consent fiction until the answers arrive",
)
FICTION_RUNS = Guard(
    lambda s: s.ba_request is not None and not _ba_question_open(s),
    "ba_consent_deemed: no request runs the consent fiction",
    "§36(2) BeschV",
)
BA_QUESTION_OPEN = Guard(_ba_question_open, "ba_answers_sent: the BA has no open question", PROCESS)

# --- visa ----------------------------------------------------------------------------------------

VISA_NOT_APPLIED = Guard(
    _visa_not_applied,
    "applied_on: the visa was applied for on {visa_applied_on} already; wait for the decision",
    PROCESS,
)
NO_APPOINTMENT_AFTER_APPLICATION = Guard(
    _visa_not_applied,
    "appointment_on: the visa was applied for on {visa_applied_on} already; wait for the decision",
    PROCESS,
)
VORABZUSTIMMUNG_NOT_USED = Guard(
    _visa_not_applied,
    "vorabzustimmung_expired: the visa was applied for on {visa_applied_on}, within its validity; a "
    "decision after the validity is fine",
    "§81a(3) AufenthG: the visa application within the Vorabzustimmung's validity",
)
NO_VISA_APPLICATION_RUNNING = Guard(
    lambda s: Milestone.VISA not in s.open_milestones,
    "new_visa_application: a visa application is running already",
    PROCESS,
)
REFUSAL_NOT_CONTESTED = Guard(
    lambda s: (
        s.visa_refusal_notified_on is not None
        and Milestone.VISA_LAWSUIT not in s.open_milestones
        and (s.lawsuit_filed_on is None or s.visa_refused_on is None or s.lawsuit_filed_on < s.visa_refused_on)
    ),
    "filed_on: no visa refusal is open to a lawsuit (refusal notified on {visa_refusal_notified_on}, "
    "lawsuit filed on {lawsuit_filed_on})",
    "§74(2) VwGO: a lawsuit within one month of the refusal",
)
VISA_APPLIED = Guard(
    lambda s: s.visa_applied_on is not None or Milestone.VISA_LAWSUIT in s.open_milestones,
    "record_visa_decision: record the visa application first (record-visa-application)",
    PROCESS,
)

# --- after arrival -------------------------------------------------------------------------------

NOT_MOVED_IN = Guard(
    lambda s: s.moved_in_on is None,
    "moved_in_on: moving in was recorded for {moved_in_on} already",
    PROCESS,
)
PERMIT_NOT_APPLIED = Guard(
    lambda s: s.permit_applied_on is None,
    "applied_on: the permit was applied for on {permit_applied_on} already",
    PROCESS,
)
PERMIT_APPLIED = Guard(
    lambda s: s.permit_applied_on is not None,
    "{name}: record the permit application first",
    PROCESS,
)
FOLLOW_UP_NOT_APPLIED = Guard(
    lambda s: s.follow_up_applied_on is None,
    "applied_on: the follow-up recognition was applied for on {follow_up_applied_on} already",
    PROCESS,
)
FOLLOW_UP_APPLIED = Guard(
    lambda s: s.follow_up_applied_on is not None,
    "record_follow_up_recognition: record the application first (apply-for-follow-up-recognition)",
    PROCESS,
)
EMPLOYED = Guard(
    lambda s: s.employment_ended_on is None,
    "ended_on: the employment ended on {employment_ended_on} already",
    PROCESS,
)
