"""The process engine against the process definition: table-driven, no Temporal server.

Each row walks a journey to a named point (documents recorded as the checklists ask),
applies one action on a fixed "today" and checks the open milestones, the stage, the
clock changes, or the rejection (whose message starts with the field at fault).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

import pytest
from pydantic import BaseModel

from models import journey as J
from models.case import BaConsentPath, Procedure, ResidenceRoute, SelectedCandidate
from models.clocks import ClockName, Deadline, DeadlineStatus
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from models.documents import DocumentCode
from models.journey import DocumentReceipt, JourneyStage, JourneyState, Milestone, PauseReason
from process import engine
from process.definition import ACTIONS, COMMANDS
from process.engine import Change, ClockChange
from process.refusal import Refusal
from process.spec import Effects

T = date(2026, 11, 26)  # "today" in Hannover
P = load_policy(DEFAULT_POLICY_FILE, today=T)
REG, A81 = Procedure.REGULAR, Procedure.ACCELERATED_81A
EMB, ABH, VORAB = BaConsentPath.EMBASSY, BaConsentPath.ABH_81A, BaConsentPath.VORABZUSTIMMUNG
M, C, S, d = Milestone, ClockName, JourneyStage, date
A = TypeVar("A", bound=BaseModel)


def act(model: type[A], **fields: Any) -> A:
    return model(advisor="m.koch", **fields)


def start(clock: ClockName, on: date, due: date) -> ClockChange:
    return ClockChange(Change.START, clock, on=on, due_on=due)


def meet(clock: ClockName) -> ClockChange:
    return ClockChange(Change.MEET, clock)


def close(clock: ClockName) -> ClockChange:
    return ClockChange(Change.CLOSE, clock)


def journey(procedure: Procedure) -> JourneyState:
    state = JourneyState(
        case_id="WC-0000000042",
        number=1,
        workflow_id="case-WC-0000000042-j1",
        candidate=SelectedCandidate(candidate_ref="THAMM-1", origin_country="TN"),
        advisor="m.koch",
        employer_name="Gasthaus Linde",
        occupation="cook",
        route=ResidenceRoute.SECTION_18A,
        original_route=ResidenceRoute.SECTION_18A,
        procedure=procedure,
        stage=JourneyStage.CONTRACT,
        started_at=datetime(2025, 6, 1, tzinfo=UTC),
        process_version=2,
    )
    track(state, engine.start(state, d(2025, 6, 1)))
    return state


STOPPED = {"meet": DeadlineStatus.MET, "lapse": DeadlineStatus.LAPSED, "interrupt": DeadlineStatus.INTERRUPTED}


def track(state: JourneyState, changes: list[ClockChange]) -> None:
    """What the workflow's DeadlineClocks does with the changes (some rules read state.deadlines)."""
    for ch in changes:
        running = [x for x in state.deadlines if x.open and (ch.kind == "close_all" or x.clock is ch.clock)]
        if ch.kind == "start":
            assert ch.clock is not None and ch.on is not None
            for x in running:
                x.status = DeadlineStatus.CLOSED
            due = ch.due_on or P.due_on(ch.clock, ch.on, state.route, state.procedure)
            anchor = datetime(2025, 1, 1, tzinfo=UTC)
            kw: dict[str, Any] = {"label": "", "basis": "", "anchor": anchor, "anchor_date": ch.on}
            state.deadlines.append(Deadline(clock=ch.clock, started_on=ch.on, due_on=due, **kw))
            continue
        for x in running:
            if ch.kind == "pause":
                x.status, x.paused_on = DeadlineStatus.PAUSED, ch.on
            elif ch.kind == "resume" and ch.on and x.paused_on:
                x.paused_days += (ch.on - x.paused_on).days
                due = ch.due_on or x.due_on + (ch.on - x.paused_on)
                x.status, x.due_on, x.paused_on = DeadlineStatus.RUNNING, due, None
            elif ch.kind == "extend" and ch.due_on:
                x.due_on, x.extended = ch.due_on, True
            else:
                x.status = STOPPED.get(ch.kind, DeadlineStatus.CLOSED)


def do(state: JourneyState, action: Any, today: date = T) -> engine.Step:
    step = engine.apply(state, action, today, P)
    track(state, step.clocks)
    return step


def docs(state: JourneyState) -> None:
    missing = engine.open_documents(state)
    if missing:
        receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=d(2025, 6, 1)) for c in missing]
        do(state, act(J.RecordDocuments, documents=receipts))


