"""Distinct people among the candidates, counted by a keyed pseudonym that outlives the
erasure (#26 point 1): ``report`` shows the same figures before and after ``erase-case``,
and nothing of the reference is left readable. On SQLite and PostgreSQL, sealed."""

from __future__ import annotations

from sqlalchemy import Engine, select, text, update

from activities.records import CaseRecordActivities
from core.sealed import Sealer, seal_existing
from models.case import SelectedCandidate
from models.journey import JourneyStage
from models.records import ERASED, JourneyTransitionRecord
from records.erasure import erase_records
from records.report import build_report
from records.schema import cases, journeys
from tests.records.test_record_activities import journey_record
from tests.records.test_sealed import keys_on

# The same person (THAMM-4711) is selected in two cases; a third case has someone else.
SELECTIONS = [("WC-00000000A1", "THAMM-4711"), ("WC-00000000B2", "THAMM-4711"), ("WC-00000000C3", "THAMM-4712")]


def selected(case_id: str, ref: str) -> JourneyTransitionRecord:
    record = journey_record(1, JourneyStage.CONTRACT)
    assert record.journey is not None
    journey = record.journey.model_copy(
        update={
            "case_id": case_id,
            "workflow_id": f"case-{case_id}-j1",
            "candidate": SelectedCandidate(candidate_ref=ref, origin_country="TN"),
        }
    )
    return record.model_copy(update={"journey": journey})


def figures(engine: Engine) -> tuple[int, int]:
    r = build_report(engine)
    return r.candidates_selected, r.people_selected


def test_people_are_counted_once_by_pseudonym_before_and_after_an_erasure(fresh_engine: Engine) -> None:
    sealer = Sealer(keys_on(fresh_engine))
    records = CaseRecordActivities(fresh_engine, sealer=sealer)
    for case_id, ref in SELECTIONS:
        assert records.record_journey_transition(selected(case_id, ref))
    with fresh_engine.begin() as conn:  # the erasure wants a case row
        conn.execute(
            cases.insert().values(
                case_id="WC-00000000A1", stage="closed", advisor="m.koch", employer_name="Gastro Nord GmbH",
                occupation="cook", route="18a", procedure="regular", positions=1, origin_countries="",
                opened_at=text("CURRENT_TIMESTAMP"), last_event_seq=1,
            )
        )  # fmt: skip
    assert figures(fresh_engine) == (3, 2)

    def candidate(stored: str) -> str:  # as activities/erasure.py passes it
        return sealer.pseudonym("candidate", sealer.open("WC-00000000A1", "journeys.candidate_ref", stored) or "")

    employer = lambda name: sealer.pseudonym("employer", name)  # noqa: E731
    erase_records(fresh_engine, "WC-00000000A1", "t.lead", "Art. 17", employer, candidate)
    assert figures(fresh_engine) == (3, 2)  # the same figures
    with fresh_engine.connect() as conn:
        erased = conn.execute(select(journeys).where(journeys.c.case_id == "WC-00000000A1")).one()
    assert erased.candidate_ref == ERASED and "4711" not in str(tuple(erased))


def test_rows_from_before_get_their_pseudonym_from_seal_existing_or_the_erasure(fresh_engine: Engine) -> None:
    sealer = Sealer(keys_on(fresh_engine))
    records = CaseRecordActivities(fresh_engine, sealer=sealer)
    for case_id, ref in SELECTIONS:
        records.record_journey_transition(selected(case_id, ref))
    with fresh_engine.begin() as conn:
        # As written by revision 0013 (sealed, no pseudonym: each sealed value differs) and
        # before it (plain).
        conn.execute(update(journeys).values(candidate_pseudonym=None))
        for case_id, ref in SELECTIONS[1:]:
            conn.execute(update(journeys).where(journeys.c.case_id == case_id).values(candidate_ref=ref))
    assert figures(fresh_engine) == (3, 3)  # the sealed reference does not match the plain one

    assert seal_existing(fresh_engine, sealer) >= 3
    assert figures(fresh_engine) == (3, 2)
    with fresh_engine.connect() as conn:
        refs = conn.execute(select(journeys.c.candidate_ref)).scalars().all()
    assert not any("4711" in ref or "4712" in ref for ref in refs)  # sealed too
    assert seal_existing(fresh_engine, sealer) == 0
