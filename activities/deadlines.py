"""Reading the deadline policy file for a case that starts."""

from __future__ import annotations

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from models.deadlines import DeadlinePolicy, load_policy
from models.records import LOAD_DEADLINE_POLICY
from process.definition import STATUTORY_EFFECTS


class DeadlinePolicyActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def load(self) -> DeadlinePolicy:
        """The policy, validated; the error names the file and the field at fault."""
        path = self._settings.deadline_policy
        try:
            policy = load_policy(path, day_seconds=self._settings.deadline_day_seconds)
        except OSError as err:
            raise ApplicationError(f"deadline policy {path}: {err.strerror}", type="BadDeadlinePolicy") from err
        except ValidationError as err:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
            raise ApplicationError(f"deadline policy {path}: {fields}", type="BadDeadlinePolicy") from err
        # The policy says when the law acts (statutory_effect), the process definition what it
        # does: both must name the same clocks, or a deemed consent could come a day early.
        says = {clock for clock, spec in policy.clocks.items() if spec.statutory_effect}
        if says != set(STATUTORY_EFFECTS):
            wrong = ", ".join(sorted(c.value for c in says ^ set(STATUTORY_EFFECTS)))
            raise ApplicationError(
                f"deadline policy {path}: clocks.{wrong}.statutory_effect: must be set exactly for the clocks "
                f"whose running out the law acts on ({', '.join(sorted(c.value for c in STATUTORY_EFFECTS))})",
                type="BadDeadlinePolicy",
                non_retryable=True,
            )
        return policy

    @activity.defn(name=LOAD_DEADLINE_POLICY)
    def load_deadline_policy(self) -> DeadlinePolicy:
        return self.load()
