"""Late facts (#24): offices record days later what happened. A statutory effect the journey
produced because a fact was not yet recorded is taken back when the fact arrives dated within
the period; the history says why. Dated after the period, the effect stands.

Table-driven on the engine with the walks of ``test_engine``: the BA request of 2025-08-22
(embassy path, fiction until 2025-09-05), the §81a request of 2026-07-02 (until 2026-07-09),
the Vorabzustimmung valid until 2026-12-10.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models import journey as J
from models.case import SYSTEM_HANDLE
from models.clocks import ClockName
from models.journey import JourneyStage, Milestone
from process import engine
from process.engine import Change, ClockChange
from process.refusal import Refusal
from tests.process.test_engine import A81, REG, P, act, ba, do, docs, start, walk

M, C, S, d = Milestone, ClockName, JourneyStage, date
FIC = C.BA_CONSENT_FICTION
LAST_DAY, LAST_DAY_81A = d(2025, 9, 5), d(2026, 7, 9)


def deemed(due: date) -> J.BaConsentDeemed:
    return J.BaConsentDeemed(advisor=SYSTEM_HANDLE, due_on=due)


def asked(on: date) -> J.BaInformationRequested:
    return act(J.BaInformationRequested, asked_on=on)


def decided(decision: str, on: date) -> J.RecordBaDecision:
    grounds = {"refusal_grounds": "wage below the local standard"} if decision == "refused" else {}
    return act(J.RecordBaDecision, decision=decision, decided_on=on, **grounds)


def deemed_journey(version: int = 4, *then: Any) -> J.JourneyState:
    """Regular §18a journey whose BA request (2025-08-22) was deemed granted by the journey."""
    state = walk(REG, "visa_applied", ba(J.BaConsentPath.EMBASSY, d(2025, 8, 22)))
    state.process_version = version
    do(state, deemed(LAST_DAY), d(2025, 9, 6))
    for action in then:
        docs(state)
        do(state, action)
    docs(state)
    return state


TODAY = d(2025, 9, 20)  # the office records the BA's letters two weeks late

# fmt: off
TAKEN_BACK = [
    # (id, late fact, open afterwards, the BA record's decision, the clock changes)
    ("question-within-the-period", asked(d(2025, 9, 1)), (M.BA_CONSENT, M.VISA), None,
     [ClockChange(Change.INTERRUPT, FIC)]),
    ("question-on-the-last-day", asked(LAST_DAY), (M.BA_CONSENT, M.VISA), None, [ClockChange(Change.INTERRUPT, FIC)]),
    ("refusal-within-the-period", decided("refused", d(2025, 9, 3)), (M.BA_REFUSED, M.VISA), "refused",
     [ClockChange(Change.CLOSE, FIC)]),
    ("grant-within-the-period", decided("granted", d(2025, 9, 2)), (M.VISA,), "granted",
     [ClockChange(Change.MEET, FIC)]),
]
# fmt: on


@pytest.mark.parametrize(("late", "open_after", "decision", "clocks"), [r[1:] for r in TAKEN_BACK],
                         ids=[r[0] for r in TAKEN_BACK])  # fmt: skip
def test_a_fact_dated_within_the_fiction_takes_the_deemed_consent_back(
    late: Any, open_after: tuple[Milestone, ...], decision: str | None, clocks: list[ClockChange]
) -> None:
    state = deemed_journey()
    assert M.BA_CONSENT in state.done_milestones and state.ba_consent_given
    step = do(state, late, TODAY)
    assert tuple(state.open_milestones) == open_after
    assert state.ba_requests[-1].decision == decision
    assert step.clocks == clocks
    assert step.summary.startswith(
        "Deemed consent taken back: the BA acted within the fiction period (until 2025-09-05)"
    )
    assert M.BA_CONSENT not in state.done_milestones or decision == "granted"


def test_after_a_late_question_the_answers_run_the_fiction_afresh() -> None:
    state = deemed_journey()
    do(state, asked(d(2025, 9, 1)), TODAY)
    step = do(state, act(J.BaAnswersSent, received_on=d(2025, 9, 15)), TODAY)
    assert step.clocks == [start(FIC, d(2025, 9, 15), d(2025, 9, 29))]
    assert state.ba_request is not None and state.ba_request.decision is None


def test_a_late_grant_keeps_its_own_date() -> None:
    state = deemed_journey()
    do(state, decided("granted", d(2025, 9, 2)), TODAY)
    assert state.ba_decided_on == d(2025, 9, 2)


# fmt: off
STANDS = [
    # (id, the journey, the fact, the refusal's start, its parts)
    ("question-after-the-period", deemed_journey, asked(d(2025, 9, 6)), "ba_information_requested:",
     ("belongs to 'ba_consent'",)),
    ("decision-after-the-period", deemed_journey, decided("refused", d(2025, 9, 8)), "record_ba_decision:",
     ("belongs to 'ba_consent'",)),
    ("visa-issued-on-the-consent",
     lambda: deemed_journey(4, act(J.RecordVisaDecision, decision="issued", decided_on=d(2025, 9, 10),
                                   valid_until=d(2026, 3, 9))),
     asked(d(2025, 9, 1)), "ba_information_requested:", ("relied on", "visa done", "add-note")),
]
# fmt: on


@pytest.mark.parametrize(("journey", "late", "field", "parts"), [r[1:] for r in STANDS], ids=[r[0] for r in STANDS])
def test_a_deemed_consent_stands_against_a_fact_after_the_period_or_once_relied_on(
    journey: Any, late: Any, field: str, parts: tuple[str, ...]
) -> None:
    state = journey()
    before = state.model_dump()
    with pytest.raises(Refusal) as err:
        engine.apply(state.trial_copy(), late, TODAY, P)
    assert err.value.message.startswith(field), err.value.message
    assert all(part in err.value.message for part in parts), err.value.message
    assert state.model_dump() == before


def test_in_81a_the_vorabzustimmung_waits_again_and_a_recorded_one_keeps_the_consent() -> None:
    state = walk(A81, "ba_requested")
    state.process_version = 4
    do(state, deemed(LAST_DAY_81A), d(2026, 7, 10))
    assert tuple(state.open_milestones) == (M.VORABZUSTIMMUNG,)
    trial = state.trial_copy()
    do(trial, asked(d(2026, 7, 8)), d(2026, 7, 20))
    assert tuple(trial.open_milestones) == (M.BA_CONSENT,)  # the Vorabzustimmung waits for the consent again
    # The ABH issued its Vorabzustimmung on the deemed consent: later steps relied on it.
    vorab = act(
        J.RecordVorabzustimmung, issued_on=d(2026, 7, 13), valid_until=d(2026, 12, 10), latest_start_on=d(2027, 3, 1)
    )
    do(state, vorab, d(2026, 7, 20))
    with pytest.raises(Refusal, match="vorabzustimmung done"):
        engine.apply(state, asked(d(2026, 7, 8)), d(2026, 7, 20), P)


@pytest.mark.parametrize(("version", "decided_on", "summary"), [
    (4, d(2025, 9, 6), "deemed given on 2025-09-06: no answer by the end of 2025-09-05"),
    (3, LAST_DAY, "deemed given: no answer by the end of 2025-09-05"),  # running journeys keep their dates
])  # fmt: skip
def test_the_deemed_consent_is_dated_on_the_day_the_fiction_took_effect(
    version: int, decided_on: date, summary: str
) -> None:
    state = walk(REG, "visa_applied", ba(J.BaConsentPath.EMBASSY, d(2025, 8, 22)))
    state.process_version = version
    step = do(state, deemed(LAST_DAY), d(2025, 9, 6))
    assert state.ba_decided_on == decided_on
    assert summary in step.summary
    assert state.ba_requests[-1].fiction_last_day == LAST_DAY


@pytest.mark.parametrize(("today", "says_it_passed"), [(d(2025, 9, 20), True), (d(2025, 9, 5), False)])
def test_a_request_recorded_after_its_period_says_the_consent_is_deemed_and_how_to_take_it_back(
    today: date, says_it_passed: bool
) -> None:
    state = walk(REG, "visa_applied")
    state.process_version = 4
    step = do(state, ba(J.BaConsentPath.EMBASSY, d(2025, 8, 22)), today)
    assert ("That day has passed" in step.summary) is says_it_passed
    assert step.clocks == [start(FIC, d(2025, 8, 22), LAST_DAY)]


# --- the Vorabzustimmung's validity -------------------------------------------------------------

EXPIRED_BY_THE_JOURNEY = J.VorabzustimmungExpired(advisor=SYSTEM_HANDLE, reason="its validity ended on 2026-12-10")
AFTER_EXPIRY = d(2026, 12, 18)


def expired_journey() -> J.JourneyState:
    state = walk(A81, "vorab")
    docs(state)  # the visa application's documents were handed in before
    do(state, EXPIRED_BY_THE_JOURNEY, d(2026, 12, 11))
    assert tuple(state.open_milestones) == (M.VORABZUSTIMMUNG,)
    return state


def test_a_visa_application_within_the_validity_takes_the_expiry_back() -> None:
    state = expired_journey()
    step = do(state, act(J.RecordVisaApplication, applied_on=d(2026, 12, 9)), AFTER_EXPIRY)
    assert tuple(state.open_milestones) == (M.VISA,)
    assert M.VORABZUSTIMMUNG in state.done_milestones
    assert state.vorabzustimmung_valid_until == d(2026, 12, 10)
    assert step.summary.startswith("Expiry taken back: the visa application lies within the Vorabzustimmung's validity")
    assert start(C.VISA_DECISION_81A, d(2026, 12, 9), d(2026, 12, 30)) in step.clocks


def test_a_visa_application_after_the_validity_leaves_the_expiry_standing() -> None:
    state = expired_journey()
    with pytest.raises(Refusal, match="record_visa_application: this action belongs to 'visa'"):
        engine.apply(state, act(J.RecordVisaApplication, applied_on=d(2026, 12, 11)), AFTER_EXPIRY, P)
    assert state.vorabzustimmung_valid_until is None and tuple(state.open_milestones) == (M.VORABZUSTIMMUNG,)


def test_a_finished_journey_takes_nothing_back() -> None:
    state = deemed_journey()
    do(state, act(J.WithdrawCandidate, reason_code="other_offer", reason="Offer in Canada"), TODAY)
    with pytest.raises(Refusal, match="has finished"):
        engine.apply(state, asked(d(2025, 9, 1)), TODAY, P)
    assert state.stage is S.FINISHED and M.BA_CONSENT in state.done_milestones
