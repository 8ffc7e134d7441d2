"""Advisor command line: open a case, carry it and its candidates' journeys along, read it.

Every action takes its input from flags or from a JSON/YAML file (``--file``; flags
override the file). Input is validated by the same pydantic models the workflows use
before anything reaches Temporal: a bad field exits with code 2 and names the field.
An action the case rejects (wrong stage, missing documents, dates that do not fit)
exits with code 1 and the reason. ``--json`` gives machine-readable output everywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import secrets
import sys
import types
import typing
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, FailureError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core import names
from core import search_attributes as sa
from core.client import connect
from core.config import Settings, get_settings
from core.names import undeliverable_workflow_id
from core.updates import execute_update
from core.validation import describe_validation_error
from models import case as case_models
from models import clock, occupations, programmes, staff
from models.case import (
    CASE_ID_ALPHABET,
    ActionReply,
    CaseId,
    CaseState,
    NewCase,
    NewCaseRequest,
    Stage,
    workflow_id_for,
)
from models.door import refusals
from models.journey import AddNote, JourneyView
from models.records import EmailResult, RepairWorkflow, ResendEmail
from models.summaries import case_static_details, case_static_summary
from process.definition import BY_MODEL, COMMANDS
from process.spec import ActionSpec
from starter.render import fmt_time, render_status, ui_link

ClientFactory = Callable[[], Awaitable[Client]]

EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2

__all__ = ["EXIT_BAD_INPUT", "EXIT_REJECTED", "main", "new_case_id", "ui_link"]


class InputError(Exception):
    """Bad command-line input, with the field it concerns."""


class Rejected(Exception):
    """The command cannot be carried out as things stand."""


def new_case_id() -> str:
    return "WC-" + "".join(secrets.choice(CASE_ID_ALPHABET) for _ in range(10))


# --- what each command does -------------------------------------------------------------

# Case-level advisor actions: command -> (update, input model).
CASE_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "complete-consultation": (names.Case.complete_consultation, case_models.CompleteConsultation),
    "select-candidates": (names.Case.select_candidates, case_models.SelectCandidates),
    "withdraw": (names.Case.withdraw, case_models.Withdraw),
    "close-case": (names.Case.close_case, case_models.CloseCase),
}

# Journey actions: one command per advisor action of the process definition (add-note is
# shared with the case and handled apart).
JOURNEY_ACTIONS: dict[str, ActionSpec] = {spec.command: spec for spec in COMMANDS if spec.model is not AddNote}

_SPECIAL_FLAGS = {"documents", "candidates"}  # parsed from repeatable REF:... flags


# --- argument parsing -------------------------------------------------------------------


def _first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text else None


def _help(text: str | None) -> str | None:
    """Help text for argparse, which formats it with %: a literal percent sign is doubled."""
    return text.replace("%", "%%") if text else None


def _add_model_flags(parser: argparse.ArgumentParser, model: type[BaseModel]) -> None:
    """One --flag per input field; values stay strings, the model validates them."""
    for name, field in model.model_fields.items():
        if name in ("advisor", "note") or name in _SPECIAL_FLAGS:
            continue
        flag = "--" + name.replace("_", "-")
        help_text = _help(field.description or ("required" if field.is_required() else None))
        if _is_bool(field.annotation):
            parser.add_argument(flag, dest=name, action="store_true", default=None, help=help_text)
        else:
            parser.add_argument(flag, dest=name, help=help_text)


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return bool in typing.get_args(annotation)
    return False


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")

    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("case_id", metavar="CASE_ID")
    actor.add_argument(
        "--advisor", default=os.environ.get("WC_ADVISOR"), help="your advisor handle (default: $WC_ADVISOR)"
    )
    actor.add_argument("--note", help="note for the audit trail (no personal data)")
    actor.add_argument("--file", type=Path, help="JSON or YAML file with the fields; flags override it")

    whose = argparse.ArgumentParser(add_help=False)  # reads an advisor's cases
    whose.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help="whose cases (default: $WC_ADVISOR)")

    journey = argparse.ArgumentParser(add_help=False)
    journey.add_argument(
        "--candidate", metavar="REF", help="the candidate's reference (needed when the case has several)"
    )

    parser = argparse.ArgumentParser(prog="bin/starter", description="Welcome Center case tracking")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new-case", parents=[common], help="open a case for an employer's vacancy")
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help="owning advisor (default: $WC_ADVISOR)")
    p.add_argument("--file", type=Path, help="JSON or YAML file with the case; flags override it")
    p.add_argument("--case-id", help="reuse a known id: repeating new-case with it is safe")
    p.add_argument("--employer-name")
    p.add_argument("--employer-sector")
    p.add_argument("--employer-contact", help="who at the company the Welcome Center talks to")
    p.add_argument(
        "--earlier-international-hires",
        choices=["yes", "no"],
        help="has the employer hired from abroad before?",
    )
    p.add_argument("--occupation", help="code from the occupation list, e.g. shk_installer (`occupations` lists them)")
    p.add_argument("--qualification-level", help="vocational, academic or trainee")
    p.add_argument("--monthly-gross-wage-eur", help="offered wage, EUR gross per month")
    p.add_argument("--positions", help="number of positions (default 1)")
    p.add_argument(
        "--route",
        help=_help(
            "the residence route (§ optional): "
            + "; ".join(f"{r.value}: {r.explained}" for r in case_models.ResidenceRoute)
        ),
    )
    for flag, what in [
        ("--regulated-profession", "§18b/§18g: does the degree lead to a regulated profession? (yes: recognition)"),
        ("--shortage-occupation-or-career-starter", "§18g: shortage occupation or career starter (lower threshold)"),
        ("--collective-agreement", "§19c(2): is the employer bound by a collective agreement?"),
    ]:
        p.add_argument(flag, choices=["yes", "no"], help=what)
    p.add_argument("--procedure", help="regular (default) or 81a")
    p.add_argument("--origin-programme", help='e.g. "THAMM Plus"')

    for command, (update, model) in CASE_ACTIONS.items():
        p = sub.add_parser(command, parents=[common, actor], help=_first_line(update.__doc__) or command)
        _add_model_flags(p, model)
    sub.choices["complete-consultation"].description = "Consultation done; opens candidate selection."
    sub.choices["select-candidates"].add_argument(
        "--candidate",
        dest="candidates",
        action="append",
        metavar="REF:COUNTRY[:45+]",
        help="opaque candidate reference and ISO country, e.g. THAMM-4711:TN; add :45+ when the candidate is "
        "45 or older at the first title (§18(2) Nr. 5 AufenthG; no birth date is stored) (repeatable)",
    )

    p = sub.add_parser("add-note", parents=[common, actor, journey], help="add a note to the case (or to one journey)")

    for command, spec in JOURNEY_ACTIONS.items():
        help_text = _first_line(spec.model.__doc__) or command.replace("-", " ")
        p = sub.add_parser(command, parents=[common, actor, journey], help=help_text)
        _add_model_flags(p, spec.model)
    sub.choices["record-documents"].add_argument(
        "--document",
        dest="documents",
        action="append",
        metavar="CODE:REFERENCE[:YYYY-MM-DD]",
        help="a document received, its reference in the document store and date (default today); repeatable",
    )

    p = sub.add_parser(
        "resend-email",
        parents=[common],
        help="send an undeliverable email once more (status and the operations view list them)",
    )
    p.add_argument("key", metavar="KEY", help="the email's key as status shows it, e.g. WC-0123456789/4/advisor")
    p.add_argument(
        "--advisor", default=os.environ.get("WC_ADVISOR"), help="your handle, for the audit (default: $WC_ADVISOR)"
    )

    p = sub.add_parser(
        "erase-case",
        parents=[common],
        help="erase a closed case on request: its histories, key and free text; the figures stay",
    )
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help="who erases (default: $WC_ADVISOR)")
    p.add_argument("--basis", help='why, e.g. "request of the candidate, 2026-11-20" (no personal data)')

    p = sub.add_parser(
        "repair",
        parents=[common],
        help="operations: reset a workflow whose history no longer replays (a failing workflow task, TMPRL1100)",
    )
    p.add_argument("workflow_id", metavar="WORKFLOW_ID", help="e.g. case-WC-0123456789-j1")
    p.add_argument("--advisor", default=os.environ.get("WC_ADVISOR"), help="who repairs (default: $WC_ADVISOR)")

    p = sub.add_parser("status", parents=[common], help="the whole case: journeys, open documents, history")
    p.add_argument("case_id", metavar="CASE_ID")

    p = sub.add_parser("report", parents=[common], help="the Welcome Center's figures from the case records")
    p.add_argument("--chart", type=Path, metavar="FILE.html", help="also write the figures with charts as HTML")
    p.add_argument("--as-of", help="count as of this day (YYYY-MM-DD, default today)")
    p.add_argument("--since", help="also count the people placed since this day (YYYY-MM-DD), e.g. 2024-03-01")

    sub.add_parser(
        "occupations", parents=[common], help="the occupation codes new-case takes, with their KldB 2010 codes"
    )

    p = sub.add_parser(
        "calendar",
        parents=[whose],
        help="an advisor's open deadlines as an iCalendar file (RFC 5545): calendar --advisor X > deadlines.ics",
    )
    p.add_argument(
        "--subscription-url",
        action="store_true",
        help="print the address a calendar app subscribes to (served by the worker; needs WC_CALENDAR_SECRET)",
    )

    sub.add_parser(
        "digest",
        parents=[common, whose],
        help="an advisor's week: deadlines of the next two weeks, overdue, quiet cases (as the Monday email)",
    )

    p = sub.add_parser(
        "import",
        parents=[common],
        help="past cases from a CSV or XLSX file (one row per candidate journey; again: changes nothing); "
        "--dry-run checks every row",
    )
    p.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    p.add_argument("--dry-run", action="store_true", help="check every row and column, change nothing")
    p.add_argument(
        "--advisor",
        default=os.environ.get("WC_ADVISOR"),
        help="who imports (recorded with every case; its advisor) (default: $WC_ADVISOR)",
    )

    p = sub.add_parser("list", parents=[common], help="cases, newest first")
    p.add_argument("--stage", help="only cases in this stage")
    p.add_argument("--open", action="store_true", help="only running cases")
    p.add_argument("--limit", type=int, default=50)
    return parser


def command_names() -> set[str]:
    """Every subcommand the starter runs (the README and ``status`` name only these)."""
    parser = _build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


# --- input ------------------------------------------------------------------------------------


def _validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        value = model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as err:
        raise InputError(describe_validation_error(err)) from None
    if found := refusals(value):  # the workflows' validators refuse it too
        raise InputError("; ".join(found))
    return value


def rejection_reason(err: WorkflowUpdateFailedError, language: str = "en") -> str:
    """Why the workflow refused: the innermost cause (a rule's message, or the field a
    payload did not fit), without the wrappers' type prefixes; a rule's message in
    ``language`` when it travelled as a template (CaseRuleViolation's detail)."""
    cause: BaseException | None = err.cause
    while isinstance(cause, FailureError) and cause.cause is not None:
        cause = cause.cause
    if language != "en" and isinstance(cause, ApplicationError) and cause.type == "CaseRuleViolation":
        from core.i18n import Text
        from models.said import Said

        try:
            return Text(language).said(Said.model_validate(cause.details[0]))
        except Exception:  # noqa: BLE001 - no template (an older worker): the English message
            pass
    reason = getattr(cause, "message", None) or str(cause or err)
    return re.sub(r"^(\w+(Error|Exception): )+", "", reason)


def _case_id(raw: str) -> str:
    try:
        return TypeAdapter(CaseId).validate_python(raw.strip().upper())
    except ValidationError:
        raise InputError(f"case_id: '{raw}' is not a case id (expected WC- and 10 characters)") from None


def _read_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"file: cannot read {path}: {err.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise InputError(f"file: {path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {err}") from None
    if not isinstance(data, dict):
        raise InputError(f"file: {path} must hold one object with the fields")
    return data


def _candidates(raw: list[str] | None) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    result = []
    for item in raw:
        parts = item.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "45+"):
            raise InputError(f"candidates: '{item}' must be REF:COUNTRY or REF:COUNTRY:45+, e.g. THAMM-4711:TN")
        candidate: dict[str, Any] = {"candidate_ref": parts[0], "origin_country": parts[1]}
        if len(parts) == 3:
            candidate["aged_45_or_over_at_first_title"] = True
        result.append(candidate)
    return result


def _documents(raw: list[str] | None) -> list[dict[str, str]] | None:
    if raw is None:
        return None
    result = []
    for item in raw:
        parts = item.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise InputError(f"documents: '{item}' must be CODE:REFERENCE or CODE:REFERENCE:YYYY-MM-DD")
        received_on = parts[2] if len(parts) == 3 else clock.today().isoformat()
        result.append({"code": parts[0], "reference": parts[1], "received_on": received_on})
    return result


def _action_fields(args: argparse.Namespace, model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields from the file, overridden by the flags given."""
    data = _read_file(getattr(args, "file", None))
    for name in model.model_fields:
        value = getattr(args, name, None)
        if name == "candidates":
            value = _candidates(value)
        elif name == "documents":
            value = _documents(value)
        if value is not None:
            data[name] = value
        elif name not in data and _is_bool(model.model_fields[name].annotation):
            data[name] = False  # a yes/no flag not given means no
    return data


# --- commands ---------------------------------------------------------------------------


async def start_case(
    client: Client,
    new_case: NewCase,
    task_queue: str,
    if_running: WorkflowIDConflictPolicy = WorkflowIDConflictPolicy.USE_EXISTING,
) -> WorkflowHandle[Any, Any]:
    """Start a case's workflow: deterministic id, and what the Web UI shows for it. A repeated
    new-case with the same id returns the existing case instead of failing (``if_running``)."""
    return await client.start_workflow(
        names.Case.workflow,
        new_case,
        result_type=CaseState,
        id=workflow_id_for(new_case.case_id),
        task_queue=task_queue,
        id_conflict_policy=if_running,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=case_static_summary(new_case),
        static_details=case_static_details(new_case),
    )


async def _new_case(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    data = _read_file(args.file)
    employer = dict(data.pop("employer", None) or {})
    for flag, key in [
        ("employer_name", "name"),
        ("employer_sector", "sector"),
        ("employer_contact", "contact"),
    ]:
        if getattr(args, flag) is not None:
            employer[key] = getattr(args, flag)
    if args.earlier_international_hires is not None:
        employer["earlier_international_hires"] = args.earlier_international_hires == "yes"
    for name in ("regulated_profession", "shortage_occupation_or_career_starter", "collective_agreement"):
        if getattr(args, name) is not None:
            data[name] = getattr(args, name) == "yes"
    for name in (
        "advisor",
        "occupation",
        "qualification_level",
        "monthly_gross_wage_eur",
        "positions",
        "route",
        "procedure",
        "origin_programme",
    ):
        if getattr(args, name) is not None:
            data[name] = getattr(args, name)
    case_id = _case_id(args.case_id or data.pop("case_id", None) or new_case_id())
    new_case = _validate(NewCaseRequest, {**data, "case_id": case_id, "employer": employer})
    client = await get_client()
    handle = await start_case(client, new_case, settings.task_queue)
    if args.json:
        _print_json(out, {"case_id": case_id, "workflow_id": handle.id, "ui": ui_link(settings, case_id)})
    else:
        out.write(f"{case_id}\n")
    return 0


async def _case_action(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    update, model = CASE_ACTIONS[args.command]
    case_id = _case_id(args.case_id)
    action = _validate(model, {"advisor": args.advisor, "note": args.note, **_action_fields(args, model)})
    client = await get_client()
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    reply: ActionReply = await execute_update(handle, update, action, result_type=ActionReply)
    await _report_case(args, out, handle, reply, settings)
    return 0


async def _journey_action(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    case_id = _case_id(args.case_id)
    is_note = args.command == "add-note"
    if is_note:
        model: type[BaseModel] = AddNote if args.candidate else case_models.AddCaseNote
    else:
        model = JOURNEY_ACTIONS[args.command].model
    fields = {"advisor": args.advisor, "note": args.note, **_action_fields(args, model)}
    action = _validate(model, fields)  # before connecting: bad input never reaches Temporal
    client = await get_client()
    case_handle = client.get_workflow_handle(workflow_id_for(case_id))
    state: CaseState = await case_handle.query(names.Case.status, result_type=CaseState)

    if is_note and not args.candidate:
        reply = await execute_update(case_handle, names.Case.add_note, action, result_type=ActionReply)
        await _report_case(args, out, case_handle, reply, settings)
        return 0
    journey_handle = _journey_handle(client, state, args.candidate)
    # The journey's Update is named after the action (process/definition.py).
    update = BY_MODEL[type(action)].update
    reply = await execute_update(journey_handle, update, action, result_type=ActionReply)
    if args.json:  # the whole journey after the step
        view: JourneyView = await journey_handle.query(names.Journey.status, result_type=JourneyView)
        _print_json(out, view.model_dump(mode="json"))
    else:
        from core.i18n import Text

        t = Text(settings.language)
        ref = next(j.candidate_ref for j in state.journeys if j.workflow_id == journey_handle.id)
        docs = t("; open documents: {documents}", documents=", ".join(reply.open_documents))
        out.write(
            t(
                "{case} / {ref}: {summary} (stage: {stage})",
                case=case_id,
                ref=ref,
                summary=t.said(reply.says or reply.summary),
                stage=reply.stage,
            )
            + (docs if reply.open_documents else "")
            + "\n"
        )
    return 0


def _journey_handle(client: Client, state: CaseState, candidate: str | None) -> WorkflowHandle[Any, Any]:
    if not state.journeys:
        raise InputError(f"candidate: case {state.case_id} has no candidate journeys yet (stage {state.stage.value})")
    refs = [j.candidate_ref for j in state.journeys]
    if candidate is None:
        if len(state.journeys) > 1:
            raise InputError(f"candidate: required, the case has several candidates: {', '.join(refs)}")
        return client.get_workflow_handle(state.journeys[0].workflow_id)
    wanted = candidate.strip().upper()
    for journey in state.journeys:
        if journey.candidate_ref == wanted:
            return client.get_workflow_handle(journey.workflow_id)
    raise InputError(f"candidate: '{candidate}' is not a candidate of case {state.case_id} ({', '.join(refs)})")


async def _report_case(
    args: argparse.Namespace, out: TextIO, handle: WorkflowHandle[Any, Any], reply: ActionReply, settings: Settings
) -> None:
    if args.json:  # the whole case after the step
        state: CaseState = await handle.query(names.Case.status, result_type=CaseState)
        _print_json(out, state.model_dump(mode="json"))
    else:
        from core.i18n import Text

        t = Text(settings.language)
        case = handle.id.removeprefix("case-")
        summary = t.said(reply.says or reply.summary)
        out.write(t("{case}: {summary} (stage: {stage})", case=case, summary=summary, stage=reply.stage) + "\n")


async def _status(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    case_id = _case_id(args.case_id)
    client = await get_client()
    state: CaseState = await client.get_workflow_handle(workflow_id_for(case_id)).query(
        names.Case.status, result_type=CaseState
    )
    journeys: list[JourneyView] = [
        await client.get_workflow_handle(j.workflow_id).query(names.Journey.status, result_type=JourneyView)
        for j in state.journeys
    ]
    emails, unreadable = _undeliverable_emails(settings, case_id)
    if args.json:
        _print_json(
            out,
            {
                **state.model_dump(mode="json"),
                "journeys": [j.model_dump(mode="json") for j in journeys],
                "undeliverable_emails": emails,
                "ui": ui_link(settings, case_id),
            },
        )
    else:
        out.write(render_status(state, journeys, settings, emails, unreadable))
    return 0


_EMAIL_KEY = re.compile(r"(case-)?WC-[0-9A-Z]{10}(-j[0-9]{1,3})?/[0-9]{1,6}/[a-z_]{1,20}")


async def _resend_email(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    key = args.key.strip()
    if not _EMAIL_KEY.fullmatch(key):
        raise InputError(f"key: '{args.key}' is not an email key (like WC-0123456789/4/advisor; see status)")
    request = _validate(ResendEmail, {"advisor": args.advisor})
    client = await get_client()
    handle = client.get_workflow_handle(undeliverable_workflow_id(key))
    try:
        result = await execute_update(handle, names.UndeliverableEmail.resend, request, result_type=EmailResult)
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND and "already completed" in e.message:
            err_text = "the email has been sent already"
        elif e.status is RPCStatusCode.NOT_FOUND:
            err_text = f"no undeliverable email with key {key}"
        else:
            raise
        raise Rejected(err_text) from None
    if args.json:
        _print_json(out, result.model_dump(mode="json"))
    else:
        out.write(f"{key}: sent\n")
    return 0


async def _erase_case(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from activities.erasure import case_is_running, erase_case
    from records import erasure
    from records.database import create_records_engine, migrate

    case_id = _case_id(args.case_id)
    request = _validate(case_models.EraseCase, {"advisor": args.advisor, "basis": args.basis})
    client = await get_client()
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)
        # A second run finishes what an interrupted one began; else only a closed case.
        if not erasure.erased(engine, case_id):
            running = await case_is_running(client, case_id)
            if running is None:
                raise Rejected(f"no case {case_id}")
            if running:
                state: CaseState = await client.get_workflow_handle(workflow_id_for(case_id)).query(
                    names.Case.status, result_type=CaseState
                )
                raise Rejected(
                    f"case {case_id} is open (stage {state.stage.value}): only a closed case can be erased; "
                    "close it first (close-case or withdraw)"
                )
        f = await erase_case(
            engine, client, settings.temporal_namespace, settings.mail_sink_dir, case_id, request.advisor, request.basis
        )
    finally:
        engine.dispose()
    if args.json:
        _print_json(out, f.as_dict())
    else:
        out.write(
            f"{case_id}: erased ({f.workflow_executions_deleted} workflow execution(s) deleted, {f.events_scrubbed} "
            f"event(s) and {f.emails_scrubbed} email(s) scrubbed, case key "
            f"{'destroyed' if f.case_key_destroyed else 'already gone'}, {f.mail_files_removed} mail file(s) "
            "removed); the figures keep its facts\n"
        )
    return 0


async def _repair(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from starter.repair import repair  # the replayer and the workflows: only for this command
    from workflows.registry import WORKFLOWS

    request = _validate(RepairWorkflow, {"advisor": args.advisor, "workflow_id": args.workflow_id})
    client = await get_client()
    try:
        diagnosis, new_run = await repair(client, request.workflow_id, request.advisor, WORKFLOWS, settings)
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND:
            raise Rejected(f"no workflow {request.workflow_id}") from None
        raise
    if args.json:
        _print_json(out, {**dataclasses.asdict(diagnosis), "new_run_id": new_run})
    elif diagnosis.replays:
        out.write(f"{request.workflow_id}: its history replays; nothing to repair\n")
    elif new_run is None:
        raise Rejected(f"{request.workflow_id} does not replay and a reset does not mend it: {diagnosis.failure}")
    else:
        out.write(
            f"{request.workflow_id}: reset to event {diagnosis.reset_to_event_id} (its history did not replay at "
            f"event {diagnosis.failing_event_id}); the later updates and signals run again in run {new_run}\n"
        )
    return 0 if diagnosis.replays or new_run else EXIT_REJECTED


def _undeliverable_emails(settings: Settings, case_id: str) -> tuple[list[dict[str, Any]], str | None]:
    """The case's emails marked undeliverable in the records (or why they cannot be read)."""
    # Only here: the records database (and SQLAlchemy) is not needed by other reads.
    from sqlalchemy.exc import SQLAlchemyError

    from records import outbox
    from records.database import create_records_engine

    try:
        engine = create_records_engine(settings.database_url)
        try:
            rows = outbox.undeliverable(engine, case_id)
        finally:
            engine.dispose()
    except SQLAlchemyError as e:
        return [], f"the records database cannot be read ({type(e).__name__})"
    return [dict(r._mapping) for r in rows], None


async def _occupations(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    listed = occupations.load_occupations(settings.occupations_file)
    rows = [{"code": code, "kldb": o.kldb, "name": o.name} for code, o in listed.occupations.items()]
    if args.json:
        _print_json(out, {"source": listed.source, "verified": listed.verified, "occupations": rows})
        return 0
    width = max(len(r["code"]) for r in rows)
    for r in rows:
        out.write(f"{r['code']:<{width}}  KldB {r['kldb']}  {r['name']}\n")
    checked = "" if listed.verified else " (KldB codes not yet verified)"
    out.write(f"\nSource: {listed.source}{checked}; list: {settings.occupations_file}\n")
    return 0


async def _import(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from core.i18n import Text
    from starter import importing

    t = Text(settings.language)
    advisor = None if args.dry_run else _staff_handle(args.advisor)
    try:
        checked = importing.check(args.file, clock.today())
    except (OSError, ValueError) as e:
        raise InputError(str(e) if str(e).startswith("file:") else f"file: {e}") from None
    rows = [row for _, row in checked.rows]
    figures: dict[str, Any] = {
        "rows": len(rows),
        "cases": len({r.case_ref for r in rows}),
        "journeys": sum(1 for r in rows if r.candidate_ref),
        "placed": sum(1 for r in rows if r.probation_passed_on),
        "problems": [str(p) for p in checked.problems],
    }
    if checked.problems or args.dry_run:
        if args.json:
            _print_json(out, figures)
        else:
            for problem in checked.problems:
                out.write(f"{problem}\n")
            out.write(
                t(
                    "{rows} row(s) valid: {cases} case(s), {journeys} journey(s), {placed} placed; {n} problem(s)",
                    **{k: figures[k] for k in ("rows", "cases", "journeys", "placed")},
                    n=len(checked.problems),
                )
                + (t("; nothing imported") if checked.problems else "")
                + "\n"
            )
        return EXIT_BAD_INPUT if checked.problems else 0
    assert advisor is not None
    client = await get_client()
    started, unchanged = [], []
    for new_case in importing.cases(checked, args.file.name, advisor):
        try:  # an id that exists (running or ended) was imported before: left as it is
            await start_case(client, new_case, settings.task_queue, if_running=WorkflowIDConflictPolicy.FAIL)
            started.append(new_case.case_id)
        except WorkflowAlreadyStartedError:
            unchanged.append(new_case.case_id)
    figures |= {"imported": started, "already_imported": unchanged}
    if args.json:
        _print_json(out, figures)
    else:
        out.write(
            t(
                "{imported} case(s) imported, {unchanged} already imported (left as they are); "
                "{journeys} journey(s) in the file, {placed} placed",
                imported=len(started),
                unchanged=len(unchanged),
                journeys=figures["journeys"],
                placed=figures["placed"],
            )
            + "\n"
            + t("see them with: {commands}", commands="bin/starter list --open, bin/starter report")
            + "\n"
        )
    return 0


def _staff_handle(given: str | None) -> str:
    if not given:
        raise InputError("advisor: missing (give --advisor or set WC_ADVISOR)")
    handle = given.strip()
    if not re.fullmatch(r"[a-z][a-z0-9._-]{1,40}", handle):
        raise InputError("advisor: a staff handle such as m.koch")
    if reason := staff.refusal(handle, frozenset(staff.Role)):
        raise InputError(reason)
    return handle


async def _digest(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from activities.digest import collect, render
    from core.i18n import Text

    handle = _staff_handle(args.advisor)
    role = staff.role_of(handle)
    digest = await collect(await get_client(), settings, handle, role.value if role else "advisor", clock.today())
    t = Text(settings.language)
    if args.json:
        data = digest.model_dump(mode="json")
        for section in ("overdue", "due_soon", "quiet", "escalated"):
            for item, shown in zip(getattr(digest, section), data[section], strict=True):
                shown["what"] = t.said(item.what)  # as the email says it
        _print_json(out, data)
    else:
        out.write(render(digest, t)[1])
    return 0


async def _calendar(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from starter.calendar import calendar_for, subscription_url

    advisor = _staff_handle(args.advisor)
    if args.subscription_url:
        url = subscription_url(settings, advisor)
        if url is None:
            raise InputError("calendar_secret: not set (WC_CALENDAR_SECRET), so the worker serves no calendars")
        out.write(url + "\n")
        return 0
    out.write((await calendar_for(await get_client(), settings, advisor)).decode())
    return 0


async def _list(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    query = "WorkflowType = 'CaseWorkflow'"
    if args.stage:
        query += f" AND {sa.CASE_STAGE.name} = '{_validate_stage(args.stage)}'"
    if args.open:
        query += " AND ExecutionStatus = 'Running'"
    client = await get_client()
    rows = []
    async for wf in client.list_workflows(query, limit=args.limit):
        attrs = wf.typed_search_attributes
        rows.append(
            {
                "case_id": attrs.get(sa.CASE_ID) or wf.id.removeprefix("case-"),
                "stage": attrs.get(sa.CASE_STAGE),
                "route": attrs.get(sa.RESIDENCE_ROUTE),
                "procedure": attrs.get(sa.PROCEDURE),
                "advisor": attrs.get(sa.ADVISOR),
                "origin_countries": list(attrs.get(sa.ORIGIN_COUNTRIES) or []),
                "outcome": attrs.get(sa.CASE_OUTCOME),
                "status": wf.status.name.lower() if wf.status else None,
                "opened_at": wf.start_time,
            }
        )
    if args.json:
        _print_json(out, rows)
        return 0
    out.write(f"{'CASE':<14} {'STAGE':<20} {'ROUTE':<6} {'PROC':<8} {'ADVISOR':<12} {'OUTCOME':<16} OPENED\n")
    for r in rows:
        opened: Any = r["opened_at"]
        out.write(
            f"{r['case_id']:<14} {r['stage'] or '-':<20} {r['route'] or '-':<6} {r['procedure'] or '-':<8} "
            f"{r['advisor'] or '-':<12} {r['outcome'] or '-':<16} {fmt_time(opened)}\n"
        )
    out.write(f"{len(rows)} case(s)\n")
    return 0


async def _report(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from core.i18n import Text
    from records.database import create_records_engine, migrate
    from records.report import build_report
    from starter.report_output import render_html, render_table

    # Figures come from the SQL records, not from Temporal: no connection needed.
    as_of, since = (_day(name, getattr(args, name)) for name in ("as_of", "since"))
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)  # an empty records database reports zeros instead of failing
        report = build_report(engine, as_of, since)
    finally:
        engine.dispose()
    if args.chart:
        args.chart.write_text(render_html(report), encoding="utf-8")
    if args.json:
        _print_json(out, report.model_dump(mode="json"))
    else:
        out.write(render_table(report, Text(settings.language)))
        if args.chart:
            out.write(f"\nChart: {args.chart}\n")
    return 0


def _day(name: str, raw: str | None) -> date | None:
    try:
        return TypeAdapter(date).validate_python(raw) if raw else None
    except ValidationError:
        raise InputError(f"{name}: '{raw}' is not a date (YYYY-MM-DD)") from None


def _validate_stage(raw: str) -> str:
    try:
        return Stage(raw.strip().lower()).value
    except ValueError:
        raise InputError(f"stage: '{raw}' is not one of {', '.join(s.value for s in Stage)}") from None


def _print_json(out: TextIO, data: Any) -> None:
    out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _prefixes(settings: Settings) -> tuple[str, str]:
    """ "error" and "rejected" in the office's language (the messages name fields in English)."""
    if settings.language == "en":
        return "error", "rejected"  # no Babel import for the source texts
    from core.i18n import Text

    t = Text(settings.language)
    return t("error"), t("rejected")


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
        staff.use(staff.load_staff(settings.staff_file))  # unknown handles are refused before Temporal
        programmes.use(programmes.load_programmes(settings.programmes_file))
        occupations.use(occupations.load_occupations(settings.occupations_file))
    except ValueError as e:
        err.write(f"error: {e}\n")
        return EXIT_BAD_INPUT
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    commands = {
        "new-case": _new_case,
        "status": _status,
        "list": _list,
        "occupations": _occupations,
        "report": _report,
        "resend-email": _resend_email,
        "erase-case": _erase_case,
        "repair": _repair,
        "calendar": _calendar,
        "digest": _digest,
        "import": _import,
    }
    if args.command in CASE_ACTIONS:
        command = _case_action
    else:
        command = commands.get(args.command, _journey_action)

    async def get_client() -> Client:
        # Connect only after the input is valid: bad input never reaches Temporal.
        return client if client is not None else await connect(settings)

    error, rejected = _prefixes(settings)
    try:
        return await command(args, get_client, settings, out)
    except InputError as e:
        err.write(f"{error}: {e}\n")
        return EXIT_BAD_INPUT
    except ValidationError as e:
        err.write(f"{error}: {describe_validation_error(e)}\n")
        return EXIT_BAD_INPUT
    except Rejected as e:
        err.write(f"{rejected}: {e}\n")
        return EXIT_REJECTED
    except WorkflowUpdateFailedError as e:
        err.write(f"{rejected}: {rejection_reason(e, settings.language)}\n")
        return EXIT_REJECTED
    except RuntimeError as e:  # the SDK's connection failure
        err.write(f"{error}: cannot reach Temporal at {settings.temporal_address}: {e}\n")
        return EXIT_REJECTED
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND and "already completed" in e.message:
            err.write(f"{rejected}: the case (or journey) is closed; nothing can change\n")
        elif e.status is RPCStatusCode.NOT_FOUND:
            err.write(f"{error}: case not found ({e.message})\n")
        else:
            err.write(f"{error}: Temporal answered {e.status.name}: {e.message}\n")
        return EXIT_REJECTED
