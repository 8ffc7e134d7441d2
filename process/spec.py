"""The vocabulary of the process definition: milestones, actions, their effects on
milestones and clocks. Plain data; ``engine`` applies it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from models.case import Procedure
from models.clocks import ClockName
from models.documents import DocumentStep
from models.journey import JourneyOutcome, JourneyState, Milestone
from models.said import Said

if TYPE_CHECKING:
    from models.deadlines import DeadlinePolicy


@dataclass
class Context:
    """What a rule sees: the journey (mutable), the action, "today" in Berlin, the case's policy."""

    state: JourneyState
    action: Any
    today: date
    policy: DeadlinePolicy

    def due_on(self, clock: ClockName, event_day: date, months: int | None = None) -> date | None:
        """The end of ``clock``'s period from ``event_day``: the one period function, via the
        policy (``months``: a length agreed for this journey). None when the case's policy has
        no such clock (it started before the clock existed)."""
        if clock not in self.policy.clocks:
            return None
        state = self.state
        return self.policy.due_on(
            clock, event_day, state.route, state.procedure, months, authority=authority_of(clock, state)
        )


# The periods that run at the recognition body: they end by the holidays where it sits (the
# IHK FOSA in Nuremberg counts with Bavaria's; the policy's authority_regions).
AT_THE_RECOGNITION_BODY = frozenset({ClockName.RECOGNITION_RECEIPT, ClockName.RECOGNITION_DECISION})


def authority_of(clock: ClockName, state: JourneyState) -> str | None:
    return state.recognition_body if clock in AT_THE_RECOGNITION_BODY else None


# Named predicates, so the table reads well: on the journey (does a milestone apply, is an
# action offered) and on the action in context (does a clock effect happen).
Condition = Callable[[Context], bool]
JourneyCondition = Callable[[JourneyState], bool]


@dataclass(frozen=True)
class Result:
    """What a rule reports: the audit summary, and the branch its effects follow."""

    summary: str | Said  # a Said: translatable where staff read it (#16)
    branch: Any = None


Rule = Callable[[Context], Result]


# --- clock operations an action declares -----------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Start (or restart) a clock counting from a date field of the action (else of the journey).
    ``due``: a recorded due date instead of the policy's period (e.g. a validity); ``months``:
    a field with a length agreed for this journey instead of the policy's (a probation)."""

    clock: ClockName
    counts_from: str
    due: str | None = None
    when: Condition | None = None
    months: str | None = None


@dataclass(frozen=True)
class Meet:
    """The step the clock waited for happened."""

    clock: ClockName


@dataclass(frozen=True)
class Lapse:
    """The clock's purpose is gone because its time ran out (e.g. a validity)."""

    clock: ClockName


@dataclass(frozen=True)
class Interrupt:
    """The authority stopped the period (e.g. the BA asked for information)."""

    clock: ClockName


@dataclass(frozen=True)
class Close:
    """The clock no longer matters (the path changed)."""

    clock: ClockName


@dataclass(frozen=True)
class Pause:
    clock: ClockName
    on: str


@dataclass(frozen=True)
class Resume:
    """The paused days are added to the period. From process version ``counted_since`` on the
    due date is counted afresh by the period function (§193 BGB included); before, the days
    were added to the old due date."""

    clock: ClockName
    on: str
    counted_since: int | None = None


@dataclass(frozen=True)
class Extend:
    """Move the due date to a recorded later date (once)."""

    clock: ClockName
    until: str


ClockOp = Start | Meet | Lapse | Interrupt | Close | Pause | Resume | Extend


@dataclass(frozen=True)
class Effects:
    """What an action does to the journey's milestones and clocks.

    ``complete`` marks milestones done (their followers open once all they wait for is
    done); ``open`` and ``close`` open or drop milestones directly (refusals, re-tries);
    ``finish`` ends the journey now; ``outcome_when_done`` is the outcome once nothing is
    left open.

    For steps that record the past (an import): ``complete_reached`` gives the milestones
    the action shows reached, completed with everything they wait for;
    ``happened_on`` names the action's date the step happened on: its audit event carries
    that day, and the clocks of the milestones it opens count from it.
    """

    event: str
    complete: tuple[Milestone, ...] = ()
    open: tuple[Milestone, ...] = ()
    close: tuple[Milestone, ...] = ()
    close_all: bool = False
    clocks: tuple[ClockOp, ...] = ()
    finish: JourneyOutcome | None = None
    outcome_when_done: JourneyOutcome | None = None
    complete_reached: Callable[[Any], tuple[Milestone, ...]] | None = None
    happened_on: str | None = None