FULL = act(J.RecordRecognition, decision="full", decided_on=d(2025, 7, 15))
VALID, CARD = d(2026, 3, 9), d(2029, 1, 1)  # the regular visa's validity; a permit card's
GRANTED = act(J.RecordPermitDecision, decision="granted", decided_on=d(2025, 11, 20), valid_until=CARD)
# fmt: off
WALKS: dict[Procedure, list[tuple[str, Any]]] = {
    REG: [
        ("contract", act(J.RecordContract, signed_on=d(2025, 6, 2), starts_on=d(2025, 10, 1))),
        ("recognition_applied", act(J.ApplyForRecognition, applied_on=d(2025, 6, 5), body="HWK Hannover")),
        ("receipt", act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 10), complete_on=d(2025, 6, 10))),
        ("recognised", FULL),
        ("appointment", act(J.BookVisaAppointment, appointment_on=d(2025, 8, 20), mission="Tunis")),
        ("visa_applied", act(J.RecordVisaApplication, applied_on=d(2025, 8, 20))),
        ("ba_requested", act(J.RequestBaConsent, path=EMB, requested_on=d(2025, 8, 22))),
        ("ba_granted", act(J.RecordBaDecision, decision="granted", decided_on=d(2025, 9, 1))),
        ("visa_issued", act(J.RecordVisaDecision, decision="issued", decided_on=d(2025, 9, 10), valid_until=VALID)),
        ("arrived", act(J.RecordArrival, arrived_on=d(2025, 10, 1))),
        ("job_started", act(J.RecordJobStart, started_on=d(2025, 10, 2))),
        ("moved_in", act(J.RecordMovingIn, moved_in_on=d(2025, 10, 3))),
        ("registered", act(J.RecordAnmeldung, registered_on=d(2025, 10, 10))),
        ("permit_applied", act(J.RecordPermitApplication, applied_on=d(2025, 10, 15))),
        ("fiktion", act(J.RecordFiktionsbescheinigung, issued_on=d(2025, 10, 15), valid_until=VALID, reference="F1")),
        ("permit_granted", GRANTED),
        ("probation_passed", act(J.RecordProbationPassed, passed_on=d(2026, 4, 2))),
        ("integration", act(J.RecordIntegrationCourse, status="registered", recorded_on=d(2026, 4, 10))),
    ],
    A81: [
        ("contract", act(J.RecordContract, signed_on=d(2026, 6, 1), starts_on=d(2026, 12, 1))),
        ("accelerated", act(J.StartAcceleratedProcedure, agreement_signed_on=d(2026, 6, 3), fee_paid_on=d(2026, 6, 3))),
        ("recognition_applied", act(J.ApplyForRecognition, applied_on=d(2026, 6, 4), body="IHK FOSA")),
        ("receipt", act(J.ConfirmRecognitionReceipt, confirmed_on=d(2026, 6, 8), complete_on=d(2026, 6, 8))),
        ("recognised", act(J.RecordRecognition, decision="full", decided_on=d(2026, 7, 1))),
        ("ba_requested", act(J.RequestBaConsent, path=ABH, requested_on=d(2026, 7, 2))),
        ("ba_granted", act(J.RecordBaDecision, decision="granted", decided_on=d(2026, 7, 8))),
        ("vorab", act(J.RecordVorabzustimmung, issued_on=d(2026, 7, 10), valid_until=d(2026, 12, 10),
                      latest_start_on=d(2027, 3, 1))),
        ("appointment", act(J.BookVisaAppointment, appointment_on=d(2026, 8, 3), mission="Tunis")),
        ("visa_applied", act(J.RecordVisaApplication, applied_on=d(2026, 8, 3))),
        ("visa_issued", act(J.RecordVisaDecision, decision="issued", decided_on=d(2026, 8, 17), valid_until=CARD)),
        ("arrived", act(J.RecordArrival, arrived_on=d(2026, 9, 1))),
        ("job_started", act(J.RecordJobStart, started_on=d(2026, 9, 2))),
    ],
}
# fmt: on


def walk(procedure: Procedure, point: str, *then: Any) -> JourneyState:
    """A journey after the walk's step ``point`` ("start": none), then the actions ``then``."""
    state = journey(procedure)
    names = ["start", *(name for name, _ in WALKS[procedure])]
    for action in [a for _, a in WALKS[procedure][: names.index(point)]] + list(then):
        docs(state)
        do(state, action)
    return state


@dataclass(frozen=True)
class Ok:
    """The action is accepted; what to expect (None: not checked)."""

    open: tuple[Milestone, ...] | None = None
    stage: JourneyStage | None = None
    clocks: list[ClockChange] | None = None  # exactly these clock changes
    has: tuple[ClockChange, ...] = ()  # at least these
    summary: str | None = None
    not_in_summary: str | None = None
    documents: tuple[DocumentCode, ...] = ()  # on file afterwards


@dataclass(frozen=True)
class Rej:
    """The action is rejected: the message starts with ``field`` and contains ``parts``."""

    field: str
    parts: tuple[str, ...] = ()


def rej(field: str, *parts: str) -> Rej:
    return Rej(field, parts)


@dataclass(frozen=True)
class Row:
    proc: Procedure
    point: str
    action: Any
    expected: Ok | Rej
    pre: tuple[Any, ...] = ()
    today: date = T

    def state(self) -> JourneyState:
        state = walk(self.proc, self.point, *self.pre)
        docs(state)
        return state


def row(id: str, proc: Procedure, point: str, action: Any, expected: Ok | Rej, *pre: Any, today: date = T) -> Any:
    return pytest.param(Row(proc, point, action, expected, pre, today), id=id)


