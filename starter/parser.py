"""The starter's command line: every command and its flags. The journey's commands and their
flags come from the process definition and the action models (process/definition.py), the
case's from the case models: a changed definition changes the parser."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core import names
from models import case as case_models
from models.journey import AddNote
from process.definition import COMMANDS
from process.spec import ActionSpec
from starter.inputs import is_yes_no

# Case-level advisor actions: command -> (update, input model).
CASE_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "complete-consultation": (names.Case.complete_consultation, case_models.CompleteConsultation),
    "select-candidates": (names.Case.select_candidates, case_models.SelectCandidates),
    "withdraw": (names.Case.withdraw, case_models.Withdraw),
    "close-case": (names.Case.close_case, case_models.CloseCase),
    "change-offered-wage": (names.Case.change_offered_wage, case_models.ChangeOfferedWage),
}


# Journey actions: one command per advisor action of the process definition (add-note is
# shared with the case and handled apart).
JOURNEY_ACTIONS: dict[str, ActionSpec] = {spec.command: spec for spec in COMMANDS if spec.model is not AddNote}


_SPECIAL_FLAGS = {"documents", "candidates"}  # parsed from repeatable REF:... flags

Translate = Callable[[str], str]  # core.i18n.Text, or any text -> text (the extraction records)

# argparse's own texts a user meets (usage, headings, its error messages): translated by the
# same catalogue, swapped in while a parser is built and while it parses (#24 point 4).
ARGPARSE_TEXTS = (
    "usage: ",
    "positional arguments",
    "options",
    "show this help message and exit",
    "argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s",
    "the following arguments are required: %s",
    "expected one argument",
    "expected at most one argument",
    "expected at least one argument",
    "ambiguous option: %(option)s could match %(matches)s",
    "invalid %(type)s value: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "%(prog)s: error: %(message)s\n",
    "ignored explicit argument %r",
    "not allowed with argument %s",
    "unexpected option string: %s",
)


@contextlib.contextmanager
def argparse_speaking(t: Translate) -> Iterator[None]:
    """argparse looks its texts up through its module's ``_`` and ``ngettext``."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda text: t(text) if text in ARGPARSE_TEXTS else text  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: t(one) if n == 1 else t(many)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def parse(argv: list[str] | None, t: Translate) -> argparse.Namespace:
    """The command line read in the office's language (help and errors); exits as argparse does."""
    with argparse_speaking(t):
        return build_parser(t).parse_args(argv)


def _first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text else None


def _help(text: str | None) -> str | None:
    """Help text for argparse, which formats it with %: a literal percent sign is doubled."""
    return text.replace("%", "%%") if text else None


def _add_model_flags(parser: argparse.ArgumentParser, model: type[BaseModel], t: Translate) -> None:
    """One --flag per input field; values stay strings, the model validates them."""
    for name, field in model.model_fields.items():
        if name in ("advisor", "note") or name in _SPECIAL_FLAGS:
            continue
        flag = "--" + name.replace("_", "-")
        help_text = _help(t(field.description) if field.description else t("required") if field.is_required() else None)
        if is_yes_no(field.annotation):
            parser.add_argument(flag, dest=name, action="store_true", default=None, help=help_text)
        else:
            parser.add_argument(flag, dest=name, help=help_text)


def build_parser(t: Translate | None = None) -> argparse.ArgumentParser:
    """The parser, its texts in ``t``'s language (English source texts without one)."""
    if t is None:
        return _build(lambda text: text)
    with argparse_speaking(t):
        return _build(t)


