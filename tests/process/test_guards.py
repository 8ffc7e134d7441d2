"""Guards (#23 point 2): each condition an action needs is one table entry; the engine refuses
with its text and offers the action only while it holds, and no rule states it again."""

from __future__ import annotations

import inspect
import re
from string import Formatter
from typing import Any

import pytest

from models import journey as J
from models.journey import JourneyState
from process import conditions, engine, rules, rules_after_visa
from process import guards as g
from process.definition import ACTIONS
from process.refusal import Refusal
from process.spec import Guard
from tests.process.test_engine import A81, ANSWER, ASK, REG, P, T, act, d, docs, walk

GUARDED = [(spec, guard) for spec in ACTIONS for guard in spec.guards]


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(text) if name]


@pytest.mark.unit
@pytest.mark.parametrize(("spec", "guard"), GUARDED, ids=[f"{s.update}-{i}" for i, (s, _) in enumerate(GUARDED)])
def test_every_guard_names_the_field_its_basis_and_only_journey_fields(spec: Any, guard: Guard) -> None:
    assert re.match(r"^(\{name\}|[a-z_]+):", guard.refusal), guard.refusal
    assert guard.basis.strip(), guard.refusal
    for name in _placeholders(guard.refusal):
        assert name == "name" or hasattr(JourneyState, name) or name in JourneyState.model_fields, name


@pytest.mark.unit
def test_no_rule_states_a_guard_again() -> None:
    source = "".join(inspect.getsource(module) for module in (rules, rules_after_visa, conditions))
    for _, guard in GUARDED:
        head = guard.refusal.split(":", 1)[1].split("{", 1)[0].strip()
        assert head not in source, f"a rule repeats the guard '{guard.refusal}'"


# A journey where the guard does not hold, the action, and the guard that refuses it.
# fmt: off
CASES = [
    ("applied-twice", walk(REG, "receipt"), act(J.ApplyForRecognition, applied_on=d(2025, 6, 5), body="HWK"),
     g.RECOGNITION_NOT_APPLIED),
    ("receipt-before-application", walk(REG, "contract"),
     act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 10)), g.RECOGNITION_APPLIED),
    ("receipt-twice", walk(REG, "receipt"), act(J.ConfirmRecognitionReceipt, confirmed_on=d(2025, 6, 11)),
     g.RECEIPT_UNCONFIRMED),
    ("resume-while-running", walk(REG, "receipt"), act(J.ResumeRecognitionClock, resumed_on=d(2025, 6, 20)),
     g.DECISION_PERIOD_PAUSED),
    ("ba-asked-twice", walk(REG, "ba_requested"), act(J.RequestBaConsent, path="embassy", requested_on=d(2025, 8, 23)),
     g.BA_NOT_REQUESTED),
    ("question-twice", walk(REG, "ba_requested", ASK), act(J.BaInformationRequested, asked_on=d(2025, 8, 26)),
     g.BA_NO_OPEN_QUESTION),
    ("answers-without-question", walk(REG, "ba_requested", ASK, ANSWER),
     act(J.BaAnswersSent, received_on=d(2025, 9, 4)), g.BA_QUESTION_OPEN),
    ("appointment-after-application", walk(REG, "visa_applied"),
     act(J.BookVisaAppointment, appointment_on=d(2025, 8, 25), mission="Tunis"), g.NO_APPOINTMENT_AFTER_APPLICATION),
    ("visa-applied-twice", walk(REG, "visa_applied"), act(J.RecordVisaApplication, applied_on=d(2025, 8, 21)),
     g.VISA_NOT_APPLIED),
    ("expired-after-application", walk(A81, "visa_applied"), act(J.VorabzustimmungExpired, reason="lapsed"),
     g.VORABZUSTIMMUNG_NOT_USED),
    ("permit-decision-first", walk(REG, "registered"),
     act(J.RecordPermitDecision, decision="refused", decided_on=d(2025, 10, 20)), g.PERMIT_APPLIED),
]
# fmt: on


@pytest.mark.unit
@pytest.mark.parametrize(("state", "action", "guard"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_guard_that_does_not_hold_refuses_in_its_words_and_hides_the_step(
    state: JourneyState, action: Any, guard: Guard
) -> None:
    docs(state)
    spec = next(s for s in ACTIONS if s.model is type(action))
    before = state.model_dump()
    assert guard in spec.guards and not guard.holds(state)
    assert spec.command not in engine.next_steps(state)
    with pytest.raises(Refusal) as err:
        engine.apply(state, action, T, P)
    field = guard.refusal.split(":", 1)[0].replace("{name}", spec.update)
    assert err.value.message.startswith(field + ":"), err.value.message
    assert state.model_dump() == before