def check(state: JourneyState, action: Any, today: date, expected: Ok | Rej) -> None:
    if isinstance(expected, Rej):
        with pytest.raises(Refusal) as err:
            engine.apply(state, action, today, P)
        message = err.value.message
        assert message.startswith(expected.field), message
        assert all(part in message for part in expected.parts), message
        return
    step = do(state, action, today)
    if expected.open is not None:
        assert tuple(state.open_milestones) == expected.open
    if expected.stage is not None:
        assert step.to_stage is expected.stage is state.stage
    if expected.clocks is not None:
        assert step.clocks == expected.clocks
    assert all(change in step.clocks for change in expected.has), step.clocks
    assert expected.summary is None or expected.summary in step.summary, step.summary
    assert expected.not_in_summary is None or expected.not_in_summary not in step.summary, step.summary
    assert all(state.has_document(code) for code in expected.documents)


FIC = C.BA_CONSENT_FICTION
PAUSED_0620 = ClockChange(Change.PAUSE, C.RECOGNITION_DECISION, on=d(2026, 6, 20))
ASK, ANSWER = act(J.BaInformationRequested, asked_on=d(2025, 8, 25)), act(J.BaAnswersSent, received_on=d(2025, 9, 3))
REFUSE = act(J.RecordBaDecision, decision="refused", decided_on=d(2025, 9, 1), refusal_grounds="wage too low")
REAPPLY = act(J.ReapplyBaConsent, changes="wage raised")


def ba(path: BaConsentPath, on: date) -> J.RequestBaConsent:
    return act(J.RequestBaConsent, path=path, requested_on=on)


def ba_granted(on: date) -> J.RecordBaDecision:
    return act(J.RecordBaDecision, decision="granted", decided_on=on)


# fmt: off
BA_ROWS = [
    row("embassy-2-weeks", REG, "visa_applied", ba(EMB, d(2025, 8, 22)),
        Ok(clocks=[start(FIC, d(2025, 8, 22), d(2025, 9, 5))])),
    row("abh_81a-1-week", A81, "recognised", ba(ABH, d(2026, 7, 2)),
        Ok(clocks=[start(FIC, d(2026, 7, 2), d(2026, 7, 9))])),
    row("vorabzustimmung-path-no-fiction", REG, "recognised", ba(VORAB, d(2025, 7, 20)),
        Ok(clocks=[], summary="no consent fiction")),
    row("embassy-before-visa-application", REG, "recognised", ba(EMB, d(2025, 7, 20)),
        rej("path:", "record-visa-application first")),
    row("embassy-before-application", REG, "visa_applied", ba(EMB, d(2025, 8, 19)), rej("requested_on:", "2025-08-20")),
    row("abh_81a-in-regular", REG, "visa_applied", ba(ABH, d(2025, 8, 22)), rej("path:", "abh_81a only exists")),
    row("embassy-in-81a", A81, "recognised", ba(EMB, d(2026, 7, 2)), rej("path:", "§81a")),
    row("vorabzustimmung-path-in-81a", A81, "recognised", ba(VORAB, d(2026, 7, 2)), rej("path:", "abh_81a")),
    row("information-requested-interrupts", REG, "ba_requested", ASK, Ok(clocks=[ClockChange(Change.INTERRUPT, FIC)])),
    row("answers-restart-from-received_on", REG, "ba_requested", ANSWER,
        Ok(clocks=[start(FIC, d(2025, 9, 3), d(2025, 9, 17))]), ASK),
    row("answers-restart-81a", A81, "ba_requested", act(J.BaAnswersSent, received_on=d(2026, 7, 6)),
        Ok(clocks=[start(FIC, d(2026, 7, 6), d(2026, 7, 13))]), act(J.BaInformationRequested, asked_on=d(2026, 7, 3))),
    row("answers-before-question", REG, "ba_requested", act(J.BaAnswersSent, received_on=d(2025, 8, 24)),
        rej("received_on:", "2025-08-25"), ASK),
    row("decision-before-request", REG, "ba_requested", ba_granted(d(2025, 8, 21)),
        rej("decided_on:", "2025-08-22")),
    row("granted-meets-fiction", REG, "ba_requested", ba_granted(d(2025, 9, 1)),
        Ok(open=(M.VISA,), clocks=[meet(FIC)])),
    row("refused", REG, "ba_requested", REFUSE,
        Ok(open=(M.BA_REFUSED, M.VISA), stage=S.BA_REFUSED, clocks=[close(FIC)])),
    row("new-request-before-refusal", REG, "ba_requested", ba(EMB, d(2025, 8, 30)),
        rej("requested_on:", "the refusal", "ba_refused_on 2025-09-01"), REFUSE, REAPPLY),
    row("new-request-after-refusal", REG, "ba_requested", ba(EMB, d(2025, 9, 2)),
        Ok(clocks=[start(FIC, d(2025, 9, 2), d(2025, 9, 16))]), REFUSE, REAPPLY),
]