@dataclass(frozen=True)
class NotBefore:
    """Chronology: the action's date ``field`` may not lie before the journey's ``after``."""

    field: str
    after: str
    what: str


@dataclass(frozen=True)
class Guard:
    """What must hold on the journey for an action: while it does not, the engine refuses
    the action with ``refusal`` and does not offer it as a next step (one statement for both).

    ``refusal`` starts with the field at fault; its placeholders are the journey's fields,
    ``{name}`` the action's Update name. ``basis``: the law it states, or the process order.
    """

    holds: JourneyCondition
    refusal: str
    basis: str


@dataclass(frozen=True)
class Check:
    """A check of the action's own values (raises ``Refusal``), for the journeys whose
    process version lies in ``since``..``until``: a change of the rules is a table entry."""

    rule: Callable[[Context], None]
    since: int = 1
    until: int | None = None

    def counts(self, version: int) -> bool:
        return self.since <= version and (self.until is None or version <= self.until)


@dataclass(frozen=True)
class TakeBack:
    """A statutory effect the law did not produce (#24, late facts): the action, dated within
    the period whose end produced the effect, is a fact the office recorded late. The engine
    undoes the effect before the action: ``reopen`` opens again (its followers that wait for it
    and are still open close again; refused once a step that relied on it is done),
    ``done_again`` are done again, ``undo`` resets the journey's record and says why."""

    effect: str  # the statutory step's event, e.g. ba_consent_deemed
    late: Callable[[JourneyState, Any], bool]  # is the action a fact dated within that period?
    undo: Rule
    reopen: Milestone
    done_again: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class ActionSpec:
    """One advisor action: where it is available, what it needs, what it does."""

    model: type
    rule: Rule
    effects: Effects | Mapping[Any, Effects]
    on: tuple[Milestone, ...] = ()  # available while one of these is open; () = while the journey runs
    requires: tuple[Milestone, ...] = ()  # milestones that must be done
    procedure: Procedure | None = None  # only in this procedure
    documents: DocumentStep | None = None  # the checklist that must be complete
    documents_since: int = 1  # ... for journeys from this process version
    documents_until: int | None = None  # ... up to this one
    not_before: tuple[NotBefore, ...] = ()
    future: tuple[str, ...] = ()  # date fields that may lie ahead (all others: not after today)
    guards: tuple[Guard, ...] = ()  # refused, and not offered, while one does not hold
    checks: tuple[Check, ...] = ()  # the action's values, per process version (before the rule)
    system: bool = False  # recorded by the journey itself, not a starter command
    takes_back: tuple[TakeBack, ...] = ()  # statutory effects a late fact of this action undoes
    # Offered on a placed journey too: its workflow has completed, so the starter reopens it
    # in a new run from its final state (#24: an end of employment after the placement).
    after_placement: bool = False

    @property
    def update(self) -> str:
        """The Update's name, e.g. record_contract (the model's name in snake case)."""
        name = self.model.__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    @property
    def command(self) -> str:
        """The starter's subcommand, e.g. record-contract."""
        return self.update.replace("_", "-")

    def effects_for(self, branch: Any) -> Effects:
        if isinstance(self.effects, Effects):
            return self.effects
        return self.effects[branch]


@dataclass(frozen=True)
class MilestoneSpec:
    """One milestone: when it opens, for which journeys, and the clock that runs while it is open."""

    milestone: Milestone
    title: str
    after: tuple[Milestone, ...] = ()
    after_in_81a: tuple[Milestone, ...] | None = None  # §81a orders it differently
    applies: JourneyCondition | None = None
    by_action_only: bool = False  # opened only by an action (a refusal, an early end)
    clock: ClockName | None = None
    actions: tuple[ActionSpec, ...] = field(default=())
    # Done whenever this one is, though not waited for (recording the past reads it).
    done_before: tuple[Milestone, ...] = ()

    def waits_for(self, procedure: Procedure) -> tuple[Milestone, ...]:
        if procedure is Procedure.ACCELERATED_81A and self.after_in_81a is not None:
            return self.after_in_81a
        return self.after
