"""Reading the deadline policy file for a case that starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from models import clock
from models.deadlines import DeadlinePolicy, load_policy
from models.records import LOAD_DEADLINE_POLICY
from process.definition import STATUTORY_EFFECTS


class DeadlinePolicyActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loaded: tuple[Any, DeadlinePolicy] | None = None

    def load(self) -> DeadlinePolicy:
        """The policy, validated; the error names the file and the field at fault. Read
        again when the file has changed (or the day, which picks the holiday years), else
        kept: every case start asks for it, and parsing it with its holidays cost a case
        start more CPU than the rest of it (#23 point 5)."""
        path = self._settings.deadline_policy
        try:
            stat = path.stat()
        except OSError as err:
            raise ApplicationError(f"deadline policy {path}: {err.strerror}", type="BadDeadlinePolicy") from err
        version = (stat.st_mtime_ns, stat.st_size, clock.today())
        loaded = self._loaded
        if loaded is not None and loaded[0] == version:
            return loaded[1]
        policy = self._read(path)
        self._loaded = (version, policy)
        return policy

    def _read(self, path: Path) -> DeadlinePolicy:
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