VISA_ISSUED = act(J.RecordVisaDecision, decision="issued", decided_on=d(2025, 9, 10), valid_until=VALID)
PATH_B_ROWS = [
    row("recognition-opens-ba-and-visa", REG, "contract", FULL, Ok(open=(M.BA_CONSENT, M.VISA), stage=S.BA_CONSENT),
        act(J.ApplyForRecognition, applied_on=d(2025, 6, 5), body="HWK")),
    row("appointment-before-ba", REG, "recognised", act(J.BookVisaAppointment, appointment_on=T, mission="Fes"),
        Ok(open=(M.BA_CONSENT, M.VISA))),
    row("application-before-ba", REG, "appointment", act(J.RecordVisaApplication, applied_on=d(2025, 8, 20)),
        Ok(open=(M.BA_CONSENT, M.VISA))),
    row("visa-issued-before-ba-consent", REG, "ba_requested", VISA_ISSUED, rej("decision:", "BA's consent")),
    row("visa-issued-before-ba-request", REG, "visa_applied", VISA_ISSUED, rej("decision:", "BA's consent")),
    row("visa-issued-after-consent", REG, "ba_granted", VISA_ISSUED,
        Ok(open=(M.ARRIVAL,), stage=S.ARRIVAL, clocks=[meet(C.VISA_DECISION_81A)])),
]

ENDED = act(J.RecordEmploymentEnded, ended_on=d(2026, 5, 4), known_on=d(2026, 5, 6), reason="moved away")
EXPIRED = act(J.VorabzustimmungExpired, reason="no appointment")
LATE_VORAB = act(J.RecordVorabzustimmung, issued_on=d(2026, 7, 10), valid_until=d(2026, 12, 10),
                 latest_start_on=d(2027, 3, 1))
ORDER_ROWS = [
    row("job-start-before-permit", REG, "arrived", act(J.RecordJobStart, started_on=d(2025, 10, 2)),
        Ok(open=(M.ANMELDUNG, M.RESIDENCE_PERMIT, M.PROBATION),
           # probation from its first day (§187(2) BGB) to the day before the same date (§188(2))
           clocks=[start(C.PROBATION, d(2025, 10, 2), d(2026, 4, 1))])),
    row("job-start-before-arrival", REG, "visa_issued", act(J.RecordJobStart, started_on=d(2025, 10, 2)),
        rej("record_job_start:", "'job_start'")),
    row("ended-after-probation-integration-open", REG, "probation_passed", ENDED,
        Ok(open=(M.EMPLOYER_REPORT_DUE,), stage=S.EMPLOYER_REPORT_DUE, summary="after probation",
           clocks=[ClockChange(Change.CLOSE_ALL), start(C.EMPLOYER_REPORT, d(2026, 5, 6), d(2026, 6, 3))])),
    row("ended-in-probation", REG, "job_started", ENDED, Ok(open=(M.EMPLOYER_REPORT_DUE,), summary="during probation")),
    row("ended-before-job-start", REG, "arrived", ENDED, rej("record_employment_ended:", "needs job_start")),
    row("ended-before-job-started", REG, "job_started",
        act(J.RecordEmploymentEnded, ended_on=d(2025, 10, 1), known_on=d(2025, 10, 1), reason="no show"),
        rej("ended_on:", "2025-10-02")),
    row("late-employer-report-finishes", REG, "job_started", act(J.RecordEmployerReport, reported_on=d(2026, 6, 4)),
        Ok(open=(), stage=S.FINISHED, summary="late"), ENDED),
    row("81a-application-meets-vorab", A81, "appointment", act(J.RecordVisaApplication, applied_on=d(2026, 8, 3)),
        Ok(clocks=[meet(C.VORABZUSTIMMUNG_VALIDITY), close(C.EMBASSY_APPOINTMENT_81A),
                   start(C.VISA_DECISION_81A, d(2026, 8, 3), d(2026, 8, 24))])),
    # A Vorabzustimmung recorded after its validity (#24): accepted with its own dates, not refused;
    # the visa application dated within it meets its clock.
    row("vorab-recorded-after-its-validity", A81, "ba_granted", LATE_VORAB,
        Ok(open=(M.VISA,), summary="recorded after its validity",
           has=(start(C.VORABZUSTIMMUNG_VALIDITY, d(2026, 7, 10), d(2026, 12, 10)),)), today=d(2026, 12, 20)),
    row("application-within-a-late-vorab", A81, "ba_granted", act(J.RecordVisaApplication, applied_on=d(2026, 12, 9)),
        Ok(has=(meet(C.VORABZUSTIMMUNG_VALIDITY),)), LATE_VORAB, today=d(2026, 12, 20)),
    row("81a-application-after-validity", A81, "vorab", act(J.RecordVisaApplication, applied_on=d(2026, 12, 11)),
        rej("applied_on:", "Vorabzustimmung expired (2026-12-10)"), today=d(2026, 12, 11)),
    row("expired-after-application", A81, "visa_applied", EXPIRED, rej("vorabzustimmung_expired:", "2026-08-03")),
    row("expired-before-application", A81, "vorab", EXPIRED, Ok(open=(M.VORABZUSTIMMUNG,), stage=S.VORABZUSTIMMUNG,
        clocks=[ClockChange(Change.LAPSE, C.VORABZUSTIMMUNG_VALIDITY), close(C.EMBASSY_APPOINTMENT_81A)]),
        today=d(2026, 12, 11)),
    row("expired-in-regular", REG, "appointment", EXPIRED, rej("vorabzustimmung_expired:", "81a")),
]

