"""Residence permits to renew (#24, records/renewals.py): the advisor's journeys whose permit
ends within 90 days or ended within 30, placed or still running, earliest first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from models import clock
from records.database import create_records_engine, migrate
from records.renewals import AFTER_DAYS, AHEAD_DAYS, permits_ending
from records.schema import cases, journeys

pytestmark = pytest.mark.unit

TODAY = clock.today()  # any day: every date below is computed from it


def test_the_permits_to_renew_are_the_advisor_s_within_the_window(tmp_path: Path) -> None:
    engine = create_records_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    migrate(engine)
    opened = clock.now()
    case = dict(
        route="18a", procedure="regular", positions=3, origin_countries="", last_event_seq=1, stage="closed",
        employer_name="Gastro Nord GmbH", occupation="cook", opened_at=opened,
    )  # fmt: skip
    # (number, days from today to the permit's end, outcome): which of them the digest lists
    rows = [
        (1, AHEAD_DAYS, "placed", True),  # the last day of the window ahead
        (2, AHEAD_DAYS + 1, "placed", False),
        (3, -AFTER_DAYS, None, True),  # ended 30 days ago, journey still running: late, listed
        (4, -AFTER_DAYS - 1, "placed", False),
        (5, 10, "employment_ended", False),  # the person no longer works here
        (6, 0, "placed", True),
        (7, None, "placed", False),  # no permit recorded
        (8, 20, "placed", False),  # placed, then the employment ended (#24): no renewal here
    ]
    journey = dict(
        case_id="WC-MINE", route="18a", procedure="regular", documents="", last_event_seq=1, stage="finished",
        candidate_ref="THAMM-1", origin_country="TN", occupation="cook", started_at=opened,
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(cases.insert(), [{**case, "case_id": "WC-MINE", "advisor": "m.koch"}])
        conn.execute(cases.insert(), [{**case, "case_id": "WC-THEIRS", "advisor": "a.yilmaz"}])
        conn.execute(
            journeys.insert(),
            [
                {
                    **journey,
                    "journey_id": f"j{n}",
                    "number": n,
                    "outcome": outcome,
                    "permit_valid_until": TODAY + timedelta(days=days) if days is not None else None,
                    "employment_ended_on": TODAY - timedelta(days=2) if n == 8 else None,
                }
                for n, days, outcome, _ in rows
            ]
            + [
                {
                    **journey,
                    "journey_id": "theirs",
                    "case_id": "WC-THEIRS",
                    "number": 1,
                    "outcome": "placed",
                    "permit_valid_until": TODAY,
                    "employment_ended_on": None,
                }
            ],
        )
    found = permits_ending(engine, "m.koch", TODAY)
    expected = sorted(
        ((TODAY + timedelta(days=days), n) for n, days, _, listed in rows if listed and days is not None),
    )
    assert [(p.valid_until, p.number) for p in found] == expected
    assert {p.case_id for p in found} == {"WC-MINE"}
    engine.dispose()
