"""The staff list: who may act, in which role (#13).

Loaded once per process (worker, starter) from WC_STAFF_FILE. The Update validators read it
at the door; validators never run on replay, so a changed list never breaks a running
case, and a new colleague can act on running cases as soon as the worker has reloaded.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, model_validator

from models.case import SYSTEM_HANDLE, AdvisorHandle
from models.said import Said, say
from models.yaml_file import load_yaml

DEFAULT_STAFF_FILE = Path(__file__).resolve().parents[1] / "config" / "staff.yaml"


class Role(StrEnum):
    ADVISOR = "advisor"
    TEAM_LEAD = "team_lead"
    OPERATIONS = "operations"


# Who may do what.
CARRIES_CASES = frozenset({Role.ADVISOR, Role.TEAM_LEAD})
ERASES_CASES = frozenset({Role.TEAM_LEAD})
REPAIRS = frozenset({Role.OPERATIONS, Role.TEAM_LEAD})  # resetting a workflow that no longer replays
ANY_ROLE = frozenset(Role)
# Every member of the office reads every case of the office (colleagues stand in for each
# other); each read is in the access log. What belongs to no case (the digest's, the
# retention's payloads) only operations and the team lead read; the Web UI's write actions
# and the codec's encoding behind them are operations'.
READS_CASES = ANY_ROLE
READS_OFFICE = frozenset({Role.OPERATIONS, Role.TEAM_LEAD})
WRITES_IN_WEB_UI = frozenset({Role.OPERATIONS})


class Member(BaseModel):
    handle: AdvisorHandle
    role: Role


class Staff(BaseModel):
    staff: list[Member]
    # OpenID Connect (bin/cluster, compose): the identity provider's group that gives each
    # role. A person signs in only if the provider puts them in the group of the role this
    # list gives them: the list stays what the workflows check, the provider proves who it is.
    groups: dict[str, Role] = {}

    @model_validator(mode="after")
    def _unique(self) -> Staff:
        handles = [m.handle for m in self.staff]
        if doubled := sorted({h for h in handles if handles.count(h) > 1}):
            raise ValueError(f"staff: handle(s) listed twice: {', '.join(doubled)}")
        if SYSTEM_HANDLE in handles:
            raise ValueError(f"staff: '{SYSTEM_HANDLE}' is reserved for the workflows' own entries")
        return self

    def role_of(self, handle: str) -> Role | None:
        return next((m.role for m in self.staff if m.handle == handle), None)

    def role_by_groups(self, handle: str, groups: list[str]) -> tuple[Role | None, Said | None]:
        """The role of a person the identity provider signed in, or why they may not act here."""
        role = self.role_of(handle)
        if role is None:
            return None, say("login: '{handle}' is not on the staff list", handle=handle)
        granted = {self.groups[g] for g in groups if g in self.groups}
        if role not in granted:
            return None, say(
                "login: the identity provider does not put '{handle}' in the group for {role}", handle=handle, role=role
            )
        return role, None


_current: Staff | None = None


def load_staff(path: Path) -> Staff:
    return load_yaml(path, Staff, "staff_file")


def use(staff: Staff | None) -> None:
    """Make ``staff`` the list this process checks handles against."""
    global _current
    _current = staff


def refusal(handle: str, allowed: frozenset[Role]) -> Said | None:
    """Why ``handle`` may not act here, or None (also when no list is loaded: tools, unit tests)."""
    if _current is None:
        return None
    role = _current.role_of(handle)
    if role is None:
        return say("advisor: '{handle}' is not on the staff list", handle=handle)
    if role not in allowed:
        needed = " / ".join(sorted(r.value for r in allowed))
        return say("advisor: '{handle}' is {role}; this needs {needed}", handle=handle, role=role.value, needed=needed)
    return None


def current() -> Staff | None:
    return _current


def role_of(handle: str) -> Role | None:
    """The handle's role on the loaded list (None: not on it, or no list loaded)."""
    return _current.role_of(handle) if _current is not None else None
