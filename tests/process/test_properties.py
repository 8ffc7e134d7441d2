"""Property-based tests of the advisor actions (#12 point 6), no server.

Random sequences of actions with random and hostile field values (control and format
characters, absurd dates, wrong types, unknown enum values) go through the door (the
action's model, as the journey's validator decodes it) and the process rules (the engine
on the real state). Whatever happens:
- bad input is refused with a message naming the field, and never reaches the rules;
- a rejected action leaves the state byte for byte unchanged;
- an accepted one keeps the invariants: one open clock per kind, the stage is the first
  open milestone, every next step offered is a command, dates in order;
- no exception escapes other than a rule violation with a message.

CI runs a fixed set of examples (``derandomize``); ``HYPOTHESIS_PROFILE=explore bin/test
tests/process/test_properties.py`` searches afresh with many more.
"""

from __future__ import annotations

import enum
import os
import types
import typing
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from core.validation import describe_validation_error
from models.case import Procedure, ResidenceRoute, SelectedCandidate
from models.clocks import DeadlineStatus
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from models.door import refusals
from models.journey import JourneyStage, JourneyState
from process import engine
from process.definition import BY_UPDATE, COMMANDS
from process.refusal import Refusal
from tests.process.test_routes import script
from workflows import deadlines as deadline_module
from workflows.deadlines import DeadlineClocks

TODAY = date(2026, 11, 26)
POLICY = load_policy(DEFAULT_POLICY_FILE, today=TODAY)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
COMMAND_NAMES = {spec.command for spec in COMMANDS}

