"""Advisor command line: open a case, carry it and its candidates' journeys along, read it.

Every action takes its input from flags or from a JSON/YAML file (``--file``; flags
override the file). Input is validated by the same pydantic models the workflows use
before anything reaches Temporal: a bad field exits with code 2 and names the field.
An action the case rejects (wrong stage, missing documents, dates that do not fit)
exits with code 1 and the reason. ``--json`` gives machine-readable output everywhere.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from core.client import connect
from core.config import Settings, get_settings
from core.validation import describe_validation_error
from models import occupations, programmes, staff
from models.said import Said, say
from starter.cases import case_action_command, journey_action_command, list_command, new_case_command, status_command
from starter.inputs import EXIT_BAD_INPUT, EXIT_REJECTED, InputError, Rejected, rejection_reason
from starter.office import calendar_command, digest_command, import_command, occupations_command, report_command
from starter.operations import erase_case_command, repair_command, resend_email_command
from starter.parser import CASE_ACTIONS, parse
from starter.versions import versions_command

__all__ = ["EXIT_BAD_INPUT", "EXIT_REJECTED", "main"]


T = TypeVar("T")
_LOADED: dict[Path, tuple[int, Any]] = {}


def _once(path: Path, load: Callable[[Path], T]) -> T:
    """An office file, read again only when it changed: the office service runs every
    command in one process, and reading the three files took about 3 ms of each."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return load(path)  # says what is wrong with it, by the setting's name
    found = _LOADED.get(path)
    if found is None or found[0] != stamp:
        found = _LOADED[path] = (stamp, load(path))
    return cast(T, found[1])


def _language(settings: Settings) -> tuple[Callable[[str], str], Callable[[Said], str]]:
    """The office's language for what the starter says itself: its texts, and templates."""
    if settings.language == "en":
        return (lambda text: text), Said.english  # no Babel import for the source texts
    from core.i18n import Text

    text = Text(settings.language)
    return text, text.said


async def main(
    argv: Sequence[str] | None = None,
    client: Client | None = None,
    settings: Settings | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    settings = settings or get_settings()
    try:
        staff.use(_once(settings.staff_file, staff.load_staff))  # unknown handles are refused before Temporal
        programmes.use(_once(settings.programmes_file, programmes.load_programmes))
        occupations.use(_once(settings.occupations_file, occupations.load_occupations))
    except ValueError as e:
        err.write(f"error: {e}\n")
        return EXIT_BAD_INPUT
    try:
        t, said = _language(settings)
        # argparse writes help and usage errors to sys.stdout/sys.stderr itself: to ours here
        # (synchronously, so the office service's other requests never see the switch).
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parse(list(argv) if argv is not None else None, t)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from core.logging import configure_command_logging

    configure_command_logging()  # log lines on standard error: the answer alone on standard output
    commands = {
        "new-case": new_case_command,
        "status": status_command,
        "list": list_command,
        "occupations": occupations_command,
        "report": report_command,
        "resend-email": resend_email_command,
        "erase-case": erase_case_command,
        "repair": repair_command,
        "calendar": calendar_command,
        "digest": digest_command,
        "import": import_command,
        "versions": versions_command,
    }
    if args.command in CASE_ACTIONS:
        command = case_action_command
    else:
        command = commands.get(args.command, journey_action_command)

    async def get_client() -> Client:
        # Connect only after the input is valid: bad input never reaches Temporal.
        return client if client is not None else await connect(settings)

    error, rejected = t("error"), t("rejected")
    try:
        return await command(args, get_client, settings, out)
    except InputError as e:
        err.write(f"{error}: {e.render(said)}\n")
        return EXIT_BAD_INPUT
    except ValidationError as e:
        err.write(f"{error}: {describe_validation_error(e, said)}\n")
        return EXIT_BAD_INPUT
    except Rejected as e:
        err.write(f"{rejected}: {e.render(said)}\n")
        return EXIT_REJECTED
    except WorkflowUpdateFailedError as e:
        err.write(f"{rejected}: {rejection_reason(e, settings.language)}\n")
        return EXIT_REJECTED
    except RuntimeError as e:  # the SDK's connection failure
        why = say("cannot reach Temporal at {address}: {why}", address=settings.temporal_address, why=str(e))
        err.write(f"{error}: {said(why)}\n")
        return EXIT_REJECTED
    except RPCError as e:
        closed, why = rpc_refusal(e)
        err.write(f"{rejected if closed else error}: {said(why)}\n")
        return EXIT_REJECTED


# What Temporal says when a command meets a case (or journey) that has closed, also in the
# moment it closes (an Update then is aborted with the workflow).
_CLOSED = ("already completed", "aborted by closing workflow")


def rpc_refusal(e: RPCError) -> tuple[bool, Said]:
    """Temporal's refusal in the advisor's words: (whether the case is closed, why)."""
    if e.status is RPCStatusCode.NOT_FOUND and any(text in e.message for text in _CLOSED):
        return True, say("the case (or journey) is closed; nothing can change")
    if e.status is RPCStatusCode.NOT_FOUND:
        return False, say("case not found ({why})", why=e.message)
    return False, say("Temporal answered {status}: {why}", status=e.status.name, why=e.message)
