"""Every command's --help answers (a help text with a literal % once crashed new-case's),
in German by default and without an English sentence (#24 point 4), in English on request;
the occupation list the new-case help points to is printed: no server needed."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from core.config import get_settings
from models import occupations
from starter.cli import main
from starter.parser import command_names
from tests.english import assert_german


async def _run(*argv: str, language: str = "en") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    settings = get_settings().model_copy(update={"language": language})
    with contextlib.redirect_stdout(io.StringIO()) as printed, contextlib.redirect_stderr(io.StringIO()) as errors:
        code = await main(list(argv), settings=settings, out=out, err=err)  # argparse prints help itself
    return code, printed.getvalue() + errors.getvalue() + out.getvalue() + err.getvalue()


@pytest.mark.parametrize("command", sorted(command_names()))
async def test_every_commands_help_answers_in_german_and_in_english(command: str) -> None:
    code, text = await _run(command, "--help", language="de")
    assert code == 0 and f"Aufruf: bin/starter {command}" in text, text
    assert_german(text, f"{command} --help")
    code, text = await _run(command, "--help")
    assert code == 0 and f"usage: bin/starter {command}" in text, text


@pytest.mark.parametrize(
    ("argv", "german"),
    [
        (["bogus"], "Fehler: Argument COMMAND: ungültige Auswahl: 'bogus'"),
        (["status"], "Fehler: folgende Angaben fehlen: CASE_ID"),
        (["new-case", "--earlier-international-hires", "vielleicht"], "ungültige Auswahl: 'vielleicht'"),
        (["list", "--limit", "viele"], "ungültiger Wert (int): 'viele'"),
        (["status", "WC-0123456789", "--bogus"], "Fehler: unbekannte Angaben: --bogus"),
    ],
)
async def test_the_command_lines_own_errors_are_german(argv: list[str], german: str) -> None:
    code, text = await _run(*argv, language="de")
    assert code == 2 and german in text, text
    assert_german(text, " ".join(argv))


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
