"""Status writes to the case records database."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import Engine, Table, literal_column
from temporalio import activity

from models.case import CaseEvent
from models.journey import JourneyEvent
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
        case = record.case
        with structlog.contextvars.bound_contextvars(case_id=case.case_id, seq=record.event.seq):
            inserted = self._write(
                case_events, {"case_id": case.case_id}, record.event, cases, case.summary_fields(), "case_id"
            )
            log.info("case event recorded", action=record.event.action, new=inserted)
            return inserted

    @activity.defn(name=RECORD_JOURNEY_TRANSITION)
    def record_journey_transition(self, record: JourneyTransitionRecord) -> bool:
        """Write one journey event and the journey snapshot after it; idempotent like
        ``record_case_transition``."""
        journey = record.journey
        with structlog.contextvars.bound_contextvars(
            case_id=journey.case_id, journey=journey.number, seq=record.event.seq
        ):
            inserted = self._write(
                journey_events,
                {"journey_id": journey.workflow_id, "case_id": journey.case_id},
                record.event,
                journeys,
                journey.summary_fields(),
                "journey_id",
            )
            log.info("journey event recorded", action=record.event.action, new=inserted)
            return inserted

    def _write(
        self,
        events: Table,
        event_keys: dict[str, Any],
        event: CaseEvent | JourneyEvent,
        snapshots: Table,
        snapshot: dict[str, Any],
        snapshot_key: str,
    ) -> bool:
        with self._engine.begin() as conn:
            inserted = conn.execute(
                insert_ignoring_duplicates(self._engine, events)
                .values(
                    **event_keys,
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
            conn.execute(
                upsert_newer(
                    self._engine,
                    snapshots,
                    {**snapshot, "last_event_seq": event.seq},
                    key=snapshot_key,
                    version="last_event_seq",
                )
            )
        return inserted is not None
