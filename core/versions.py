"""The code's versions and the guards that keep running workflows on the code they started
with (#23 point 4). One registry: every ``workflow.patched`` id with when it came and when it
may go; ``tests/workflows/test_versions.py`` fails on a guard missing here or a line here
without its guard.

Each case and journey carries the version it follows as the ``CodeVersion`` search
attribute (none: started before version 10, when versions were first recorded);
``bin/starter versions`` counts the running workflows per version and says which guards may
retire. The rule (docs/architecture.md, Versioning):

1. a guard comes as ``workflow.patched(ID)`` in version N, listed here with ``since=N``;
2. once no running workflow of its types follows a version below N, it becomes
   ``workflow.deprecate_patch(ID)`` (status ``deprecated``, ``deprecated_in`` the version);
3. once none follows a version below ``deprecated_in``, the call and the old path go;
4. a recorded history generation goes when no guard it exercises is still active or
   deprecated, i.e. no supported version needs it.

Journeys move onto new code at their next milestone (``move-at-milestones``): a journey that
follows an older version continues as new when a milestone is done, on the current code and
process version, so a change reaches running journeys within one milestone.
"""

from __future__ import annotations

from dataclasses import dataclass

# The newest version of the process definition's rules: defined beside the route and
# checklist rows whose ``since``/``until`` name it.
from models.routes import CURRENT_PROCESS_VERSION as CURRENT_PROCESS_VERSION

# Raise it with every release that adds or retires a guard or a process version; 10 is the
# first version that records itself (history generations 1-9 came before).
CODE_VERSION = 15
# Guards without a patch id (the data says which path a workflow takes), with their retirement:
# 13: journeys carry the case's wage offer; those without one keep the case's 45+ finding
#     (process/first_title.py: retire once no running journey follows a version below 13).
# 15: journeys without a case token (JourneyInput.case_token) accept the case's signals unsigned
#     (workflows/journey.py _from_case: retire once no running journey follows a version below 15).
# Workflows without a CodeVersion started before versions were recorded.
UNRECORDED = 9

MOVE_AT_MILESTONES = "move-at-milestones"
LEGAL_REVIEW = "legal-review"
LATE_FACTS = "late-facts"


@dataclass(frozen=True)
class Guard:
    """One ``workflow.patched`` id. Running workflows that follow a version below ``since``
    may need its old path (one without a CodeVersion counts as version 9, ``UNRECORDED``: the
    guards that came before versions were recorded have ``since`` 10)."""

    id: str
    workflows: tuple[str, ...]
    since: int
    why: str
    status: str = "active"  # active, then deprecated (workflow.deprecate_patch), then removed
    deprecated_in: int | None = None

    @property
    def needed_below(self) -> int:
        """Running workflows of its types below this version keep it (in its present status)."""
        return self.deprecated_in if self.status == "deprecated" and self.deprecated_in else self.since

    @property
    def retire_when(self) -> str:
        step = "remove it" if self.status == "deprecated" else "deprecate it"
        return f"{step} once no running {'/'.join(self.workflows)} follows a version below {self.needed_below}"


CASE, JOURNEY = "CaseWorkflow", "JourneyWorkflow"
_FIRST = UNRECORDED + 1  # the guards that came before versions were recorded
GUARDS: tuple[Guard, ...] = (
    Guard("route-requirements", (JOURNEY,), _FIRST, "#11: routes' own requirements (process_version 2)"),
    Guard("wage-thresholds", (CASE,), _FIRST, "#11: the consultation waits for the wage thresholds"),
    Guard("mail-apart", (CASE, JOURNEY), _FIRST, "#12: emails delivered by a loop of their own"),
    Guard("continue-as-new", (JOURNEY,), _FIRST, "#12: a long journey goes on in a fresh run"),
    Guard("lean-upserts", (CASE, JOURNEY), _FIRST, "#14: search attributes once per step"),
    Guard("local-records", (CASE, JOURNEY), _FIRST, "#14: records as local activities"),
    Guard(MOVE_AT_MILESTONES, (JOURNEY,), 10, "#23: a journey on older code moves on at its next milestone"),
    Guard(LEGAL_REVIEW, (JOURNEY,), 11, "#24: new journeys start on process version 3 (the legal review's rules)"),
    Guard(LATE_FACTS, (JOURNEY,), 12, "#24: new journeys start on process version 4 (late facts)"),
    Guard("mail-relay", (CASE, JOURNEY), 14, "#23: the worker's mail relay sends emails, no activity per email"),
    Guard("case-tokens", (CASE,), 15, "#25: a case's signals to its journeys carry its secret"),
)