settings.register_profile(
    "ci", max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HOSTILE_TEXT = st.sampled_from(
    ["", " ", "\x00", "Anruf\x00 um 9", "rechts\u202enach links", "zwei\nZeilen", "tab\there", "x" * 3000, "Ω" * 50,
     "a.benali@example.com", "Pass C01X00T47", "geb. 01.02.1990", "+49 511 1234567", "BENALI-AHMED-19900201"]
)  # fmt: skip
PLAUSIBLE_TEXT = st.sampled_from(["HWK Hannover", "DMS-4711", "AN-1", "IHK FOSA", "m.koch", "Termin bestätigt"])
NEAR_DATES = st.integers(min_value=-420, max_value=120).map(lambda n: TODAY + timedelta(days=n))
ABSURD_DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def value_for(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a model field: mostly plausible, sometimes hostile or of the wrong type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return value_for(args[0], depth)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(value_for(a, depth) for a in args))
    if annotation is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(value_for(args[0], depth + 1), max_size=3 if depth == 0 else 1)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.one_of(st.sampled_from([e.value for e in annotation]), HOSTILE_TEXT)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return fields_of(annotation, depth + 1)
    if annotation is date:
        return st.one_of(NEAR_DATES, NEAR_DATES, NEAR_DATES, ABSURD_DATES, HOSTILE_TEXT).map(
            lambda v: v.isoformat() if isinstance(v, date) else v
        )
    if annotation is bool:
        return st.one_of(st.booleans(), st.sampled_from(["yes", 2]))
    if annotation is int:
        return st.one_of(st.integers(min_value=-3, max_value=40), st.integers(), HOSTILE_TEXT)
    if annotation is float:
        return st.one_of(st.floats(min_value=-1, max_value=60, allow_nan=False), st.floats(), HOSTILE_TEXT)
    if annotation is str:
        return st.one_of(PLAUSIBLE_TEXT, PLAUSIBLE_TEXT, HOSTILE_TEXT, st.text(max_size=40))
    return st.none()


def fields_of(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    strategies: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        if name == "advisor":
            strategies[name] = st.one_of(st.just("m.koch"), st.just("m.koch"), HOSTILE_TEXT)
        elif name == "note":
            strategies[name] = st.one_of(st.none(), st.none(), PLAUSIBLE_TEXT, HOSTILE_TEXT)
        else:
            strategies[name] = value_for(field.annotation, depth)
    optional = [n for n, f in model.model_fields.items() if not f.is_required()]
    return st.fixed_dictionaries(strategies).flatmap(
        lambda d: st.sets(st.sampled_from(optional) if optional else st.nothing(), max_size=len(optional)).map(
            lambda dropped: {k: v for k, v in d.items() if k not in dropped}
        )
    )


def fresh_journey(route: ResidenceRoute, procedure: Procedure) -> tuple[JourneyState, DeadlineClocks]:
    state = JourneyState(
        case_id="WC-0000000042", number=1, workflow_id="case-WC-0000000042-j1",
        candidate=SelectedCandidate(candidate_ref="THAMM-1", origin_country="TN"), advisor="m.koch",
        employer_name="X GmbH", occupation="cook", route=route, original_route=route, procedure=procedure,
        stage=JourneyStage.CONTRACT, started_at=NOW - timedelta(days=430), process_version=2,
    )  # fmt: skip
    # The workflow's own clock keeper, outside a workflow: only its "now" is supplied.
    clocks = DeadlineClocks(
        state.deadlines, POLICY, route=lambda: state.route, procedure=procedure, on_rung=lambda *_: None,
        on_change=lambda: None,
    )  # fmt: skip
    clocks.apply(engine.start(state, TODAY - timedelta(days=430)))
    return state, clocks


SCRIPT = script(TODAY)


@st.composite
def next_action(draw: st.DrawFn, state: JourneyState) -> tuple[str, dict[str, Any]]:
    """The advisor's next action: mostly what status offers, filled in plausibly (the route
    walker's script, or the open documents), often with one field made hostile; sometimes
    any command with random fields."""
    mode = draw(st.sampled_from(["plausible", "plausible", "one field hostile", "random"]))
    offered = [c for c in engine.next_steps(state) if c in SCRIPT]
    missing = engine.open_documents(state)
    raw: dict[str, Any]
    if mode != "random" and missing and draw(st.booleans()):
        command = "record-documents"
        receipts = [
            {"code": c.value, "reference": "DMS-1", "received_on": str(TODAY - timedelta(days=400))} for c in missing
        ]
        raw = {"advisor": "m.koch", "documents": receipts}
    elif mode != "random" and offered:
        command = draw(st.sampled_from(offered))
        try:
            raw = SCRIPT[command](state).model_dump(mode="json")
        except ValidationError:  # the script's facts do not fit this state: random fields then
            raw = draw(fields_of(BY_UPDATE[command.replace("-", "_")].model))
    else:
        command = draw(st.sampled_from(sorted(COMMAND_NAMES)))
        return command, draw(fields_of(BY_UPDATE[command.replace("-", "_")].model))
    if mode == "one field hostile" and raw:
        model: type[BaseModel] = BY_UPDATE[command.replace("-", "_")].model
        name = draw(st.sampled_from(sorted(raw)))
        raw[name] = draw(value_for(model.model_fields[name].annotation)) if name in model.model_fields else None
    return command, raw


def check_admitted(action: BaseModel) -> None:
    """What the door and the rules let through: clean text without personal data, dates
    within the policy's window."""
    assert refusals(action) == []
    earliest, latest = POLICY.date_window(TODAY)

    def walk(value: Any, field: str) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{field}.{name}")
        elif isinstance(value, list):
            for item in value:
                walk(item, field)
        elif isinstance(value, str):
            assert value == unicodedata.normalize("NFC", value), field
            bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t"]
            assert not bad, f"{field} let {bad!r} through"
            if field.rsplit(".", 1)[-1] not in ("note", "reason", "refusal_grounds", "changes"):  # multi-line
                assert "\n" not in value, f"{field}: a line break in a one-line field"
        elif isinstance(value, date):
            assert earliest <= value <= latest, f"{field}: {value} outside {earliest}..{latest}"

    walk(action, type(action).__name__)


def check_invariants(state: JourneyState) -> None:
    open_clocks = [d.clock for d in state.deadlines if d.open]
    assert len(open_clocks) == len(set(open_clocks)), f"two open clocks of one kind: {open_clocks}"
    assert state.stage is engine.stage_of(state)
    assert set(engine.next_steps(state)) <= COMMAND_NAMES
    assert [e.seq for e in state.history] == list(range(1, len(state.history) + 1))
    for deadline in state.deadlines:
        if deadline.status is not DeadlineStatus.CLOSED:
            assert deadline.started_on <= deadline.due_on, deadline
    assert all(doc.received_on <= TODAY for doc in state.documents)


@given(
    route=st.sampled_from(list(ResidenceRoute)),
    procedure=st.sampled_from(list(Procedure)),
    data=st.data(),
)
def test_random_actions_are_refused_cleanly_or_keep_the_invariants(
    route: ResidenceRoute, procedure: Procedure, data: st.DataObject
) -> None:
    with mock.patch.object(deadline_module.workflow, "now", lambda: NOW):
        state, clocks = fresh_journey(route, procedure)
        for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="steps")):
            command, raw = data.draw(next_action(state), label="action")
            spec = BY_UPDATE[command.replace("-", "_")]
            before = state.model_dump_json()
            try:
                action = typing.cast(type[BaseModel], spec.model).model_validate(raw)
            except ValidationError as err:
                event("refused at the door")
                message = describe_validation_error(err)
                assert message and ":" in message, message  # names the field and the reason
                continue
            if found := refusals(action):  # the door's own rules (personal data, reserved handle)
                event("refused at the door: personal data")
                assert all(": " in str(f) for f in found), found
                continue
            try:
                step = engine.apply(state, action, TODAY, POLICY)
            except Refusal as err:
                event("refused by the rules")
                assert err.message, "a rejection says why"
                assert state.model_dump_json() == before, f"{command} was rejected but changed the state"
                continue
            check_admitted(action)
            state.history.append(_event(state, step))
            state.stage = step.to_stage
            clocks.apply(step.clocks)
            check_invariants(state)
            event("accepted")
            event(f"stage reached: {state.stage.value}")
            if state.stage is JourneyStage.FINISHED:
                break


def _event(state: JourneyState, step: engine.Step) -> Any:
    from models.journey import JourneyEvent

    return JourneyEvent(
        seq=len(state.history) + 1, occurred_at=NOW, action=step.action, advisor="m.koch",
        from_stage=state.stage, to_stage=step.to_stage, summary=step.summary, note=step.note,
    )  # fmt: skip
