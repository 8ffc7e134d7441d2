"""Every command's --help answers (a help text with a literal % once crashed new-case's),
and the occupation list the new-case help points to is printed: no server needed."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from models import occupations
from starter.cli import main
from starter.parser import command_names


async def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()) as printed:  # argparse prints --help itself
        code = await main(list(argv), out=out, err=err)
    return code, printed.getvalue() + out.getvalue() + err.getvalue()


@pytest.mark.parametrize("command", sorted(command_names()))
async def test_every_commands_help_answers(command: str) -> None:
    code, text = await _run(command, "--help")
    assert code == 0 and f"usage: bin/starter {command}" in text, text


async def test_new_case_help_explains_the_routes_and_the_occupation_codes() -> None:
    code, text = await _run("new-case", "--help")
    assert code == 0
    assert "45% of the BBG" in " ".join(text.split())
    assert "occupations" in text


async def test_occupations_lists_the_codes_with_their_kldb_codes() -> None:
    listed = occupations.load_occupations(occupations.DEFAULT_OCCUPATIONS_FILE)
    code, text = await _run("occupations")
    assert code == 0
    assert "shk_installer  " in text and "KldB 34212" in text
    assert "not yet verified" in text  # the list says what was not checked
    code, text = await _run("occupations", "--json")
    assert [o["code"] for o in json.loads(text)["occupations"]] == list(listed.occupations)
