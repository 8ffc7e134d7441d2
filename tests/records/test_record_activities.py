"""The record and notification activities against each database, called directly.

Activities run at least once, so each is run twice (and out of order) here: the
database must hold every event once and the newest snapshot, and an email must go
out once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from activities.notifications import NotificationActivities
from activities.records import CaseRecordActivities
from core.config import Settings
from models.case import CaseEvent, CaseState, Employer, ResidenceRoute, SelectedCandidate, Stage
from models.journey import JourneyEvent, JourneyStage, JourneyState
from models.mail import Notification, RecipientRole
from models.records import CaseTransitionRecord, JourneyTransitionRecord
from records.database import migrate
from records.schema import case_events, cases, journey_events, journeys, notifications
from tests.support import SmtpRecorder

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def case_record(seq: int, stage: Stage) -> CaseTransitionRecord:
    state = CaseState(
        case_id="WC-0000000042", stage=stage, advisor="m.koch", employer=Employer(name="Gastro Nord GmbH"),
        occupation="cook", positions=1, route=ResidenceRoute.SECTION_18A, procedure="regular", opened_at=T0,
    )  # fmt: skip
    event = CaseEvent(
        seq=seq, occurred_at=T0 + timedelta(hours=seq), action=f"step_{seq}", advisor="m.koch",
        from_stage=None, to_stage=stage, summary=f"step {seq}",
    )  # fmt: skip
    return CaseTransitionRecord(case=state, event=event)


def journey_record(seq: int, stage: JourneyStage) -> JourneyTransitionRecord:
    state = JourneyState(
        case_id="WC-0000000042", number=1, workflow_id="case-WC-0000000042-j1",
        candidate=SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"), advisor="m.koch",
        employer_name="Gastro Nord GmbH", occupation="cook", route="18a", original_route="18a",
        procedure="regular", stage=stage, started_at=T0,
    )  # fmt: skip
    event = JourneyEvent(
        seq=seq, occurred_at=T0 + timedelta(hours=seq), action=f"step_{seq}", advisor="m.koch",
        from_stage=None, to_stage=stage, summary=f"step {seq}",
    )  # fmt: skip
    return JourneyTransitionRecord(journey=state, event=event)


def _count(engine: Engine, table, **where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_case_events_are_written_once_and_the_snapshot_never_goes_back(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    records = CaseRecordActivities(fresh_engine)
    assert records.record_case_transition(case_record(1, Stage.CONSULTATION)) is True
    assert records.record_case_transition(case_record(2, Stage.CANDIDATE_SELECTION)) is True
    # A retry of event 2 and a late retry of event 1: nothing new, no rollback.
    assert records.record_case_transition(case_record(2, Stage.CANDIDATE_SELECTION)) is False
    assert records.record_case_transition(case_record(1, Stage.CONSULTATION)) is False

    assert _count(fresh_engine, case_events, case_id="WC-0000000042") == 2
    with fresh_engine.connect() as conn:
        row = conn.execute(select(cases.c.stage, cases.c.last_event_seq)).one()
    assert tuple(row) == ("candidate_selection", 2)


def test_journey_events_are_written_once_and_the_snapshot_never_goes_back(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    records = CaseRecordActivities(fresh_engine)
    assert records.record_journey_transition(journey_record(1, JourneyStage.CONTRACT)) is True
    assert records.record_journey_transition(journey_record(2, JourneyStage.RECOGNITION)) is True
    assert records.record_journey_transition(journey_record(1, JourneyStage.CONTRACT)) is False

    assert _count(fresh_engine, journey_events, journey_id="case-WC-0000000042-j1") == 2
    with fresh_engine.connect() as conn:
        row = conn.execute(select(journeys.c.stage, journeys.c.origin_country, journeys.c.last_event_seq)).one()
    assert tuple(row) == ("recognition", "TN", 2)


def test_a_notification_is_sent_once_per_key(fresh_engine: Engine, smtp: tuple[str, int, SmtpRecorder]) -> None:
    migrate(fresh_engine)
    host, port, recorder = smtp
    settings = Settings(smtp_host=host, smtp_port=port, _env_file=None)  # type: ignore[call-arg]
    notifier = NotificationActivities(fresh_engine, settings)
    key = f"case-WC-0000000042-j1/7/advisor/{fresh_engine.dialect.name}"
    note = Notification(
        idempotency_key=key, case_id="WC-0000000042", recipient_role=RecipientRole.ADVISOR,
        advisor="m.koch", subject="[WC-0000000042] Visa issued", body="Visa issued on 2026-11-20",
    )  # fmt: skip
    before = len(recorder.messages)
    assert notifier.send_notification(note) is True
    assert notifier.send_notification(note) is False
    sent = recorder.messages[before:]
    assert len(sent) == 1
    assert sent[0]["To"] == "m.koch@region-hannover.example"
    assert _count(fresh_engine, notifications, idempotency_key=key, status="sent") == 1
