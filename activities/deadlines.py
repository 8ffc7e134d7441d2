"""Reading the deadline policy file for a case that starts."""

from __future__ import annotations

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from models.deadlines import DeadlinePolicy, load_policy
from models.records import LOAD_DEADLINE_POLICY


class DeadlinePolicyActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def load(self) -> DeadlinePolicy:
        """The policy, validated; the error names the file and the field at fault."""
        path = self._settings.deadline_policy
        try:
            return load_policy(path, day_seconds=self._settings.deadline_day_seconds)
        except OSError as err:
            raise ApplicationError(f"deadline policy {path}: {err.strerror}", type="BadDeadlinePolicy") from err
        except ValidationError as err:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
            raise ApplicationError(f"deadline policy {path}: {fields}", type="BadDeadlinePolicy") from err

    @activity.defn(name=LOAD_DEADLINE_POLICY)
    def load_deadline_policy(self) -> DeadlinePolicy:
        return self.load()
