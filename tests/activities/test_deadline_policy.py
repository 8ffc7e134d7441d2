"""The worker refuses a policy whose statutory clocks disagree with the process definition."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from temporalio.exceptions import ApplicationError

from activities.deadlines import DeadlinePolicyActivities
from core.config import Settings
from models.clocks import ClockName
from models.deadlines import DEFAULT_POLICY_FILE


def _load(path: Path) -> object:
    settings = Settings(deadline_policy=path, _env_file=None)  # type: ignore[call-arg]
    return DeadlinePolicyActivities(settings).load()


def test_the_shipped_policy_loads() -> None:
    policy = _load(DEFAULT_POLICY_FILE)
    assert ClockName.BA_CONSENT_FICTION in policy.clocks  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("clock", "change"),
    [("ba_consent_fiction", None), ("anmeldung", "the registration office fines")],
    ids=["effect-dropped", "effect-added"],
)
def test_a_statutory_effect_must_match_the_process(tmp_path: Path, clock: str, change: str | None) -> None:
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    if change is None:
        del data["clocks"][clock]["statutory_effect"]
    else:
        data["clocks"][clock]["statutory_effect"] = change
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ApplicationError, match=rf"clocks\.{clock}\.statutory_effect"):
        _load(path)


def test_the_policy_is_read_once_and_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    activities = DeadlinePolicyActivities(Settings(deadline_policy=path, _env_file=None))  # type: ignore[call-arg]
    first = activities.load()
    assert activities.load() is first  # kept: not parsed again for the next case
    data["clocks"]["ba_consent_fiction"]["escalation"]["operations_after_days"] = 9
    path.write_text(yaml.safe_dump(data, allow_unicode=True) + "# edited\n")
    changed = activities.load()
    assert changed is not first
    escalation = changed.clocks[ClockName.BA_CONSENT_FICTION].escalation
    assert escalation is not None and escalation.operations_after_days == 9
