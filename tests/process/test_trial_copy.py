"""The validators try an action on ``JourneyState.trial_copy()`` (deep, but sharing the
history): every step of a journey, tried there, gives the step the journey then takes and
leaves the journey as it was."""

from __future__ import annotations

from typing import Any

import pytest

from process import engine
from tests.process.test_engine import A81, REG, WALKS, P, T, docs, walk

STEPS = [(procedure, i, name, action) for procedure in (REG, A81) for i, (name, action) in enumerate(WALKS[procedure])]


@pytest.mark.parametrize(("procedure", "index", "name", "action"), STEPS, ids=[f"{p}-{n}" for p, _, n, _ in STEPS])
def test_a_step_tried_on_a_trial_copy_is_the_step_taken_and_changes_nothing(
    procedure: Any, index: int, name: str, action: Any
) -> None:
    state = walk(procedure, WALKS[procedure][index - 1][0] if index else "start")
    docs(state)
    before = state.model_dump()
    trial = state.trial_copy()
    assert trial.history is state.history and trial == state
    tried = engine.apply(trial, action, T, P)
    assert state.model_dump() == before
    assert engine.apply(state, action, T, P) == tried
    assert state == trial
