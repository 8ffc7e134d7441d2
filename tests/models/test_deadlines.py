"""Dates as the law counts them, and the policy file: plain unit tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from models.case import Procedure, ResidenceRoute
from models.clocks import ClockName
from models.deadlines import DEFAULT_POLICY_FILE, Period, load_policy, next_working_day, period_end

R18A, REGULAR, P81A = ResidenceRoute.SECTION_18A, Procedure.REGULAR, Procedure.ACCELERATED_81A


@pytest.mark.parametrize(
    ("event", "period", "end", "why"),
    [
        (date(2026, 11, 10), Period(weeks=2), date(2026, 11, 24), "a Tuesday stays"),
        (date(2026, 11, 14), Period(weeks=2), date(2026, 11, 30), "Saturday -> Monday"),
        (date(2026, 12, 11), Period(weeks=2), date(2026, 12, 28), "Christmas Day, Boxing Day, Sunday"),
        (date(2026, 10, 17), Period(weeks=2), date(2026, 11, 2), "Reformation Day (NI) on a Saturday"),
        (date(2027, 10, 17), Period(weeks=2), date(2027, 11, 1), "Reformation Day (NI), a Sunday"),
        (date(2026, 3, 23), Period(weeks=2), date(2026, 4, 7), "Easter Monday"),
        (date(2026, 1, 31), Period(months=1), date(2026, 3, 2), "no 31 Feb: end of month, a Saturday"),
        (date(2026, 8, 31), Period(months=3), date(2026, 11, 30), "30 Nov, a Monday"),
        (date(2026, 5, 7), Period(weeks=1), date(2026, 5, 15), "Ascension Day (14 May)"),
    ],
)
def test_period_end_follows_bgb_188_and_193(event: date, period: Period, end: date, why: str) -> None:
    assert period_end(event, period) == end, why


def test_holidays_of_other_states_do_not_count() -> None:
    # Corpus Christi (4 Jun 2026) is a holiday in Bavaria, not in Lower Saxony.
    assert next_working_day(date(2026, 6, 4)) == date(2026, 6, 4)
    # Reformation Day is one in Lower Saxony (since 2018).
    assert next_working_day(date(2028, 10, 31)) == date(2028, 11, 1)


def test_the_shipped_policy_is_valid_and_complete() -> None:
    policy = load_policy(DEFAULT_POLICY_FILE)
    assert set(policy.clocks) == set(ClockName)
    ba = policy.clocks[ClockName.BA_CONSENT_FICTION]
    assert ba.period_for(R18A, REGULAR) == Period(weeks=2)
    assert ba.period_for(R18A, P81A) == Period(weeks=1)
    assert policy.clocks[ClockName.PROBATION].period_for(ResidenceRoute.SECTION_16A, REGULAR) == Period(months=4)
    assert policy.clocks[ClockName.RECOGNITION_DECISION].period_for(R18A, P81A) == Period(months=2)
    assert all(clock.basis for clock in policy.clocks.values())


def test_a_broken_policy_names_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    data["clocks"]["probation"]["period"] = {"months": -6}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match=r"clocks\.probation\.period\.months"):
        load_policy(path)

    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    del data["clocks"]["anmeldung"]
    data["clocks"]["anmeldung_typo"] = data["clocks"]["probation"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="anmeldung_typo"):
        load_policy(path)
    del data["clocks"]["anmeldung_typo"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="clocks: missing anmeldung"):
        load_policy(path)
