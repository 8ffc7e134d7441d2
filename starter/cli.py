"""Advisor command line: start a case, advance it, read its status, list cases.

Input is validated by the same pydantic models the workflow uses before anything
reaches Temporal; a bad field exits with code 2 and names the field. An action the
case rejects (wrong stage, dates that do not fit) exits with code 1 and the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TextIO

from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.client import connect
from core.config import Settings, get_settings
from models.case import (
    CaseId,
    CaseState,
    CompleteConsultation,
    NewCase,
    RecordArrival,
    RecordBaConsent,
    RecordVisaDecision,
    SelectCandidates,
    Stage,
    Withdraw,
    workflow_id_for,
)
from workflows.case import CaseWorkflow

ClientFactory = Callable[[], Awaitable[Client]]

EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class InputError(Exception):
    """Bad command-line input, with the field it concerns."""


def new_case_id() -> str:
    return "WC-" + "".join(secrets.choice(_CROCKFORD) for _ in range(10))


def ui_link(settings: Settings, case_id: str) -> str:
    return (
        f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{settings.temporal_namespace}"
        f"/workflows/{workflow_id_for(case_id)}"
    )


# --- argument parsing -------------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")

    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("case_id", metavar="CASE_ID")
    actor.add_argument(
        "--advisor",
        default=os.environ.get("WC_ADVISOR"),
        help="your advisor handle, e.g. m.koch (default: $WC_ADVISOR)",
    )
    actor.add_argument("--note", help="free-text note for the audit trail (no personal data)")

    parser = argparse.ArgumentParser(
        prog="python -m starter", description="Welcome Center case tracking for advisors"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new-case", parents=[common], help="open a case after the first consultation request")
    p.add_argument(
        "--advisor", default=os.environ.get("WC_ADVISOR"), help="owning advisor (default: $WC_ADVISOR)"
    )
    p.add_argument("--employer-name", required=True)
    p.add_argument("--employer-sector")
    p.add_argument("--occupation", required=True, help='e.g. "Anlagenmechaniker SHK"')
    p.add_argument("--positions", type=int, default=1)
    p.add_argument("--route", required=True, help="18a, 18b, 16a, 16d1 or 16d3 (§ optional)")
    p.add_argument("--procedure", default="regular", help="regular or 81a")
    p.add_argument("--origin-programme", help='e.g. "THAMM Plus"')
    p.add_argument("--case-id", help="reuse a known id: repeating new-case with it is safe")

    p = sub.add_parser(
        "complete-consultation", parents=[common, actor], help="consultation done, open candidate selection"
    )
    p.add_argument(
        "--wage-meets-local-standard",
        action="store_true",
        help="confirm the wage is no worse than for domestic workers (§39(2) AufenthG)",
    )

    p = sub.add_parser("select-candidates", parents=[common, actor], help="record the selected candidates")
    p.add_argument(
        "--candidate",
        action="append",
        default=[],
        metavar="REF:COUNTRY",
        help="opaque candidate reference and ISO country, e.g. THAMM-4711:TN (repeatable)",
    )

    p = sub.add_parser(
        "record-ba-consent", parents=[common, actor], help="record the Agentur für Arbeit decision"
    )
    p.add_argument("--decision", required=True, help="granted or refused")
    p.add_argument("--path", required=True, help="vorabzustimmung, embassy or abh_81a")
    p.add_argument("--decided-on", required=True, help="YYYY-MM-DD")
    p.add_argument("--refusal-grounds")

    p = sub.add_parser(
        "record-visa-decision", parents=[common, actor], help="record the embassy's visa decision"
    )
    p.add_argument("--decision", required=True, help="issued or refused")
    p.add_argument("--decided-on", required=True, help="YYYY-MM-DD")
    p.add_argument("--valid-until", help="YYYY-MM-DD, from the visa label")

    p = sub.add_parser(
        "record-arrival", parents=[common, actor], help="record the arrival; closes the case as placed"
    )
    p.add_argument("--arrived-on", required=True, help="YYYY-MM-DD")

    p = sub.add_parser("withdraw", parents=[common, actor], help="end the case early")
    p.add_argument("--party", required=True, help="candidate, employer or welcome_center")
    p.add_argument("--reason", required=True)

    p = sub.add_parser("status", parents=[common], help="the whole state of one case")
    p.add_argument("case_id", metavar="CASE_ID")

    p = sub.add_parser("list", parents=[common], help="cases, newest first")
    p.add_argument("--stage", help="only cases in this stage")
    p.add_argument("--open", action="store_true", help="only running cases")
    p.add_argument("--limit", type=int, default=50)
    return parser


def _validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as err:
        raise InputError(_describe(err)) from None


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"])
        message = e["msg"].removeprefix("Value error, ")
        lines.append(f"{field}: {message}" if field else message)
    return "; ".join(lines)


def _case_id(raw: str) -> str:
    try:
        return TypeAdapter(CaseId).validate_python(raw.strip().upper())
    except ValidationError:
        raise InputError(f"case_id: '{raw}' is not a case id (expected WC- and 10 characters)") from None


def _candidates(raw: list[str]) -> list[dict[str, str]]:
    result = []
    for item in raw:
        ref, sep, country = item.rpartition(":")
        if not sep:
            raise InputError(f"candidates: '{item}' must be REF:COUNTRY, e.g. THAMM-4711:TN")
        result.append({"candidate_ref": ref, "origin_country": country})
    return result


# Advisor actions: command -> (update, input model, fields from the arguments)
_ACTIONS: dict[str, tuple[Any, type[BaseModel], Callable[[argparse.Namespace], dict[str, Any]]]] = {
    "complete-consultation": (
        CaseWorkflow.complete_consultation,
        CompleteConsultation,
        lambda a: {"wage_meets_local_standard": a.wage_meets_local_standard},
    ),
    "select-candidates": (
        CaseWorkflow.select_candidates,
        SelectCandidates,
        lambda a: {"candidates": _candidates(a.candidate)},
    ),
    "record-ba-consent": (
        CaseWorkflow.record_ba_consent,
        RecordBaConsent,
        lambda a: {
            "decision": a.decision,
            "path": a.path,
            "decided_on": a.decided_on,
            "refusal_grounds": a.refusal_grounds,
        },
    ),
    "record-visa-decision": (
        CaseWorkflow.record_visa_decision,
        RecordVisaDecision,
        lambda a: {"decision": a.decision, "decided_on": a.decided_on, "valid_until": a.valid_until},
    ),
    "record-arrival": (CaseWorkflow.record_arrival, RecordArrival, lambda a: {"arrived_on": a.arrived_on}),
    "withdraw": (CaseWorkflow.withdraw, Withdraw, lambda a: {"party": a.party, "reason": a.reason}),
}


# --- output ----------------------------------------------------------------------------------


def _print_json(out: TextIO, data: Any) -> None:
    out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _fmt_time(value: datetime | str | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else (value or "-")


def render_status(state: CaseState, settings: Settings) -> str:
    s = state
    state_line = f"closed, {s.outcome.value} ({s.outcome_reason})" if s.outcome else "open"
    lines = [
        f"Case {s.case_id}   stage: {s.stage.value}   ({state_line})",
        f"  Employer:    {s.employer.name}" + (f" ({s.employer.sector})" if s.employer.sector else ""),
        f"  Vacancy:     {s.occupation}, {s.positions} position(s)",
        f"  Route:       {s.route.label}, procedure: {s.procedure.value}"
        + (f", programme: {s.origin_programme}" if s.origin_programme else ""),
        f"  Advisor:     {s.advisor}",
        f"  Opened:      {_fmt_time(s.opened_at)}"
        + (f"   closed: {_fmt_time(s.closed_at)}" if s.closed_at else ""),
    ]
    if s.candidates:
        lines.append(
            "  Candidates:  " + ", ".join(f"{c.candidate_ref} ({c.origin_country})" for c in s.candidates)
        )
    for c in s.ba_consents:
        lines.append(
            f"  BA consent:  {c.decision.value} on {c.decided_on} via {c.path.value}"
            + (f" - {c.refusal_grounds}" if c.refusal_grounds else "")
        )
    for v in s.visa_decisions:
        lines.append(
            f"  Visa:        {v.decision.value} on {v.decided_on}"
            + (f", valid until {v.valid_until}" if v.valid_until else "")
        )
    if s.arrived_on:
        lines.append(f"  Arrived:     {s.arrived_on}")
    lines.append("  History:")
    for e in s.history:
        lines.append(f"    {e.seq:>3}  {_fmt_time(e.occurred_at)}  {e.advisor:<12} {e.summary}")
        if e.note:
            lines.append(f"         note: {e.note}")
    lines.append(f"  Web UI:      {ui_link(settings, s.case_id)}")
    return "\n".join(lines) + "\n"


# --- commands -------------------------------------------------------------------------------


async def _new_case(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    case_id = _case_id(args.case_id) if args.case_id else new_case_id()
    new_case = _validate(
        NewCase,
        {
            "case_id": case_id,
            "advisor": args.advisor,
            "employer": {"name": args.employer_name, "sector": args.employer_sector},
            "occupation": args.occupation,
            "positions": args.positions,
            "route": args.route,
            "procedure": args.procedure,
            "origin_programme": args.origin_programme,
        },
    )
    client = await get_client()
    handle = await client.start_workflow(
        CaseWorkflow.run,
        new_case,
        id=workflow_id_for(case_id),
        task_queue=settings.task_queue,
        # A repeated new-case with the same id returns the existing case instead of failing.
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    if args.json:
        _print_json(out, {"case_id": case_id, "workflow_id": handle.id, "ui": ui_link(settings, case_id)})
    else:
        out.write(f"{case_id}\n")
    return 0


async def _action(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    update, model, fields = _ACTIONS[args.command]
    case_id = _case_id(args.case_id)
    action = _validate(model, {"advisor": args.advisor, "note": args.note, **fields(args)})
    client = await get_client()
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    state: CaseState = await handle.execute_update(update, action)
    if args.json:
        _print_json(out, state.model_dump(mode="json"))
    else:
        last = state.history[-1]
        out.write(f"{case_id}: {last.summary} (stage: {state.stage.value})\n")
    return 0


async def _status(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    case_id = _case_id(args.case_id)
    client = await get_client()
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    state: CaseState = await handle.query(CaseWorkflow.status)
    if args.json:
        _print_json(out, {**state.model_dump(mode="json"), "ui": ui_link(settings, case_id)})
    else:
        out.write(render_status(state, settings))
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
                "outcome": attrs.get(sa.CASE_OUTCOME),
                "status": wf.status.name.lower() if wf.status else None,
                "opened_at": wf.start_time,
            }
        )
    if args.json:
        _print_json(out, rows)
        return 0
    header = f"{'CASE':<14} {'STAGE':<20} {'ROUTE':<6} {'PROC':<8} {'ADVISOR':<12} {'OUTCOME':<28} OPENED"
    out.write(header + "\n")
    for r in rows:
        out.write(
            f"{r['case_id']:<14} {r['stage'] or '-':<20} {r['route'] or '-':<6} {r['procedure'] or '-':<8} "
            f"{r['advisor'] or '-':<12} {r['outcome'] or '-':<28} {_fmt_time(r['opened_at'])}\n"
        )
    out.write(f"{len(rows)} case(s)\n")
    return 0


def _validate_stage(raw: str) -> str:
    try:
        return Stage(raw.strip().lower()).value
    except ValueError:
        raise InputError(f"stage: '{raw}' is not one of {', '.join(s.value for s in Stage)}") from None


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
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    command = {"new-case": _new_case, "status": _status, "list": _list}.get(args.command, _action)

    async def get_client() -> Client:
        # Connect only after the input is valid: bad input never reaches Temporal.
        return client if client is not None else await connect(settings)

    try:
        return await command(args, get_client, settings, out)
    except InputError as e:
        err.write(f"error: {e}\n")
        return EXIT_BAD_INPUT
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        reason = getattr(cause, "message", None) or str(cause or e)
        err.write(f"rejected: {reason}\n")
        return EXIT_REJECTED
    except RuntimeError as e:  # the SDK's connection failure
        err.write(f"error: cannot reach Temporal at {settings.temporal_address}: {e}\n")
        return EXIT_REJECTED
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND and "already completed" in e.message:
            err.write("rejected: the case is closed; nothing can change\n")
        elif e.status is RPCStatusCode.NOT_FOUND:
            err.write(f"error: case not found ({e.message})\n")
        else:
            err.write(f"error: Temporal answered {e.status.name}: {e.message}\n")
        return EXIT_REJECTED
