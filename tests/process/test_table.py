"""The advisors' manual's process table is the process definition, not a copy that drifts;
every command the README and the manual name is a starter command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.routes import ResidenceRoute
from process.definition import ACTIONS, COMMANDS
from process.table import END_MARK, START_MARK, _doc, _guard, _versions, markdown
from starter.parser import command_names

ROOT = Path(__file__).resolve().parents[2]
README, MANUAL = ROOT / "README.md", ROOT / "docs" / "advisors.md"


def test_the_manual_shows_the_generated_process_table() -> None:
    text = MANUAL.read_text(encoding="utf-8")
    shown = text.split(START_MARK, 1)[1].split(END_MARK, 1)[0].strip("\n")
    assert shown == markdown(), "docs/advisors.md out of date: run `.venv/bin/python -m process.table --readme`"


def test_every_action_of_the_definition_is_a_starter_command() -> None:
    assert {spec.command for spec in COMMANDS} <= command_names()
    for spec in COMMANDS:
        assert f"`{spec.command}`" in markdown()


def test_the_table_shows_every_guard_with_its_basis_every_route_and_the_versions() -> None:
    table = markdown()
    for spec in ACTIONS:
        for guard in spec.guards:
            assert f"{_guard(guard.refusal)} [{guard.basis}]" in table, guard.refusal
        for check in spec.checks:
            assert _versions(check.since, check.until) + _doc(check.rule) in table
    for route in ResidenceRoute:
        assert f"| **{route.value}** {route.label} |" in table
    assert "v1+: recognition, v2+: degree" in table  # §18b before and after #11
    assert "process v2+: The Vorabzustimmung names the latest start of employment (#11)" in table


@pytest.mark.parametrize(("path", "at_least"), [(README, 5), (MANUAL, 25)])
def test_every_command_the_readme_and_the_manual_name_is_a_starter_command(path: Path, at_least: int) -> None:
    text = path.read_text(encoding="utf-8")
    commands = command_names()
    named: set[str] = set()
    for line in text.splitlines():
        if line.startswith("$S "):
            named.add(line.split()[1])
            named |= set(re.findall(r"\b([a-z]+(?:-[a-z]+)+) …", line))
    if path == MANUAL:
        section = text.split("## The journey's process", 1)[0]
        named |= set(re.findall(r"`([a-z]+(?:-[a-z]+)+)(?: [^`]*)?`", section))
    assert len(named) >= at_least
    assert named <= commands, sorted(named - commands)