REFUSAL = act(J.RecordVisaDecision, decision="refused", decided_on=d(2026, 1, 30), notified_on=d(2026, 1, 31))
LATE_MOVE = act(J.RecordMovingIn, moved_in_on=d(2025, 10, 17))
PERIOD_ROWS = [
    row("lawsuit-ends-saturday-to-monday", REG, "visa_applied", REFUSAL, Ok(open=(M.BA_CONSENT, M.VISA_REFUSED),
        has=(start(C.VISA_LAWSUIT, d(2026, 1, 31), d(2026, 3, 2)),), summary="by 2026-03-02")),
    row("lawsuit-on-monday-accepted", REG, "visa_applied", act(J.FileVisaLawsuit, filed_on=d(2026, 3, 2)),
        Ok(open=(M.BA_CONSENT, M.VISA_LAWSUIT), clocks=[meet(C.VISA_LAWSUIT)]), REFUSAL),
    row("lawsuit-a-day-late", REG, "visa_applied", act(J.FileVisaLawsuit, filed_on=d(2026, 3, 3)),
        rej("filed_on:", "2026-03-02"), REFUSAL),
    row("lawsuit-berlin-womens-day", REG, "visa_applied",
        act(J.RecordVisaDecision, decision="refused", decided_on=d(2027, 2, 5), notified_on=d(2027, 2, 8)),
        Ok(has=(start(C.VISA_LAWSUIT, d(2027, 2, 8), d(2027, 3, 9)),)), today=d(2027, 4, 30)),
    row("anmeldung-womens-day-not-ni", REG, "arrived", act(J.RecordMovingIn, moved_in_on=d(2027, 2, 22)),
        Ok(clocks=[start(C.ANMELDUNG, d(2027, 2, 22), d(2027, 3, 8))]), today=d(2027, 4, 30)),
    row("anmeldung-reformation-day-ni", REG, "arrived", LATE_MOVE,
        Ok(clocks=[start(C.ANMELDUNG, d(2025, 10, 17), d(2025, 11, 3))])),
    row("anmeldung-from-moving-in-not-arrival", REG, "arrived", act(J.RecordMovingIn, moved_in_on=d(2025, 10, 3)),
        Ok(clocks=[start(C.ANMELDUNG, d(2025, 10, 3), d(2025, 10, 17))])),
    row("anmeldung-on-last-day", REG, "arrived", act(J.RecordAnmeldung, registered_on=d(2025, 11, 3)),
        Ok(clocks=[meet(C.ANMELDUNG)], not_in_summary="late"), LATE_MOVE),
    row("anmeldung-late", REG, "arrived", act(J.RecordAnmeldung, registered_on=d(2025, 11, 4)),
        Ok(summary="late: the period ended on 2025-11-03"), LATE_MOVE),
    row("anmeldung-with-moved_in_on", REG, "arrived",
        act(J.RecordAnmeldung, registered_on=d(2025, 11, 3), moved_in_on=d(2025, 10, 17)), Ok(not_in_summary="late")),
    row("anmeldung-without-moving-in", REG, "arrived", act(J.RecordAnmeldung, registered_on=d(2025, 10, 20)),
        rej("moved_in_on:", "record-moving-in")),
]

