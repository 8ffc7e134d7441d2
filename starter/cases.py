"""The starter's case and journey commands: open a case, carry it and its journeys along,
read it (status, list)."""

from __future__ import annotations

import argparse
import secrets
from typing import Any, TextIO

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from core import names, versions
from core import search_attributes as sa
from core.config import Settings
from core.sealed import sealer_of
from core.updates import execute_update
from models import case as case_models
from models.case import (
    CASE_ID_ALPHABET,
    ActionReply,
    CaseState,
    NewCase,
    NewCaseRequest,
    workflow_id_for,
)
from models.journey import AddNote, JourneyView
from models.said import say
from models.summaries import case_static_details, case_static_summary
from process.definition import BY_MODEL
from starter.inputs import (
    ClientFactory,
    InputError,
    action_fields,
    parse_case_id,
    parse_stage,
    print_json,
    read_fields_file,
    validated_input,
)
from starter.operations import undeliverable_emails
from starter.parser import CASE_ACTIONS, JOURNEY_ACTIONS
from starter.render import fmt_time, render_status, ui_link
from starter.reopen import completed, reopened_update


def new_case_id() -> str:
    return "WC-" + "".join(secrets.choice(CASE_ID_ALPHABET) for _ in range(10))


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
        # The code version the case follows from its start (core/versions.py; bin/starter versions).
        search_attributes=TypedSearchAttributes([SearchAttributePair(sa.CODE_VERSION, versions.CODE_VERSION)]),
    )


async def new_case_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    data = read_fields_file(args.file)
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
        "local_abh",
    ):
        if getattr(args, name) is not None:
            data[name] = getattr(args, name)
    case_id = parse_case_id(args.case_id or data.pop("case_id", None) or new_case_id())
    new_case = validated_input(NewCaseRequest, {**data, "case_id": case_id, "employer": employer})
    client = await get_client()
    handle = await start_case(client, new_case, settings.task_queue)
    if args.json:
        print_json(out, {"case_id": case_id, "workflow_id": handle.id, "ui": ui_link(settings, case_id)})
    else:
        out.write(f"{case_id}\n")
    return 0


async def case_action_command(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    update, model = CASE_ACTIONS[args.command]
    case_id = parse_case_id(args.case_id)
    action = validated_input(model, {"advisor": args.advisor, "note": args.note, **action_fields(args, model)})
    client = await get_client()
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    reply: ActionReply = await execute_update(handle, update, action, result_type=ActionReply)
    await _report_case(args, out, handle, reply, settings)
    return 0


async def journey_action_command(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    case_id = parse_case_id(args.case_id)
    is_note = args.command == "add-note"
    if is_note:
        model: type[BaseModel] = AddNote if args.candidate else case_models.AddCaseNote
    else:
        model = JOURNEY_ACTIONS[args.command].model
    fields = {"advisor": args.advisor, "note": args.note, **action_fields(args, model)}
    action = validated_input(model, fields)  # before connecting: bad input never reaches Temporal
    client = await get_client()
    case_handle = client.get_workflow_handle(workflow_id_for(case_id))
    state: CaseState = await case_handle.query(names.Case.status, result_type=CaseState)

    if is_note and not args.candidate:
        reply = await execute_update(case_handle, names.Case.add_note, action, result_type=ActionReply)
        await _report_case(args, out, case_handle, reply, settings)
        return 0
    journey_handle = _journey_handle(client, state, args.candidate)
    # The journey's Update is named after the action (process/definition.py).
    spec = BY_MODEL[type(action)]
    update = spec.update
    if spec.after_placement and await completed(journey_handle):  # a placed journey: a new run takes it
        reply = await reopened_update(client, journey_handle, update, action, settings.task_queue)
        journey_handle = client.get_workflow_handle(journey_handle.id)  # the new run
    else:
        reply = await execute_update(journey_handle, update, action, result_type=ActionReply)
    if args.json:  # the whole journey after the step
        view: JourneyView = await journey_handle.query(names.Journey.status, result_type=JourneyView)
        print_json(out, view.model_dump(mode="json"))
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
        raise InputError(
            say(
                "candidate: case {case_id} has no candidate journeys yet (stage {stage})",
                case_id=state.case_id,
                stage=state.stage.value,
            )
        )
    refs = [j.candidate_ref for j in state.journeys]
    if candidate is None:
        if len(state.journeys) > 1:
            raise InputError(say("candidate: required, the case has several candidates: {refs}", refs=", ".join(refs)))
        return client.get_workflow_handle(state.journeys[0].workflow_id)
    wanted = candidate.strip().upper()
    for journey in state.journeys:
        if journey.candidate_ref == wanted:
            return client.get_workflow_handle(journey.workflow_id)
    raise InputError(
        say(
            "candidate: '{candidate}' is not a candidate of case {case_id} ({refs})",
            candidate=candidate,
            case_id=state.case_id,
            refs=", ".join(refs),
        )
    )


async def _report_case(
    args: argparse.Namespace, out: TextIO, handle: WorkflowHandle[Any, Any], reply: ActionReply, settings: Settings
) -> None:
    if args.json:  # the whole case after the step
        state: CaseState = await handle.query(names.Case.status, result_type=CaseState)
        print_json(out, state.model_dump(mode="json"))
    else:
        from core.i18n import Text

        t = Text(settings.language)
        case = handle.id.removeprefix("case-")
        summary = t.said(reply.says or reply.summary)
        out.write(t("{case}: {summary} (stage: {stage})", case=case, summary=summary, stage=reply.stage) + "\n")


async def status_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    case_id = parse_case_id(args.case_id)
    client = await get_client()
    state: CaseState = await client.get_workflow_handle(workflow_id_for(case_id)).query(
        names.Case.status, result_type=CaseState
    )
    journeys: list[JourneyView] = [
        await client.get_workflow_handle(j.workflow_id).query(names.Journey.status, result_type=JourneyView)
        for j in state.journeys
    ]
    emails, unreadable = undeliverable_emails(settings, case_id, sealer_of(client))
    if args.json:
        print_json(
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


async def list_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    query = "WorkflowType = 'CaseWorkflow'"
    if args.stage:
        query += f" AND {sa.CASE_STAGE.name} = '{parse_stage(args.stage)}'"
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
        print_json(out, rows)
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
