"""Applies the process definition to a journey's state.

``apply`` checks one action against the journey and applies it to the state it is given:
the Update validator runs it on a copy (and discards it), the handler on the real state,
so both agree and a rejected action changes nothing. The result says what happened and
which clock changes follow (resolved to dates); the workflow carries those out without
knowing which action it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from string import Formatter
from typing import Any, assert_never

from models.checklists import required_documents
from models.clocks import ClockName
from models.deadlines import DeadlinePolicy
from models.documents import DocumentCode
from models.journey import JourneyOutcome, JourneyStage, JourneyState, Milestone, OpenMilestone, RecognitionDecision
from models.said import Said, english, say
from process import first_title
from process.definition import ACTIONS, BY_MILESTONE, BY_MODEL, MILESTONES
from process.refusal import Refusal
from process.spec import (
    ActionSpec,
    ClockOp,
    Close,
    Context,
    Effects,
    Extend,
    Interrupt,
    Lapse,
    Meet,
    MilestoneSpec,
    Pause,
    Resume,
    Start,
    TakeBack,
    authority_of,
)

ORDER = {m.milestone: i for i, m in enumerate(MILESTONES)}


class Change(StrEnum):
    """What a step does to a clock (typed from the definition's clock operations to the timers)."""

    START = "start"
    MEET = "meet"
    LAPSE = "lapse"
    INTERRUPT = "interrupt"
    CLOSE = "close"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    CLOSE_ALL = "close_all"


@dataclass(frozen=True)
class ClockChange:
    """One change to a clock, with its dates resolved."""

    kind: Change
    clock: ClockName | None = None
    on: date | None = None
    due_on: date | None = None


@dataclass
class Step:
    """What an applied action did: the audit event's name, the stage after it, the summary."""

    action: str
    to_stage: JourneyStage
    summary: str  # English: the audit trail's text
    note: str | None = None
    clocks: list[ClockChange] = field(default_factory=list)
    happened_on: date | None = None  # a step recording the past (an import): the day it happened
    says: Said | None = None  # the summary as a template, translated where staff read it


# --- reading the definition against a journey ---------------------------------------------------


def applies(spec: MilestoneSpec, state: JourneyState) -> bool:
    return spec.applies is None or spec.applies(state)


def satisfied(milestone: Milestone, state: JourneyState) -> bool:
    """Done, or not part of this journey (so nothing waits for it)."""
    return milestone in state.done_milestones or not applies(BY_MILESTONE[milestone], state)


def available(spec: ActionSpec, state: JourneyState) -> bool:
    if state.stage is JourneyStage.FINISHED:
        return False
    if spec.procedure is not None and spec.procedure is not state.procedure:
        return False
    if spec.on and not any(m in state.open_milestones for m in spec.on):
        return False
    return all(m in state.done_milestones for m in spec.requires)


def offered(spec: ActionSpec, state: JourneyState) -> bool:
    return not spec.system and available(spec, state) and all(g.holds(state) for g in spec.guards)


def _check_guards(spec: ActionSpec, state: JourneyState) -> None:
    """The first guard that does not hold refuses the action, in the table's words."""
    for guard in spec.guards:
        if not guard.holds(state):
            names = [name for _, name, _, _ in Formatter().parse(guard.refusal) if name]
            values = {n: spec.update if n == "name" else getattr(state, n) for n in names}
            raise Refusal(say(guard.refusal, **values))


def checklist(spec: ActionSpec, state: JourneyState) -> list[DocumentCode]:
    version = state.process_version
    if spec.documents is None or version < spec.documents_since:
        return []
    if spec.documents_until is not None and version > spec.documents_until:
        return []
    return required_documents(
        spec.documents,
        state.route,
        state.procedure,
        recognised=state.recognition in (RecognitionDecision.FULL, RecognitionDecision.PARTIAL),
        version=state.process_version,
        pension_proof=bool(state.pension_proof_needed),
    )


def missing_documents(spec: ActionSpec, state: JourneyState) -> list[DocumentCode]:
    return [c for c in checklist(spec, state) if not state.has_document(c)]


def open_documents(state: JourneyState) -> list[DocumentCode]:
    """Documents the actions on offer still need, in checklist order."""
    missing: list[DocumentCode] = []
    for spec in ACTIONS:
        if offered(spec, state):
            missing += [c for c in missing_documents(spec, state) if c not in missing]
    return missing


def next_steps(state: JourneyState) -> list[str]:
    """The starter commands an advisor can take now, in process order."""
    return [spec.command for spec in ACTIONS if offered(spec, state)]


def open_milestones(state: JourneyState) -> list[OpenMilestone]:
    """Every open milestone with its missing documents and the commands that move it."""
    result = []
    for milestone in state.open_milestones:
        spec = BY_MILESTONE[milestone]
        steps = [a for a in spec.actions if offered(a, state)]
        docs: list[DocumentCode] = []
        for a in steps:
            docs += [c for c in missing_documents(a, state) if c not in docs]
        result.append(
            OpenMilestone(
                milestone=milestone, title=spec.title, open_documents=docs, next_steps=[a.command for a in steps]
            )
        )
    return result


def stage_of(state: JourneyState) -> JourneyStage:
    if state.outcome is not None:
        return JourneyStage.FINISHED
    first = min(state.open_milestones, key=ORDER.__getitem__, default=None)
    return JourneyStage(first.value) if first else JourneyStage.FINISHED


# --- starting and applying --------------------------------------------------------------------------


def start(state: JourneyState, today: date) -> list[ClockChange]:
    """Open the milestones that wait for nothing; the clock changes that follow."""
    changes: list[ClockChange] = []
    for spec in MILESTONES:
        if not spec.by_action_only and applies(spec, state) and not spec.waits_for(state.procedure):
            _open(state, spec.milestone, changes, today)
    state.stage = stage_of(state)
    return changes


def apply(state: JourneyState, action: Any, today: date, policy: DeadlinePolicy) -> Step:
    """Check ``action`` against ``state`` and apply it (mutates ``state``)."""
    spec = BY_MODEL.get(type(action))
    if spec is None:
        raise Refusal(say("{action}: not a journey action", action=type(action).__name__))
    first_title.refresh(state, today, policy)
    ctx = Context(state=state, action=action, today=today, policy=policy)
    taken_back, back_changes = _take_back(spec, ctx)
    _check_available(spec, state)
    _check_dates(spec, ctx)
    missing = missing_documents(spec, state)
    if missing:
        why = ""
        if DocumentCode.PENSION_PROVISION_PROOF in missing and state.pension_proof_needed:
            why = f" ({state.pension_proof_needed})"
        raise Refusal(
            say(
                "{update}: documents missing for {documents}: {missing}{why}",
                update=spec.update,
                documents=spec.documents,
                missing=", ".join(c.value for c in missing),
                why=why,
            )
        )
    _check_guards(spec, state)
    for check in spec.checks:
        if check.counts(state.process_version):
            check.rule(ctx)
    result = spec.rule(ctx)
    effects = spec.effects_for(result.branch)
    happened_on = getattr(action, effects.happened_on) if effects.happened_on else None
    if happened_on is not None:
        ctx = Context(state=state, action=action, today=happened_on, policy=policy)
    changes = back_changes + _apply_effects(ctx, effects)
    said = (
        result.summary if taken_back is None else say("{taken_back} {then}", taken_back=taken_back, then=result.summary)
    )
    summary, says = english(said), said if isinstance(said, Said) else None
    if state.outcome is not None and not state.outcome_reason:
        state.outcome_reason = summary
    state.stage = stage_of(state)
    if happened_on is not None:
        changes = _net(changes)
    return Step(effects.event, state.stage, summary, getattr(action, "note", None), changes, happened_on, says)


def _take_back(spec: ActionSpec, ctx: Context) -> tuple[str | Said | None, list[ClockChange]]:
    """Undo a statutory effect that a late fact shows the law never produced (the spec's
    ``takes_back``); what it says and the clock changes of the milestones it closes again."""
    state, changes = ctx.state, list[ClockChange]()
    if state.stage is JourneyStage.FINISHED:
        return None, changes
    for back in spec.takes_back:
        if back.reopen in state.open_milestones or not back.late(state, ctx.action):
            continue
        _check_not_relied_on(spec, back, state)
        said = back.undo(ctx).summary
        for milestone in back.done_again:
            if milestone in state.open_milestones:
                state.open_milestones.remove(milestone)
                state.done_milestones.append(milestone)
        for follower in MILESTONES:  # opened by the effect, untouched since: closed again
            if follower.milestone in state.open_milestones and back.reopen in follower.waits_for(state.procedure):
                state.open_milestones.remove(follower.milestone)
                if follower.clock is not None:
                    changes.append(ClockChange(Change.CLOSE, follower.clock))
        _open(state, back.reopen, changes, ctx.today)
        return said, changes
    return None, changes


def _check_not_relied_on(spec: ActionSpec, back: TakeBack, state: JourneyState) -> None:
    relied = [
        m.milestone.value
        for m in MILESTONES
        if m.milestone in state.done_milestones and back.reopen in (*m.waits_for(state.procedure), *m.done_before)
    ]
    if relied:
        raise Refusal(
            say(
                "{name}: this fact lies within the period that produced {effect}, but later steps relied on it "
                "({relied} done); it can no longer be taken back: add a note (add-note)",
                name=spec.update,
                effect=back.effect,
                relied=", ".join(relied),
            )
        )


def _check_available(spec: ActionSpec, state: JourneyState) -> None:
    name = spec.update
    reopens = spec.after_placement and state.outcome is JourneyOutcome.PLACED
    if state.stage is JourneyStage.FINISHED and not reopens:
        raise Refusal(
            say(
                "{name}: journey {number} of case {case_id} has finished ({outcome}); nothing can change",
                name=name,
                number=state.number,
                case_id=state.case_id,
                outcome=state.outcome,
            )
        )
    if spec.procedure is not None and spec.procedure is not state.procedure:
        raise Refusal(say("{name}: only in the {procedure} procedure", name=name, procedure=spec.procedure.value))
    if spec.on and not any(m in state.open_milestones for m in spec.on):
        expected = " or ".join(f"'{m}'" for m in spec.on)
        now = ", ".join(f"'{m}'" for m in state.open_milestones) or "none"
        raise Refusal(
            say(
                "{name}: this action belongs to {expected}; journey {number} has open: {now} (stage '{stage}')",
                name=name,
                expected=expected,
                number=state.number,
                now=now,
                stage=state.stage,
            )
        )
    missing = [m for m in spec.requires if m not in state.done_milestones]
    if missing:
        raise Refusal(say("{name}: needs {missing} first", name=name, missing=", ".join(m.value for m in missing)))


def _check_dates(spec: ActionSpec, ctx: Context) -> None:
    """No date after today (unless the field may lie ahead); none before the fact it follows."""
    action = ctx.action
    earliest, latest = ctx.policy.date_window(ctx.today)
    for name in type(action).model_fields:
        value = getattr(action, name)
        if not isinstance(value, date):
            continue
        if not earliest <= value <= latest:
            raise Refusal(
                say(
                    "{name}: {value} is outside the dates a case takes ({earliest} to {latest})",
                    name=name,
                    value=value,
                    earliest=earliest,
                    latest=latest,
                )
            )
        if name not in spec.future and value > ctx.today:
            raise Refusal(
                say("{name}: {value} is in the future (today is {today})", name=name, value=value, today=ctx.today)
            )
    for rule in spec.not_before:
        value = getattr(action, rule.field)
        earlier = getattr(ctx.state, rule.after)
        if value is not None and earlier is not None and value < earlier:
            raise Refusal(
                say(
                    "{field}: {value} is before {what} ({after} {earlier})",
                    field=rule.field,
                    value=value,
                    what=rule.what,
                    after=rule.after,
                    earlier=earlier,
                )
            )


def _apply_effects(ctx: Context, effects: Effects) -> list[ClockChange]:
    state, today = ctx.state, ctx.today
    changes: list[ClockChange] = []
    if effects.complete_reached is not None:
        reached = _with_waits(effects.complete_reached(ctx.action), state)
        for spec in MILESTONES:  # in process order, so each opens before it completes
            if spec.milestone in reached and not spec.by_action_only and applies(spec, state):
                _complete(state, spec.milestone, changes, today)
    if effects.finish is not None:
        state.outcome = effects.finish
        for milestone in list(state.open_milestones):
            state.open_milestones.remove(milestone)
        return [ClockChange(Change.CLOSE_ALL)]
    if effects.close_all:
        state.open_milestones.clear()
        changes.append(ClockChange(Change.CLOSE_ALL))
    for milestone in effects.close:
        if milestone in state.open_milestones:
            state.open_milestones.remove(milestone)
            if (clock := BY_MILESTONE[milestone].clock) is not None:
                changes.append(ClockChange(Change.CLOSE, clock))
    for milestone in effects.complete:
        _complete(state, milestone, changes, today)
    for milestone in effects.open:
        _open(state, milestone, changes, today)
    for op in effects.clocks:
        change = _resolve(op, ctx)
        if change is not None:
            changes.append(change)
    if effects.outcome_when_done is not None:
        state.pending_outcome = effects.outcome_when_done
    if not state.open_milestones and state.pending_outcome is not None:
        state.outcome = state.pending_outcome
        changes.append(ClockChange(Change.CLOSE_ALL))
    return changes


def _open(state: JourneyState, milestone: Milestone, changes: list[ClockChange], today: date) -> None:
    if milestone in state.open_milestones:
        return
    if milestone in state.done_milestones:
        state.done_milestones.remove(milestone)  # opened again (a new visa, a new Vorabzustimmung)
    state.open_milestones.append(milestone)
    state.open_milestones.sort(key=ORDER.__getitem__)
    if (clock := BY_MILESTONE[milestone].clock) is not None:
        changes.append(ClockChange(Change.START, clock, on=today))


def _complete(state: JourneyState, milestone: Milestone, changes: list[ClockChange], today: date) -> None:
    if milestone in state.open_milestones:
        state.open_milestones.remove(milestone)
    if milestone not in state.done_milestones:
        state.done_milestones.append(milestone)
    if (clock := BY_MILESTONE[milestone].clock) is not None:
        changes.append(ClockChange(Change.MEET, clock))
    # Followers open once everything they wait for is done (or not part of this journey).
    for spec in MILESTONES:
        waits = spec.waits_for(state.procedure)
        if (
            milestone in waits
            and not spec.by_action_only
            and applies(spec, state)
            and spec.milestone not in state.done_milestones
            and all(satisfied(m, state) for m in waits)
        ):
            _open(state, spec.milestone, changes, today)


def _with_waits(milestones: tuple[Milestone, ...], state: JourneyState) -> set[Milestone]:
    """``milestones`` and everything they wait for or need done before, transitively
    (reached means those were done)."""
    found: set[Milestone] = set()
    todo = list(milestones)
    while todo:
        milestone = todo.pop()
        if milestone not in found:
            found.add(milestone)
            spec = BY_MILESTONE[milestone]
            todo += [*spec.waits_for(state.procedure), *spec.done_before]
    return found


ENDS = (Change.MEET, Change.CLOSE, Change.LAPSE, Change.INTERRUPT)


def _net(changes: list[ClockChange]) -> list[ClockChange]:
    """A clock started and ended within one step recording the past ran in the past: it is
    left out; clocks started before the step end as usual; the rest start (the last start counts)."""
    if any(c.kind is Change.CLOSE_ALL for c in changes):
        return [ClockChange(Change.CLOSE_ALL)]
    out: list[ClockChange] = []
    for change in changes:
        started_here = next((c for c in out if c.kind is Change.START and c.clock == change.clock), None)
        if change.kind is Change.START:
            if started_here is not None:
                out.remove(started_here)
            out.append(change)
        elif change.kind in ENDS and started_here is not None:
            out.remove(started_here)
        else:
            out.append(change)
    return out


def _field(ctx: Context, name: str) -> Any:
    """A date named by the definition: the action's field, else the journey's."""
    if name in type(ctx.action).model_fields and getattr(ctx.action, name) is not None:
        return getattr(ctx.action, name)
    return getattr(ctx.state, name)


def _resumed_due(ctx: Context, clock: ClockName, resumed_on: date) -> date | None:
    """The paused clock's due date counted afresh with every day it stood still; a due date an
    authority set (an extension) moves by the pause."""
    deadline = ctx.state.open_deadline(clock)
    if deadline is None or deadline.paused_on is None:
        return None
    paused = (resumed_on - deadline.paused_on).days
    if deadline.extended:
        return deadline.due_on + timedelta(days=paused)
    state = ctx.state
    return ctx.policy.due_on(
        clock,
        deadline.started_on,
        state.route,
        state.procedure,
        paused_days=deadline.paused_days + paused,
        authority=authority_of(clock, state),
    )


def _resolve(op: ClockOp, ctx: Context) -> ClockChange | None:
    if op.clock not in ctx.policy.clocks:
        return None  # a clock this case's policy does not have (it started before the clock existed)
    match op:
        case Start():
            if op.when is not None and not op.when(ctx):
                return None
            counts_from = _field(ctx, op.counts_from)
            months = getattr(ctx.action, op.months, None) if op.months is not None else None
            due = _field(ctx, op.due) if op.due is not None else ctx.due_on(op.clock, counts_from, months)
            if op.due is not None and due is None:
                return None
            return ClockChange(Change.START, op.clock, on=counts_from, due_on=due)
        case Meet():
            return ClockChange(Change.MEET, op.clock)
        case Lapse():
            return ClockChange(Change.LAPSE, op.clock)
        case Interrupt():
            return ClockChange(Change.INTERRUPT, op.clock)
        case Close():
            return ClockChange(Change.CLOSE, op.clock)
        case Pause():
            return ClockChange(Change.PAUSE, op.clock, on=_field(ctx, op.on))
        case Resume():
            on = _field(ctx, op.on)
            counted = op.counted_since is not None and ctx.state.process_version >= op.counted_since
            return ClockChange(
                Change.RESUME, op.clock, on=on, due_on=_resumed_due(ctx, op.clock, on) if counted else None
            )
        case Extend():
            return ClockChange(Change.EXTEND, op.clock, due_on=_field(ctx, op.until))
    assert_never(op)


__all__ = ["Change", "ClockChange", "Step", "apply", "next_steps", "open_documents", "open_milestones", "start"]