RD = C.RECOGNITION_DECISION
PAUSE, DOUBTS = (
    act(J.PauseRecognitionClock, paused_on=d(2026, 6, 20), reason_code=code, reason="asked the body")
    for code in (PauseReason.MISSING_DOCUMENTS, PauseReason.AUTHENTICITY_DOUBTS)
)
FIKTION = act(J.RecordFiktionsbescheinigung, issued_on=d(2025, 10, 20), valid_until=d(2027, 1, 20), reference="FB-7")
STEP_ROWS = [
    row("receipt-1-month-regular", REG, "contract", act(J.ApplyForRecognition, applied_on=d(2025, 6, 5), body="HWK"),
        Ok(clocks=[start(C.RECOGNITION_RECEIPT, d(2025, 6, 5), d(2025, 7, 7))])),
    row("receipt-2-weeks-81a", A81, "accelerated", act(J.ApplyForRecognition, applied_on=d(2026, 6, 4), body="HWK"),
        Ok(clocks=[start(C.RECOGNITION_RECEIPT, d(2026, 6, 4), d(2026, 6, 18))])),
    row("decision-3-months-from-complete_on", REG, "recognition_applied",
        act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 12), complete_on=d(2025, 6, 9)),
        Ok(clocks=[meet(C.RECOGNITION_RECEIPT), start(RD, d(2025, 6, 9), d(2025, 9, 9))])),
    row("decision-2-months-81a", A81, "recognition_applied",
        act(J.ConfirmRecognitionReceipt, confirmed_on=d(2026, 6, 8), complete_on=d(2026, 6, 8)),
        Ok(clocks=[meet(C.RECOGNITION_RECEIPT), start(RD, d(2026, 6, 8), d(2026, 8, 10))])),
    row("receipt-without-complete_on", REG, "recognition_applied",
        act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 12)), Ok(clocks=[meet(C.RECOGNITION_RECEIPT)])),
    row("receipt-before-application", REG, "recognition_applied",
        act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 4)), rej("confirmed_on:", "applied_on 2025-06-05")),
    row("pause-81a-other-reason", A81, "receipt", PAUSE, rej("reason_code:", "authenticity_doubts")),
    row("pause-81a-authenticity", A81, "receipt", DOUBTS, Ok(clocks=[PAUSED_0620])),
    row("pause-regular-any-reason", REG, "receipt", PAUSE, Ok(clocks=[PAUSED_0620])),
    row("pause-without-clock", REG, "recognition_applied", PAUSE, rej("pause_recognition_clock:", "not running")),
    row("fiktionsbescheinigung", REG, "permit_applied", FIKTION, Ok(documents=(DocumentCode.FIKTIONSBESCHEINIGUNG,),
        clocks=[meet(C.PERMIT_DECISION_BEFORE_VISA_EXPIRY),
                start(C.FIKTIONSBESCHEINIGUNG_VALIDITY, d(2025, 10, 20), d(2027, 1, 20))])),
    row("permit-granted-integration-12-months", REG, "permit_applied", GRANTED,
        Ok(open=(M.PROBATION, M.INTEGRATION_COURSE),
           has=(start(C.INTEGRATION_COURSE, d(2025, 11, 20), d(2026, 11, 20)),))),
]

FUTURE_DOC = DocumentReceipt(code=DocumentCode.PASSPORT, reference="P", received_on=d(2026, 11, 27))
CHRONOLOGY_ROWS = [
    row("arrival-before-visa", REG, "visa_issued", act(J.RecordArrival, arrived_on=d(2025, 9, 5)),
        rej("arrived_on:", "2025-09-05", "visa_issued_on 2025-09-10")),
    row("arrival-after-visa-expiry", REG, "visa_issued", act(J.RecordArrival, arrived_on=d(2026, 3, 10)),
        rej("arrived_on:", "2026-03-09")),
    row("permit-before-anmeldung", REG, "registered", act(J.RecordPermitApplication, applied_on=d(2025, 10, 9)),
        rej("applied_on:", "the Anmeldung", "registered_on 2025-10-10")),
    row("moving-in-before-arrival", REG, "arrived", act(J.RecordMovingIn, moved_in_on=d(2025, 9, 30)),
        rej("moved_in_on:", "arrived_on 2025-10-01")),
    row("future-signed_on", REG, "start", act(J.RecordContract, signed_on=d(2026, 11, 27), starts_on=d(2027, 1, 1)),
        rej("signed_on:", "in the future", "today is 2026-11-26")),
    row("future-starts_on-allowed", REG, "start", act(J.RecordContract, signed_on=T, starts_on=d(2027, 1, 1)),
        Ok(open=(M.RECOGNITION,))),
    row("future-arrived_on", REG, "visa_issued", act(J.RecordArrival, arrived_on=d(2026, 11, 27)),
        rej("arrived_on:", "in the future")),
    row("future-issued_on", REG, "permit_applied",
        act(J.RecordFiktionsbescheinigung, issued_on=d(2026, 11, 27), valid_until=d(2027, 5, 1), reference="F"),
        rej("issued_on:", "in the future")),
    row("future-valid_until-allowed", REG, "permit_applied", FIKTION, Ok()),
    row("future-appointment_on-allowed", REG, "recognised",
        act(J.BookVisaAppointment, appointment_on=d(2027, 2, 1), mission="Tunis"), Ok()),
    row("future-document", REG, "start", act(J.RecordDocuments, documents=[FUTURE_DOC]),
        rej("documents.passport.received_on:", "in the future")),
]
# fmt: on

TABLES = {"ba": BA_ROWS, "path_b": PATH_B_ROWS, "order": ORDER_ROWS, "period": PERIOD_ROWS, "step": STEP_ROWS}
TABLES["chronology"] = CHRONOLOGY_ROWS
ROWS = [pytest.param(*p.values, id=f"{table}/{p.id}") for table, rows in TABLES.items() for p in rows]


@pytest.mark.parametrize("r", ROWS)
def test_table(r: Row) -> None:
    """BA consent, path (b), orders, periods, missing steps, chronology: one row each."""
    check(r.state(), r.action, r.today, r.expected)