def _build(translate: Translate) -> argparse.ArgumentParser:
    def t(text: str) -> str:
        return _help(translate(text)) or ""

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help=t("machine-readable output"))

    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("case_id", metavar="CASE_ID")
    actor.add_argument(
        "--advisor", default=os.environ.get("WC_ADVISOR"), help=t("your advisor handle (default: $WC_ADVISOR)")
    )
    actor.add_argument("--note", help=t("note for the audit trail (no personal data)"))
    actor.add_argument("--file", type=Path, help=t("JSON or YAML file with the fields; flags override it"))

    whose = argparse.ArgumentParser(add_help=False)  # reads an advisor's cases
    whose.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help=t("whose cases (default: $WC_ADVISOR)"))

    journey = argparse.ArgumentParser(add_help=False)
    journey.add_argument(
        "--candidate", metavar="REF", help=t("the candidate's reference (needed when the case has several)")
    )

    parser = argparse.ArgumentParser(prog="bin/starter", description=t("Welcome Center case tracking"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new-case", parents=[common], help=t("open a case for an employer's vacancy"))
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help=t("owning advisor (default: $WC_ADVISOR)"))
    p.add_argument("--file", type=Path, help=t("JSON or YAML file with the case; flags override it"))
    p.add_argument("--case-id", help=t("reuse a known id: repeating new-case with it is safe"))
    p.add_argument("--employer-name", help=t("the employer's name"))
    p.add_argument("--employer-sector", help=t("the employer's sector, e.g. SHK"))
    p.add_argument("--employer-contact", help=t("who at the company the Welcome Center talks to"))
    p.add_argument(
        "--earlier-international-hires",
        choices=["yes", "no"],
        help=t("has the employer hired from abroad before?"),
    )
    p.add_argument(
        "--occupation", help=t("code from the occupation list, e.g. shk_installer (`occupations` lists them)")
    )
    p.add_argument("--qualification-level", help=t("vocational, academic or trainee"))
    p.add_argument(
        "--monthly-gross-wage-eur", help=t("offered wage, EUR gross per month, with cents if need be (4647,50)")
    )
    p.add_argument("--positions", help=t("number of positions (default 1)"))
    p.add_argument(
        "--route",
        help=t("the residence route (§ optional):")
        + " "
        + "; ".join(f"{r.value}: {t(r.explained)}" for r in case_models.ResidenceRoute),
    )
    for flag, what in [
        ("--regulated-profession", "§18b/§18g: does the degree lead to a regulated profession? (yes: recognition)"),
        ("--shortage-occupation-or-career-starter", "§18g: shortage occupation or career starter (lower threshold)"),
        ("--collective-agreement", "§19c(2): is the employer bound by a collective agreement?"),
    ]:
        p.add_argument(flag, choices=["yes", "no"], help=t(what))
    p.add_argument("--procedure", help=t("regular (default) or 81a"))
    p.add_argument("--origin-programme", help=t('e.g. "THAMM Plus"'))
    p.add_argument(
        "--local-abh",
        help=t("the Ausländerbehörde where the worker will live: city_of_hannover, region_hannover or elsewhere"),
    )

    for command, (_update, model) in CASE_ACTIONS.items():
        p = sub.add_parser(command, parents=[common, actor], help=t(_first_line(model.__doc__) or command))
        _add_model_flags(p, model, translate)
    sub.choices["complete-consultation"].description = t("Consultation done; opens candidate selection.")
    sub.choices["select-candidates"].add_argument(
        "--candidate",
        dest="candidates",
        action="append",
        metavar="REF:COUNTRY[:45+]",
        help=t(
            "opaque candidate reference and ISO country, e.g. THAMM-4711:TN; add :45+ when the candidate is "
            "45 or older at the first title (§18(2) Nr. 5 AufenthG; no birth date is stored) (repeatable)"
        ),
    )

    p = sub.add_parser(
        "add-note", parents=[common, actor, journey], help=t("add a note to the case (or to one journey)")
    )

    for command, spec in JOURNEY_ACTIONS.items():
        help_text = t(_first_line(spec.model.__doc__) or command.replace("-", " "))
        p = sub.add_parser(command, parents=[common, actor, journey], help=help_text)
        _add_model_flags(p, spec.model, translate)
    sub.choices["record-documents"].add_argument(
        "--document",
        dest="documents",
        action="append",
        metavar="CODE:REFERENCE[:YYYY-MM-DD]",
        help=t("a document received, its reference in the document store and date (default today); repeatable"),
    )

    p = sub.add_parser(
        "resend-email",
        parents=[common],
        help=t("send an undeliverable email once more (status and the operations view list them)"),
    )
    p.add_argument("key", metavar="KEY", help=t("the email's key as status shows it, e.g. WC-0123456789/4/advisor"))
    p.add_argument(
        "--advisor", default=os.environ.get("WC_ADVISOR"), help=t("your handle, for the audit (default: $WC_ADVISOR)")
    )

    p = sub.add_parser(
        "erase-case",
        parents=[common],
        help=t("erase a closed case on request: its histories, key and free text; the figures stay"),
    )
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help=t("who erases (default: $WC_ADVISOR)"))
    p.add_argument("--basis", help=t('why, e.g. "request of the candidate, 2026-11-20" (no personal data)'))

    p = sub.add_parser(
        "repair",
        parents=[common],
        help=t("operations: reset a workflow whose history no longer replays (a failing workflow task, TMPRL1100)"),
    )
    p.add_argument("workflow_id", metavar="WORKFLOW_ID", help=t("e.g. case-WC-0123456789-j1"))
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help=t("who repairs (default: $WC_ADVISOR)"))

    sub.add_parser(
        "versions",
        parents=[common],
        help=t("operations: running workflows per code version, and which workflow.patched guards may retire"),
    )

    p = sub.add_parser("status", parents=[common], help=t("the whole case: journeys, open documents, history"))
    p.add_argument("case_id", metavar="CASE_ID")

    p = sub.add_parser("report", parents=[common], help=t("the Welcome Center's figures from the case records"))
    p.add_argument("--chart", type=Path, metavar="FILE.html", help=t("also write the figures with charts as HTML"))
    p.add_argument("--as-of", help=t("count as of this day (YYYY-MM-DD, default today)"))
    p.add_argument("--since", help=t("also count the people placed since this day (YYYY-MM-DD), e.g. 2024-03-01"))

    sub.add_parser(
        "occupations", parents=[common], help=t("the occupation codes new-case takes, with their KldB 2010 codes")
    )

    p = sub.add_parser(
        "calendar",
        parents=[whose],
        help=t("an advisor's open deadlines as an iCalendar file (RFC 5545): calendar --advisor X > deadlines.ics"),
    )
    feed = p.add_mutually_exclusive_group()
    feed.add_argument(
        "--subscription-url",
        action="store_true",
        help=t("a new address a calendar app subscribes to (the office service serves it; your earlier one stops)"),
    )
    feed.add_argument("--stop-subscription", action="store_true", help=t("your calendar address stops working"))

    sub.add_parser(
        "digest",
        parents=[common, whose],
        help=t("an advisor's week: deadlines of the next two weeks, overdue, quiet cases (as the Monday email)"),
    )

    p = sub.add_parser(
        "import",
        parents=[common],
        help=t(
            "past cases from a CSV or XLSX file (one row per candidate journey; again: changes nothing); "
            "--dry-run checks every row"
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    p.add_argument("--dry-run", action="store_true", help=t("check every row and column, change nothing"))
    p.add_argument(
        "--advisor",
        default=os.environ.get("WC_ADVISOR"),
        help=t("who imports (recorded with every case; its advisor) (default: $WC_ADVISOR)"),
    )

    p = sub.add_parser("list", parents=[common], help=t("cases, newest first"))
    p.add_argument("--stage", help=t("only cases in this stage"))
    p.add_argument("--open", action="store_true", help=t("only running cases"))
    p.add_argument("--limit", type=int, default=50)
    return parser


def command_names() -> set[str]:
    """Every subcommand the starter runs (the README and ``status`` name only these)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)
