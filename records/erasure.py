"""Erasing a closed case from the records (#13): free text goes, the facts stay.

Notes, summaries, reasons, email subjects and bodies are removed; the employer's name and the
candidates' references go, their keyed pseudonyms stay (so "companies advised" and the
distinct people still count them once; core/sealed.py); the
case's data key is destroyed, which leaves every sealed copy of that text unreadable (the
SQLite WAL, a dump taken before); dates, stages, route, occupation, origin country and outcome
stay, so the Welcome Center's figures do not change. The erasure itself is recorded (who,
when, on what basis). Every step is idempotent: running it again finishes a broken run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from sqlalchemy import Engine, delete, literal, select, update

from models import clock
from models.records import ERASED
from records.database import insert_ignoring_duplicates
from records.schema import case_events, case_keys, cases, erasures, journey_events, journeys, notifications


@dataclass(frozen=True)
class Erased:
    events: int
    emails: int
    key_destroyed: bool
    mail_files: int = 0


def erase_records(
    engine: Engine,
    case_id: str,
    erased_by: str,
    basis: str,
    pseudonym: Callable[[str], str],
    candidate_pseudonym: Callable[[str], str] | None = None,
) -> Erased:
    """``pseudonym``: the employer's keyed pseudonym, for a row written before it was kept;
    ``candidate_pseudonym``: the candidate's, from the reference as stored (maybe sealed)."""
    with engine.begin() as conn:
        row = conn.execute(
            select(cases.c.employer_name, cases.c.employer_pseudonym).where(cases.c.case_id == case_id)
        ).one_or_none()
        if row is not None and row.employer_name != ERASED:
            # Rows erased before the keyed pseudonyms kept an unkeyed one in the name ("erased:").
            legacy = row.employer_name.startswith("erased:")
            kept = row.employer_pseudonym or (row.employer_name if legacy else pseudonym(row.employer_name))
            conn.execute(
                update(cases)
                .where(cases.c.case_id == case_id)
                .values(employer_name=ERASED, employer_pseudonym=kept, outcome_reason=None)
            )
        if candidate_pseudonym is not None:  # rows written before the candidates' pseudonyms were kept
            unkept = select(journeys.c.journey_id, journeys.c.candidate_ref).where(
                journeys.c.case_id == case_id,
                journeys.c.candidate_pseudonym.is_(None),
                journeys.c.candidate_ref != ERASED,
            )
            for journey in conn.execute(unkept).all():
                conn.execute(
                    update(journeys)
                    .where(journeys.c.journey_id == journey.journey_id)
                    .values(candidate_pseudonym=candidate_pseudonym(journey.candidate_ref))
                )
        # The reference and the documents go too (sealed, they are unreadable once the key is
        # gone; written before sealing, they would not be): the pseudonym counts the person.
        conn.execute(
            update(journeys)
            .where(journeys.c.case_id == case_id)
            .values(outcome_reason=None, candidate_ref=ERASED, documents="")
        )
        events = 0
        for table in (case_events, journey_events):
            events += (
                conn.execute(
                    update(table)
                    .where(table.c.case_id == case_id)
                    .values(summary=table.c.action + literal(" " + ERASED), note=None)
                    .returning(table.c.seq)
                )
                .all()
                .__len__()
            )
        emails = len(
            conn.execute(
                update(notifications)
                .where(notifications.c.case_id == case_id)
                .values(subject=ERASED, body=None, last_error=None)
                .returning(notifications.c.idempotency_key)
            ).all()
        )
        key_destroyed = bool(
            conn.execute(delete(case_keys).where(case_keys.c.case_id == case_id).returning(case_keys.c.case_id)).all()
        )
        conn.execute(
            insert_ignoring_duplicates(engine, erasures).values(
                case_id=case_id, erased_at=clock.now(), erased_by=erased_by, basis=basis
            )
        )
    return Erased(events=events, emails=emails, key_destroyed=key_destroyed)


def erase_mail_files(mail_dir: Path | None, case_id: str) -> int:
    """The local mail sink's copies (bin/run without a relay) of the case's emails."""
    if mail_dir is None or not mail_dir.is_dir():
        return 0
    removed = 0
    parser = BytesHeaderParser()
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as file:
            if parser.parse(file).get("X-Case-Id") == case_id:
                path.unlink()
                removed += 1
    return removed


def erased(engine: Engine, case_id: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(erasures.c.case_id).where(erasures.c.case_id == case_id)).first() is not None


def closed_on_record(engine: Engine, case_id: str) -> bool:
    """The records know the case as closed (#26 point 1): it can be erased although Temporal
    has dropped its workflows."""
    with engine.connect() as conn:
        row = conn.execute(select(cases.c.stage).where(cases.c.case_id == case_id)).first()
    return row is not None and row.stage == "closed"
