"""Which commands act and whose cases a command reads (#25): the service decides the actor
from these sets, so every command of the parser that takes --advisor must be in one of them."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

import pytest

from service.app import ACTORS, WHOSE, _actor_refusal, _as_person, _only_help
from starter.parser import build_parser

CASE = "WC-7M2K9Q4XTB"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_with_an_advisor_is_an_actor_or_reads_whose_cases() -> None:
    takes_advisor = {
        name for name, p in _subcommands().items() if any("--advisor" in a.option_strings for a in p._actions)
    }
    takes_case = {name for name, p in _subcommands().items() if any(a.dest == "case_id" for a in p._actions)}
    assert takes_advisor == ACTORS | WHOSE | (takes_case - {"status"})


@pytest.mark.parametrize(
    ("argv", "runs", "refused"),
    [
        (["add-note", CASE, "--note", "x"], ["add-note", CASE, "--note", "x", "--advisor", "m.koch"], False),
        (["add-note", CASE, "--advisor", "m.koch"], ["add-note", CASE, "--advisor", "m.koch"], False),
        (["add-note", CASE, "--advisor", "t.lead"], None, True),
        (["erase-case", CASE, "--advisor=t.lead"], None, True),
        (["add-note", CASE, "--advisor=m.koch"], ["add-note", CASE, "--advisor", "m.koch"], False),
        (["digest"], ["digest", "--advisor", "m.koch"], False),
        (["calendar", "--advisor", "a.yilmaz"], ["calendar", "--advisor", "a.yilmaz"], False),  # reads, not acts
        (["calendar", "--subscription-url"], ["calendar", "--subscription-url", "--advisor", "m.koch"], False),
        (["calendar", "--advisor", "a.yilmaz", "--subscription-url"], None, True),  # mints for oneself only
        (["calendar", "--advisor", "a.yilmaz", "--stop-subscription"], None, True),
        (["list", "--open"], ["list", "--open"], False),
        (["status", CASE], ["status", CASE], False),
        (["new-case", "--help"], ["new-case", "--help"], False),
    ],
)
def test_the_actor_is_the_person_signed_in(
    argv: list[str], runs: list[str] | None, refused: bool, tmp_path: Path
) -> None:
    result, why, _ = _as_person(argv, "m.koch", {}, tmp_path)
    assert (why is not None) == refused
    if runs is not None:
        assert result == runs


@pytest.mark.parametrize(
    "argv",
    [
        ["new-case", "--file", "/etc/passwd"],
        ["new-case", "--file=/etc/passwd"],
        ["import", "/srv/records.csv"],
        ["import", "--dry-run", "--advisor", "m.koch", "/srv/records.csv"],
    ],
)
def test_the_service_never_reads_a_file_of_its_own_machine(argv: list[str], tmp_path: Path) -> None:
    _, why, _ = _as_person(argv, "m.koch", {}, tmp_path)
    assert why is not None and "send the file itself" in why.english()


def test_sent_files_are_read_and_written_files_come_back(tmp_path: Path) -> None:
    sent = {"2": base64.b64encode(b"employer_name: X").decode()}
    argv, why, written = _as_person(["new-case", "--file", "mine.yaml"], "m.koch", sent, tmp_path)
    assert why is None and Path(argv[2]).read_bytes() == b"employer_name: X" and Path(argv[2]).parent == tmp_path
    argv, why, written = _as_person(["report", "--chart", "/home/me/figures.html"], "m.koch", {}, tmp_path)
    assert why is None and written == {2: Path(argv[2])} and Path(argv[2]).parent == tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        # argparse keeps the last --advisor, and takes a shortened flag
        ["erase-case", CASE, "--advisor", "m.koch", "--advisor", "t.lead", "--basis", "request of the candidate"],
        ["add-note", CASE, "--note", "x", "--advisor", "m.koch", "--adv", "t.lead"],
        # an option before the case id: the case id is not where a naive reading looks
        ["add-note", "--advisor", "t.lead", CASE, "--note", "x"],
        ["calendar", "--advisor=a.yilmaz", "--subscription-url"],
    ],
)
def test_no_way_of_writing_the_command_line_names_another_actor(argv: list[str], tmp_path: Path) -> None:
    """What the service checks is what the parser will take (found in review: the first
    --advisor, or the one beside the case id, was checked; the parser took another)."""
    runs, why, _ = _as_person(argv, "m.koch", {}, tmp_path)
    why = why or _actor_refusal(runs, "m.koch")
    assert why is not None and "you are signed in as m.koch" in why.english()


@pytest.mark.parametrize(
    ("argv", "help_only"),
    [
        (["--help"], True),
        (["new-case", "--help"], True),
        (["import", "--advisor", "t.lead", "--dry-run", "--", "-h"], False),  # a file named -h: a real command
        (["list", "--open"], False),
        ([], False),
    ],
)
def test_before_signing_in_only_help_is_answered(argv: list[str], help_only: bool) -> None:
    assert _only_help(argv) is help_only
