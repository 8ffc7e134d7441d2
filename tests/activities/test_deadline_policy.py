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
