"""Ready for more than one office (#25 point 8): config/offices.yaml names each office's
namespace, deadline policy and staff list; a process serves the office WC_OFFICE names."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import DEFAULT_OFFICES_FILE, Settings
from models.deadlines import DEFAULT_POLICY_FILE
from models.staff import DEFAULT_STAFF_FILE


def _offices(folder: Path) -> Path:
    (folder / "celle-staff.yaml").write_text("staff:\n  - {handle: c.meyer, role: advisor}\n")
    (folder / "celle-policy.yaml").write_text(DEFAULT_POLICY_FILE.read_text())
    path = folder / "offices.yaml"
    path.write_text(
        "offices:\n"
        f"  region-hannover:\n    name: Welcome Center Region Hannover\n    namespace: default\n"
        f"    staff_file: {DEFAULT_STAFF_FILE}\n    deadline_policy: {DEFAULT_POLICY_FILE}\n"
        "  stadt-celle:\n    name: Welcome Center Stadt Celle\n    namespace: wc-celle\n"
        "    staff_file: celle-staff.yaml\n    deadline_policy: celle-policy.yaml\n"
    )
    return path


def test_the_installation_serves_one_office_by_default() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.offices_file == DEFAULT_OFFICES_FILE and settings.office == "region-hannover"
    assert settings.temporal_namespace == "default" and settings.office_name == "Welcome Center Region Hannover"
    assert settings.staff_file.resolve() == DEFAULT_STAFF_FILE.resolve()
    assert settings.deadline_policy.resolve() == DEFAULT_POLICY_FILE.resolve()


def test_a_second_office_has_its_own_namespace_policy_and_staff(tmp_path: Path) -> None:
    offices = _offices(tmp_path)
    celle = Settings(office="stadt-celle", offices_file=offices, _env_file=None)  # type: ignore[call-arg]
    assert (celle.temporal_namespace, celle.office_name) == ("wc-celle", "Welcome Center Stadt Celle")
    assert celle.staff_file == tmp_path / "celle-staff.yaml"
    assert celle.deadline_policy == tmp_path / "celle-policy.yaml"
    hannover = Settings(offices_file=offices, _env_file=None)  # type: ignore[call-arg]
    assert hannover.temporal_namespace == "default"
    # A setting named one by one wins over the office's.
    moved = Settings(office="stadt-celle", offices_file=offices, temporal_namespace="x", _env_file=None)  # type: ignore[call-arg]
    assert moved.temporal_namespace == "x" and moved.staff_file == tmp_path / "celle-staff.yaml"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "office: 'stadt-peine' is not in"),
        ("offices: {}\n", "offices_file"),
        ("offices:\n  x: {name: X}\n", "offices_file"),
    ],
)
def test_an_unknown_office_or_a_broken_file_is_refused_by_name(tmp_path: Path, content: str | None, why: str) -> None:
    offices = _offices(tmp_path)
    if content is not None:
        offices.write_text(content)
    with pytest.raises(ValueError, match=why):
        Settings(office="stadt-peine", offices_file=offices, _env_file=None)  # type: ignore[call-arg]
