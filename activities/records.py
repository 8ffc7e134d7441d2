"""Status writes to the case records database."""

from __future__ import annotations

import structlog
from sqlalchemy import Engine, literal_column
from temporalio import activity

from models.records import (
    RECORD_CASE_TRANSITION,
    RECORD_JOURNEY_TRANSITION,
    CaseTransitionRecord,
    JourneyTransitionRecord,
)
from records.database import insert_ignoring_duplicates, upsert_newer
from records.schema import case_events, cases, journey_events, journeys

log = structlog.get_logger(__name__)


class CaseRecordActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=RECORD_CASE_TRANSITION)
    def record_case_transition(self, record: CaseTransitionRecord) -> bool:
        """Write one event and the case snapshot after it, in one transaction.

        Idempotent: the event is unique per (case, seq) and the snapshot only moves
        forward, so a retry or a late duplicate writes nothing new. Returns whether
        the event was new.
        """
        event = record.event
        with structlog.contextvars.bound_contextvars(case_id=record.case.case_id, seq=event.seq):
            with self._engine.begin() as conn:
                inserted = (
                    conn.execute(
                        insert_ignoring_duplicates(self._engine, case_events)
                        .values(
                            case_id=record.case.case_id,
                            seq=event.seq,
                            occurred_at=event.occurred_at,
                            action=event.action,
                            advisor=event.advisor,
                            from_stage=event.from_stage.value if event.from_stage else None,
                            to_stage=event.to_stage.value,
                            summary=event.summary,
                            note=event.note,
                        )
                        # RETURNING, not rowcount: psycopg reports -1 for this INSERT.
                        .returning(literal_column("1"))
                    ).first()
                    is not None
                )
                conn.execute(
                    upsert_newer(
                        self._engine,
                        cases,
                        {**record.case.summary_fields(), "last_event_seq": event.seq},
                        key="case_id",
                        version="last_event_seq",
                    )
                )
            log.info("case event recorded", action=event.action, new=bool(inserted))
            return bool(inserted)

    @activity.defn(name=RECORD_JOURNEY_TRANSITION)
    def record_journey_transition(self, record: JourneyTransitionRecord) -> bool:
        """Write one journey event and the journey snapshot after it; idempotent like
        ``record_case_transition``."""
        event, journey = record.event, record.journey
        with structlog.contextvars.bound_contextvars(case_id=journey.case_id, journey=journey.number, seq=event.seq):
            with self._engine.begin() as conn:
                inserted = (
                    conn.execute(
                        insert_ignoring_duplicates(self._engine, journey_events)
                        .values(
                            journey_id=journey.workflow_id,
                            case_id=journey.case_id,
                            seq=event.seq,
                            occurred_at=event.occurred_at,
                            action=event.action,
                            advisor=event.advisor,
                            from_stage=event.from_stage.value if event.from_stage else None,
                            to_stage=event.to_stage.value,
                            summary=event.summary,
                            note=event.note,
                        )
                        # RETURNING, not rowcount: psycopg reports -1 for this INSERT.
                        .returning(literal_column("1"))
                    ).first()
                    is not None
                )
                conn.execute(
                    upsert_newer(
                        self._engine,
                        journeys,
                        {**journey.summary_fields(), "last_event_seq": event.seq},
                        key="journey_id",
                        version="last_event_seq",
                    )
                )
            log.info("journey event recorded", action=event.action, new=bool(inserted))
            return bool(inserted)