@pytest.mark.parametrize(
    ("notified_on", "today", "due_on"),
    [
        pytest.param(d(2026, 1, 31), T, d(2026, 3, 2), id="no-31-feb-saturday-to-monday"),
        pytest.param(d(2027, 2, 8), d(2027, 4, 30), d(2027, 3, 9), id="berlin-womens-day"),
        pytest.param(d(2026, 3, 6), T, d(2026, 4, 7), id="easter-monday"),
        pytest.param(d(2026, 9, 5), T, d(2026, 10, 5), id="a-monday-stays"),
    ],
)
def test_lawsuit_clock_ends_on_the_last_day_the_rule_accepts(notified_on: date, today: date, due_on: date) -> None:
    state = walk(REG, "visa_applied")
    step = do(
        state, act(J.RecordVisaDecision, decision="refused", decided_on=notified_on, notified_on=notified_on), today
    )
    assert [c for c in step.clocks if c.clock is C.VISA_LAWSUIT] == [start(C.VISA_LAWSUIT, notified_on, due_on)]
    late = act(J.FileVisaLawsuit, filed_on=due_on + timedelta(days=1))
    check(state.model_copy(deep=True), late, today, rej("filed_on:", f"ended on {due_on}"))
    check(state, act(J.FileVisaLawsuit, filed_on=due_on), today, Ok(open=(M.BA_CONSENT, M.VISA_LAWSUIT)))


REJECTIONS = [p for p in ROWS if isinstance(cast(Row, p.values[0]).expected, Rej)]


@pytest.mark.parametrize("r", REJECTIONS)
def test_rejected_action_changes_nothing(r: Row) -> None:
    state = r.state()
    before = state.model_copy(deep=True)
    with pytest.raises(Refusal):
        engine.apply(state, r.action, r.today, P)
    assert state == before
    assert state.model_dump() == before.model_dump()


def test_permit_application_needs_the_meldebescheinigung() -> None:
    state = walk(REG, "visa_issued", act(J.RecordArrival, arrived_on=d(2025, 10, 1)))  # no documents after arrival
    do(state, act(J.RecordMovingIn, moved_in_on=d(2025, 10, 3)))
    permit = act(J.RecordPermitApplication, applied_on=d(2025, 10, 5))
    check(state, permit, T, rej("record_permit_application:", "meldebescheinigung"))


def test_definition_names_real_fields() -> None:
    """Every date the definition names (chronology, clocks, future fields) is an action's or the journey's."""
    journey_names = set(JourneyState.model_fields) | {
        n for n, v in vars(JourneyState).items() if isinstance(v, property)
    }
    for spec in ACTIONS:
        fields = set(cast(type[BaseModel], spec.model).model_fields)
        assert {nb.field for nb in spec.not_before} | set(spec.future) <= fields, spec.update
        assert {nb.after for nb in spec.not_before} <= journey_names, spec.update
        branches = [spec.effects] if isinstance(spec.effects, Effects) else list(spec.effects.values())
        for op in (op for e in branches for op in e.clocks):
            names = {getattr(op, a, None) for a in ("counts_from", "due", "on", "until")} - {None}
            assert names <= fields | journey_names, (spec.update, op)


# --- defaults, outcomes and older policies ---------------------------------------------------------


def test_employer_report_counts_from_ended_on_by_default() -> None:
    state = walk(REG, "job_started")
    step = do(state, act(J.RecordEmploymentEnded, ended_on=d(2026, 5, 4), reason="moved away"))
    assert start(C.EMPLOYER_REPORT, d(2026, 5, 4), d(2026, 6, 1)) in step.clocks


def test_visa_not_issued_before_the_ba_consent() -> None:
    issued = act(J.RecordVisaDecision, decision="issued", decided_on=d(2025, 8, 25), valid_until=VALID)
    check(walk(REG, "ba_granted"), issued, T, rej("decided_on:", "2025-09-01"))


@pytest.mark.parametrize(
    ("point", "outcome"),
    [("permit_granted", J.JourneyOutcome.EMPLOYMENT_ENDED), ("probation_passed", J.JourneyOutcome.PLACED)],
    ids=["during-probation", "after-probation"],
)
def test_an_early_end_keeps_a_placement_that_probation_made(point: str, outcome: J.JourneyOutcome) -> None:
    state = walk(REG, point)
    do(state, act(J.RecordEmploymentEnded, ended_on=d(2026, 5, 4), reason="moved away"))
    assert state.open_milestones == [M.EMPLOYER_REPORT_DUE]
    assert "record-employment-ended" not in engine.next_steps(state)  # once is enough
    check(state, act(J.RecordEmploymentEnded, ended_on=d(2026, 5, 5), reason="again"), T, rej("ended_on:"))
    do(state, act(J.RecordEmployerReport, reported_on=d(2026, 5, 20)))
    assert (state.stage, state.outcome) == (S.FINISHED, outcome)


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (act(J.RecordRecognition, decision="full", decided_on=d(2025, 7, 1)), "record_recognition:"),
        (act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 7, 1)), "confirm_recognition_receipt:"),
        (act(J.RecordRecognitionComplete, complete_on=d(2025, 7, 1)), "record_recognition_complete:"),
    ],
    ids=["decision", "receipt", "complete"],
)
def test_recognition_steps_need_the_application_first(action: Any, field: str) -> None:
    check(walk(REG, "contract"), action, T, rej(field, "apply-for-recognition"))


