"""Dates as the law counts them, and the policy file: plain unit tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml
from pydantic import ValidationError

from models import clock as office_clock
from models.case import BaConsentPath, Procedure, ResidenceRoute
from models.clocks import ClockName
from models.counting import next_working_day, previous_working_day
from models.deadlines import (
    DEFAULT_POLICY_FILE,
    Counting,
    DeadlinePolicy,
    Period,
    load_policy,
    period_end,
    public_holidays,
)

R18A, REGULAR, P81A = ResidenceRoute.SECTION_18A, Procedure.REGULAR, Procedure.ACCELERATED_81A
TODAY = date(2026, 6, 1)  # a fixed "today" for load_policy: the stored holidays cover 2025..2032

NI = frozenset(public_holidays("NI", range(2025, 2030)))
BE = frozenset(public_holidays("BE", range(2025, 2030)))


@pytest.fixture(scope="module")
def policy() -> DeadlinePolicy:
    return load_policy(DEFAULT_POLICY_FILE, today=TODAY)


def shipped_yaml() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- counting (§§187, 188, 193 BGB) -------------------------------------------------------


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
        (date(2026, 12, 31), Period(days=1), date(2027, 1, 4), "New Year's Day (Fri), then the weekend"),
        (date(2027, 11, 30), Period(months=3), date(2028, 2, 29), "leap year: 29 Feb 2028, a Tuesday"),
    ],
)
def test_period_end_follows_bgb_188_and_193(event: date, period: Period, end: date, why: str) -> None:
    assert period_end(event, period, NI) == end, why


@pytest.mark.parametrize(
    ("start", "period", "end", "why"),
    [
        (date(2026, 8, 3), Period(months=6), date(2027, 2, 2), "job start Mon 3 Aug: the day before 3 Feb"),
        (date(2026, 8, 3), Period(months=4), date(2026, 12, 2), "a trainee's 4 months (§20 BBiG)"),
        (date(2026, 6, 1), Period(months=6), date(2026, 11, 30), "from the 1st: the month before's last day"),
        (date(2026, 9, 7), Period(months=6), date(2027, 3, 6), "ends on a Saturday: §193 BGB does not move it"),
        (date(2026, 6, 26), Period(months=6), date(2026, 12, 25), "ends on Christmas Day: not moved either"),
        (date(2026, 8, 31), Period(months=6), date(2027, 2, 28), "no 31 Feb: the month's last day (§188(3))"),
        (date(2027, 8, 30), Period(months=6), date(2028, 2, 29), "no 30 Feb in a leap year: 29 Feb"),
        (date(2027, 8, 29), Period(months=6), date(2028, 2, 28), "29 Feb exists: the day before it"),
        (date(2026, 11, 2), Period(weeks=2), date(2026, 11, 15), "two weeks from a Monday end on a Sunday"),
    ],
)
def test_a_period_from_the_beginning_of_a_day_follows_bgb_187_2_and_188_2(
    start: date, period: Period, end: date, why: str
) -> None:
    assert period_end(start, period, NI, Counting.FROM_BEGINNING_OF_DAY) == end, why


def test_every_clock_names_its_kind_and_probation_counts_from_its_first_day(policy: DeadlinePolicy) -> None:
    assert all(spec.counting is not None for spec in policy.clocks.values())
    assert policy.clocks[ClockName.PROBATION].kind is Counting.FROM_BEGINNING_OF_DAY
    assert policy.clocks[ClockName.VISA_LAWSUIT].kind is Counting.AFTER_EVENT
    assert policy.clocks[ClockName.VORABZUSTIMMUNG_VALIDITY].kind is Counting.FIXED_BY_AUTHORITY
    # Job start Mon 3 Aug 2026: the product said 3 Feb 2027 before #24.
    assert policy.due_on(ClockName.PROBATION, date(2026, 8, 3), R18A, REGULAR) == date(2027, 2, 2)


def test_a_policy_stored_before_the_kinds_keeps_counting_as_it_began(policy: DeadlinePolicy) -> None:
    # A running case keeps the policy it started with (no kinds): its periods count as before.
    stored = json.loads(policy.model_dump_json())
    for spec in stored["clocks"].values():
        del spec["counting"]
    older = DeadlinePolicy.model_validate_json(json.dumps(stored))
    assert older.clocks[ClockName.PROBATION].kind is Counting.AFTER_EVENT
    assert older.clocks[ClockName.VORABZUSTIMMUNG_VALIDITY].kind is Counting.FIXED_BY_AUTHORITY
    assert older.due_on(ClockName.PROBATION, date(2026, 8, 3), R18A, REGULAR) == date(2027, 2, 3)


def test_a_date_fixed_by_an_authority_is_not_counted() -> None:
    with pytest.raises(ValueError, match="recorded, not counted"):
        period_end(date(2026, 8, 3), Period(months=1), NI, Counting.FIXED_BY_AUTHORITY)


def test_the_stored_holidays_count_like_the_package(policy: DeadlinePolicy) -> None:
    stored = policy.holidays_in("NI")
    assert period_end(date(2026, 12, 11), Period(weeks=2), stored) == date(2026, 12, 28)
    assert NI <= stored


def test_without_holidays_only_weekends_move() -> None:
    assert period_end(date(2026, 12, 11), Period(weeks=2), ()) == date(2026, 12, 25)
    assert next_working_day(date(2026, 12, 26), ()) == date(2026, 12, 28)


def test_holidays_of_other_states_do_not_count() -> None:
    # Corpus Christi (4 Jun 2026) is a holiday in Bavaria, not in Lower Saxony.
    assert next_working_day(date(2026, 6, 4), NI) == date(2026, 6, 4)
    assert next_working_day(date(2026, 6, 4), public_holidays("BY", range(2026, 2027))) == date(2026, 6, 5)
    # Reformation Day is one in Lower Saxony (since 2018).
    assert next_working_day(date(2028, 10, 31), NI) == date(2028, 11, 1)


def test_previous_working_day_goes_back_over_weekends_and_holidays() -> None:
    assert previous_working_day(date(2026, 12, 27), NI) == date(2026, 12, 24)  # Sun, Sat (Boxing Day), Christmas
    assert previous_working_day(date(2026, 4, 6), NI) == date(2026, 4, 2)  # Easter Monday, weekend, Good Friday
    assert previous_working_day(date(2026, 11, 24), NI) == date(2026, 11, 24)


# --- the shipped policy --------------------------------------------------------------------


def test_the_shipped_policy_is_valid_and_complete(policy: DeadlinePolicy) -> None:
    assert set(policy.clocks) == set(ClockName)
    ba = policy.clocks[ClockName.BA_CONSENT_FICTION]
    assert ba.period_for(R18A, REGULAR) == Period(weeks=2)
    assert ba.period_for(R18A, P81A) == Period(weeks=1)
    assert policy.clocks[ClockName.PROBATION].period_for(ResidenceRoute.SECTION_16A, REGULAR) == Period(months=4)
    assert policy.clocks[ClockName.RECOGNITION_DECISION].period_for(R18A, P81A) == Period(months=2)
    assert policy.day_seconds == 86400


def test_every_clock_names_its_basis_and_the_event_it_counts_from(policy: DeadlinePolicy) -> None:
    for name, clock in policy.clocks.items():
        assert clock.basis.strip(), name
        assert clock.starts_from.strip(), name


def test_the_ba_consent_fiction_runs_only_on_the_authorities_requests(policy: DeadlinePolicy) -> None:
    ba = policy.clocks[ClockName.BA_CONSENT_FICTION]
    assert ba.applies_to_paths == [BaConsentPath.EMBASSY, BaConsentPath.ABH_81A]
    assert ba.statutory_effect
    assert ba.holiday_region == "NI"


def test_the_visa_lawsuit_counts_with_berlin_holidays(policy: DeadlinePolicy) -> None:
    # International Women's Day (8 Mar 2027, a Monday) is a public holiday in Berlin only.
    assert date(2027, 3, 8).weekday() == 0
    assert date(2027, 3, 8) in policy.holidays_in("BE")
    assert date(2027, 3, 8) not in policy.holidays_in("NI")
    assert policy.clocks[ClockName.VISA_LAWSUIT].holiday_region == "BE"
    # §74(2) VwGO: one month from notification on 8 Feb 2027 would end on 8 Mar: the VG Berlin is closed.
    assert policy.due_on(ClockName.VISA_LAWSUIT, date(2027, 2, 8), R18A, REGULAR) == date(2027, 3, 9)
    # A Lower Saxony period (the Anmeldung: two weeks) ending on 8 Mar 2027 does not move.
    assert policy.due_on(ClockName.ANMELDUNG, date(2027, 2, 22), R18A, REGULAR) == date(2027, 3, 8)
    assert period_end(date(2027, 2, 8), Period(months=1), BE) == date(2027, 3, 9)
    assert period_end(date(2027, 2, 8), Period(months=1), NI) == date(2027, 3, 8)


def test_due_on_takes_the_route_and_procedure_into_account(policy: DeadlinePolicy) -> None:
    # §36(2) BeschV: two weeks, one in the §81a procedure. Requested on Fri 11 Dec 2026.
    assert policy.due_on(ClockName.BA_CONSENT_FICTION, date(2026, 12, 11), R18A, REGULAR) == date(2026, 12, 28)
    assert policy.due_on(ClockName.BA_CONSENT_FICTION, date(2026, 12, 11), R18A, P81A) == date(2026, 12, 18)
    # Probation: 6 months, 4 for trainees (§16a), from the first working day (#24).
    assert policy.due_on(ClockName.PROBATION, date(2026, 3, 2), R18A, REGULAR) == date(2026, 9, 1)
    assert policy.due_on(ClockName.PROBATION, date(2026, 3, 2), ResidenceRoute.SECTION_16A, REGULAR) == date(2026, 7, 1)
    # A length agreed for the journey replaces the policy's.
    assert policy.due_on(ClockName.PROBATION, date(2026, 3, 2), R18A, REGULAR, months=3) == date(2026, 6, 1)


def test_a_clock_without_a_period_has_no_computed_due_date(policy: DeadlinePolicy) -> None:
    with pytest.raises(ValueError, match="recorded date"):
        policy.due_on(ClockName.VORABZUSTIMMUNG_VALIDITY, date(2026, 6, 1), R18A, REGULAR)


# --- the stored holidays -------------------------------------------------------------------


def test_the_stored_holidays_reach_six_years_ahead(policy: DeadlinePolicy) -> None:
    assert set(policy.holidays) >= {"NI", "BE"}
    for region in ("NI", "BE"):
        years = {day.year for day in policy.holidays[region]}
        assert years == set(range(2025, 2033)), region
        assert date(2032, 12, 25) in policy.holidays_in(region)
    # Not fixed years: with the real "today" too.
    this_year = office_clock.today().year
    loaded = load_policy(DEFAULT_POLICY_FILE)
    assert max(loaded.holidays["NI"]).year == this_year + 6
    assert min(loaded.holidays["NI"]).year == this_year - 1


def test_after_loading_the_holidays_package_is_not_needed(
    policy: DeadlinePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_package(*args: object, **kwargs: object) -> None:
        raise AssertionError("the holidays package was called after the policy was loaded")

    monkeypatch.setattr(holidays, "country_holidays", no_package)
    with pytest.raises(AssertionError):
        public_holidays("NI", range(2026, 2027))  # the patch is in effect

    assert policy.due_on(ClockName.CONSULTATION_FOLLOW_UP, date(2026, 12, 11), R18A, REGULAR) == date(2026, 12, 28)
    assert policy.due_on(ClockName.VISA_LAWSUIT, date(2027, 2, 8), R18A, REGULAR) == date(2027, 3, 9)
    # A case's stored copy (JSON in workflow history) still counts holidays.
    stored = DeadlinePolicy.model_validate_json(policy.model_dump_json())
    assert stored == policy
    assert stored.due_on(ClockName.ANMELDUNG, date(2028, 10, 17), R18A, REGULAR) == date(2028, 11, 1)
    assert not stored.is_working_day(date(2027, 3, 8), "BE")
    assert stored.is_working_day(date(2027, 3, 8))


def test_a_case_started_before_a_clock_was_added_keeps_its_policy(policy: DeadlinePolicy) -> None:
    stored = json.loads(policy.model_dump_json())
    del stored["clocks"]["employer_report"]
    older = DeadlinePolicy.model_validate_json(json.dumps(stored))
    assert ClockName.EMPLOYER_REPORT not in older.clocks
    assert set(older.clocks) == set(ClockName) - {ClockName.EMPLOYER_REPORT}
    assert older.holidays == policy.holidays
    assert older.due_on(ClockName.ANMELDUNG, date(2026, 12, 11), R18A, REGULAR) == date(2026, 12, 28)


NEW_CLOCK_FIELDS = ("starts_from", "holiday_region", "statutory_effect", "applies_to_paths", "unverified")
NEW_CLOCKS = (
    "recognition_receipt",
    "permit_decision_before_visa_expiry",
    "fiktionsbescheinigung_validity",
    "integration_course",
)


# --- broken policy files -------------------------------------------------------------------


def test_a_broken_policy_names_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    data = shipped_yaml()
    data["clocks"]["probation"]["period"] = {"months": -6}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match=r"clocks\.probation\.period\.months"):
        load_policy(path)

    data = shipped_yaml()
    del data["clocks"]["anmeldung"]
    data["clocks"]["anmeldung_typo"] = data["clocks"]["probation"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="anmeldung_typo"):
        load_policy(path)
    del data["clocks"]["anmeldung_typo"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="clocks: missing anmeldung"):
        load_policy(path)


@pytest.mark.parametrize(
    ("clock", "field", "value", "error"),
    [
        ("visa_lawsuit", "holiday_region", "Berlin", r"clocks\.visa_lawsuit\.holiday_region"),
        (
            "ba_consent_fiction",
            "applies_to_paths",
            ["embassy", "fax"],
            r"clocks\.ba_consent_fiction\.applies_to_paths\.1",
        ),
        ("anmeldung", "statutory_efect", "typo", r"clocks\.anmeldung\.statutory_efect"),
        ("anmeldung", "period", {}, r"clocks\.anmeldung\.period"),
        ("contract", "starts_from", None, r"clocks\.contract\.starts_from"),
        ("contract", "counting", None, r"clocks\.contract\n  counting: missing \(one of after_event"),
        ("contract", "counting", "after_a_while", r"clocks\.contract\.counting"),
        ("vorabzustimmung_validity", "counting", "after_event", "counting: after_event needs a period"),
        ("anmeldung", "counting", "fixed_by_authority", "fixed_by_authority takes its date from the record"),
        (
            "probation",
            "escalation",
            {"team_lead_after_days": 5, "operations_after_days": 1},
            "operations_after_days: must not come before team_lead_after_days",
        ),
    ],
)
def test_a_broken_clock_field_is_named(tmp_path: Path, clock: str, field: str, value: object, error: str) -> None:
    data = shipped_yaml()
    if value is None:
        del data["clocks"][clock][field]
    else:
        data["clocks"][clock][field] = value
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match=error):
        load_policy(path, today=TODAY)


def test_several_missing_clocks_are_all_named(tmp_path: Path) -> None:
    data = shipped_yaml()
    del data["clocks"]["anmeldung"]
    del data["clocks"]["visa_lawsuit"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="clocks: missing visa_lawsuit, anmeldung"):
        load_policy(path, today=TODAY)


def test_the_worker_sets_the_day_length(tmp_path: Path) -> None:
    assert load_policy(DEFAULT_POLICY_FILE, day_seconds=0.5, today=TODAY).day_seconds == 0.5
    with pytest.raises(ValidationError, match="day_seconds"):
        load_policy(DEFAULT_POLICY_FILE, day_seconds=0, today=TODAY)
