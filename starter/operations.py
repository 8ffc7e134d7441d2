"""The starter's operations commands: resend an undeliverable email, erase a case on
request, repair a workflow whose history no longer replays."""

from __future__ import annotations

import argparse
import dataclasses
import re
from typing import TYPE_CHECKING, Any, TextIO

from temporalio.service import RPCError, RPCStatusCode

from core import names
from core.config import Settings
from core.names import undeliverable_workflow_id
from core.sealed import Sealer
from core.updates import execute_update
from models import case as case_models
from models.case import (
    CaseState,
    workflow_id_for,
)
from models.records import EmailResult, RepairWorkflow, ResendEmail
from models.said import Said, say
from starter.inputs import (
    EXIT_REJECTED,
    ClientFactory,
    InputError,
    Rejected,
    parse_case_id,
    print_json,
    validated_input,
)

# An event's email, or one written again after a repair with new content (".../r2", models/mail.again_key).
_EMAIL_KEY = re.compile(r"(case-)?WC-[0-9A-Z]{10}(-j[0-9]{1,3})?/[0-9]{1,6}/[a-z_]{1,20}(/r[0-9]{1,3})?")

if TYPE_CHECKING:
    from starter.repair import Repaired  # the replayer and the workflows: imported by the command only


async def resend_email_command(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    key = args.key.strip()
    if not _EMAIL_KEY.fullmatch(key):
        raise InputError(
            say("key: '{key}' is not an email key (like WC-0123456789/4/advisor; see status)", key=args.key)
        )
    request = validated_input(ResendEmail, {"advisor": args.advisor})
    client = await get_client()
    handle = client.get_workflow_handle(undeliverable_workflow_id(key))
    try:
        result = await execute_update(handle, names.UndeliverableEmail.resend, request, result_type=EmailResult)
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND and "already completed" in e.message:
            err_text = say("the email has been sent already")
        elif e.status is RPCStatusCode.NOT_FOUND:
            err_text = say("no undeliverable email with key {key}", key=key)
        else:
            raise
        raise Rejected(err_text) from None
    if args.json:
        print_json(out, result.model_dump(mode="json"))
    else:
        out.write(f"{key}: sent\n")
    return 0


async def erase_case_command(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    from activities.erasure import case_is_running, erase_case
    from records import erasure
    from records.database import create_records_engine, migrate

    case_id = parse_case_id(args.case_id)
    request = validated_input(case_models.EraseCase, {"advisor": args.advisor, "basis": args.basis})
    client = await get_client()
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)
        # A second run finishes what an interrupted one began; else only a closed case.
        if not erasure.erased(engine, case_id):
            running = await case_is_running(client, case_id)
            # The records are the source of truth: a closed case whose workflows Temporal has
            # already dropped is erased from them (#26 point 1).
            if running is None and not erasure.closed_on_record(engine, case_id):
                raise Rejected(say("no case {case_id}", case_id=case_id))
            if running:
                state: CaseState = await client.get_workflow_handle(workflow_id_for(case_id)).query(
                    names.Case.status, result_type=CaseState
                )
                raise Rejected(
                    say(
                        "case {case_id} is open (stage {stage}): only a closed case can be erased; "
                        "close it first (close-case or withdraw)",
                        case_id=case_id,
                        stage=state.stage.value,
                    )
                )
        f = await erase_case(
            engine, client, settings.temporal_namespace, settings.mail_sink_dir, case_id, request.advisor, request.basis
        )
    finally:
        engine.dispose()
    if args.json:
        print_json(out, f.as_dict())
    else:
        out.write(
            f"{case_id}: erased ({f.workflow_executions_deleted} workflow execution(s) deleted, {f.events_scrubbed} "
            f"event(s) and {f.emails_scrubbed} email(s) scrubbed, case key "
            f"{'destroyed' if f.case_key_destroyed else 'already gone'}, {f.mail_files_removed} mail file(s) "
            "removed); the figures keep its facts\n"
        )
    return 0


async def repair_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from starter.repair import repair  # the replayer and the workflows: only for this command
    from workflows.registry import WORKFLOWS

    request = validated_input(RepairWorkflow, {"advisor": args.advisor, "workflow_id": args.workflow_id})
    client = await get_client()
    try:
        repaired = await repair(client, request.workflow_id, request.advisor, WORKFLOWS, settings)
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND:
            raise Rejected(say("no workflow {workflow_id}", workflow_id=request.workflow_id)) from None
        raise
    diagnosis, new_run = repaired.diagnosis, repaired.new_run_id
    if args.json:
        print_json(out, {**dataclasses.asdict(diagnosis), "new_run_id": new_run, "reapplied": [
            dataclasses.asdict(u) for u in repaired.reapplied
        ]})  # fmt: skip
    elif diagnosis.replays:
        out.write(f"{request.workflow_id}: its history replays; nothing to repair\n")
    elif new_run is None:
        raise Rejected(
            say(
                "{workflow_id} does not replay and a reset does not mend it: {failure}",
                workflow_id=request.workflow_id,
                failure=str(diagnosis.failure),
            )
        )
    else:
        out.write(
            f"{request.workflow_id}: reset to event {diagnosis.reset_to_event_id} (its history did not replay at "
            f"event {diagnosis.failing_event_id}); the later updates and signals run again in run {new_run}\n"
        )
        for update in repaired.reapplied:
            out.write(f"  {update.name} ({update.update_id}): {'applied again' if update.applied else 'REFUSED'}\n")
    if (refused := refused_on_reapply(request.workflow_id, repaired)) is not None:
        raise Rejected(refused)
    return 0 if diagnosis.replays or new_run else EXIT_REJECTED


def refused_on_reapply(workflow_id: str, repaired: Repaired) -> Said | None:
    """Nothing dropped silently (#26 point 6): Updates the new run refused are named, and
    the command exits with 1, so operations send them again (or tell the advisor to)."""
    if not repaired.refused:
        return None
    return say(
        "{workflow_id} is repaired, but {count} of its updates were refused when applied again ({which}): "
        "send them again after checking the case's status",
        workflow_id=workflow_id,
        count=len(repaired.refused),
        which="; ".join(f"{u.name} {u.update_id}: {u.why}" for u in repaired.refused),
    )


def undeliverable_emails(settings: Settings, case_id: str, sealer: Sealer) -> tuple[list[dict[str, Any]], str | None]:
    """The case's emails marked undeliverable in the records (or why they cannot be read),
    their subjects opened (sealed at rest, core/sealed.py)."""
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
    try:
        return [{**r._mapping, "subject": sealer.open(case_id, "notifications.subject", r.subject)} for r in rows], None
    except (SQLAlchemyError, ValueError) as e:  # a case key that cannot be read: said, not a crash
        return [], f"the undeliverable emails cannot be read ({type(e).__name__})"