def test_a_fiktionsbescheinigung_needs_a_timely_permit_application() -> None:
    fiktion = act(J.RecordFiktionsbescheinigung, issued_on=d(2025, 10, 20), valid_until=VALID, reference="F1")
    check(walk(REG, "registered"), fiktion, T, rej("record_fiktionsbescheinigung:", "permit application first"))
    late = walk(REG, "registered", act(J.RecordPermitApplication, applied_on=d(2026, 3, 10)))  # visa ran out 9 Mar
    later = act(J.RecordFiktionsbescheinigung, issued_on=d(2026, 3, 12), valid_until=CARD, reference="F1")
    check(late, later, T, rej("record_fiktionsbescheinigung:", "§81(4) S.1 AufenthG does not apply", "--ordered-for"))
    # §81(4) S.3: the ABH may order the status kept for a late application; the certificate says so.
    ordered = later.model_copy(update={"ordered_for_late_application": True})
    check(late, ordered, T, Ok(summary="the ABH ordered the status kept for the late application (§81(4) S.3"))
    assert late.fiktionsbescheinigung_valid_until == CARD
    # In time, the law keeps the status itself: an order is not what happened.
    timely = walk(REG, "permit_applied")
    check(timely, ordered.model_copy(update={"issued_on": d(2025, 10, 15)}), T,
          rej("ordered_for_late_application:", "applied for in time"))  # fmt: skip


def test_a_case_whose_policy_lacks_a_clock_still_takes_every_step() -> None:
    """Running cases keep the policy they started with: a clock added later is missing there."""
    global P
    saved = P
    P = P.model_copy(update={"clocks": {k: v for k, v in P.clocks.items() if k not in {C.ANMELDUNG, C.VISA_LAWSUIT}}})
    try:
        state = walk(REG, "arrived", act(J.RecordMovingIn, moved_in_on=d(2025, 10, 3)))
        docs(state)
        step = do(state, act(J.RecordAnmeldung, registered_on=d(2025, 11, 30)))
        assert step.action == "anmeldung_recorded" and not [c for c in step.clocks if c.clock is C.ANMELDUNG]
        assert all(d.clock is not C.ANMELDUNG for d in state.deadlines)
        refused = act(J.RecordVisaDecision, decision="refused", decided_on=d(2025, 9, 10), notified_on=d(2025, 9, 12))
        state = walk(REG, "ba_granted", refused)
        do(state, act(J.FileVisaLawsuit, filed_on=d(2025, 10, 1)))
        assert state.open_milestones == [M.VISA_LAWSUIT]
    finally:
        P = saved


# --- every next step is a command, and every command is offered somewhere ---------------------

COMMAND_NAMES = {spec.command for spec in COMMANDS}
STATES: list[tuple[Procedure, str, tuple[Any, ...]]] = [
    *((proc, point, ()) for proc, steps in WALKS.items() for point in ["start", *(n for n, _ in steps)]),
    (REG, "receipt", (PAUSE,)),  # resume-recognition-clock
    (REG, "ba_requested", (ASK,)),  # ba-answers-sent
    (REG, "ba_requested", (REFUSE,)),  # reapply-ba-consent
    (REG, "visa_applied", (REFUSAL,)),  # new-visa-application, file-visa-lawsuit
    (REG, "visa_applied", (REFUSAL, act(J.FileVisaLawsuit, filed_on=d(2026, 2, 20)))),  # the court's decision
    (REG, "job_started", (ENDED,)),  # record-employer-report
    (A81, "receipt", (DOUBTS,)),
    (A81, "vorab", (EXPIRED,)),  # record-vorabzustimmung again
    (REG, "arrived", (act(J.AddNote, note="called the candidate"),)),
]


@pytest.mark.parametrize(("proc", "point", "pre"), [pytest.param(*s, id=f"{s[0]}-{s[1]}-{len(s[2])}") for s in STATES])
def test_next_steps_are_commands(proc: Procedure, point: str, pre: tuple[Any, ...]) -> None:
    state = walk(proc, point, *pre)
    steps = engine.next_steps(state)
    assert set(steps) <= COMMAND_NAMES
    assert len(steps) == len(set(steps))
    assert (steps == []) is (state.stage is JourneyStage.FINISHED)
    assert {s for m in engine.open_milestones(state) for s in m.next_steps} <= set(steps)


ROUTE_COMMANDS = {
    "record-comparability",
    "record-professional-experience",
    "apply-for-follow-up-recognition",
    "record-follow-up-recognition",
}  # tests/process/test_routes.py


def test_every_command_is_offered_somewhere() -> None:
    offered = {s for proc, point, pre in STATES for s in engine.next_steps(walk(proc, point, *pre))}
    assert sorted(COMMAND_NAMES - offered - ROUTE_COMMANDS) == []
