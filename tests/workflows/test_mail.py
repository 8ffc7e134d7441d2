"""Advisor commands never wait on email; an email that cannot be delivered is kept,
shown and re-sent (#12). Real server, real SMTP server, real records database."""

from __future__ import annotations

import io

from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

from activities.notifications import message_id
from core.config import Settings
from core.operations_views import OPERATIONS_VIEWS
from models.case import AddCaseNote
from records.schema import case_events
from starter.cli import EXIT_REJECTED
from starter.cli import main as starter
from tests.conftest import Stack
from tests.support import SmtpRecorder, eventually
from tests.workflows.case_flow import ADVISOR, case_update, open_journeys, start_case
from tests.workflows.conftest import outbox_rows
from workflows.case import CaseWorkflow
from workflows.mail import undeliverable_workflow_id

UNDELIVERABLE_VIEW = next(v for v in OPERATIONS_VIEWS if "could not be delivered" in v.question)


async def run_starter(settings: Settings, stack: Stack, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await starter(list(argv), client=stack.client, settings=settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_commands_return_while_the_mail_server_is_down_and_the_emails_follow(
    mail_stack: tuple[Stack, SmtpRecorder],
) -> None:
    stack, smtp = mail_stack
    smtp.refuse_next = 10_000  # every delivery fails with 451 until the server is back
    handle = await start_case(stack.client, stack.settings.task_queue)
    # Each command waits for its record only. Before #12 the second one waited behind the
    # first one's email, retried for up to a day.
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    state = await case_update(handle, CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Call on Monday"))
    case_id = state.case_id
    with stack.engine.connect() as conn:
        recorded = conn.execute(select(case_events.c.action).where(case_events.c.case_id == case_id)).scalars().all()
    assert recorded[-1] == "note_added"  # the command returned with its record written
    assert smtp.for_case(case_id) == []
    assert set(outbox_rows(stack, case_id).values()) <= {"pending", "sending"}

    smtp.refuse_next = 0  # the mail server is back: every queued email goes out, once
    rows = await eventually(
        lambda: (r := outbox_rows(stack, case_id)) and set(r.values()) == {"sent"} and r, timeout=60
    )
    assert sorted(smtp.message_ids(case_id)) == sorted(message_id(key) for key in rows)


async def test_an_undeliverable_email_is_shown_listed_and_resent_with_one_command(
    mail_stack: tuple[Stack, SmtpRecorder],
) -> None:
    stack, smtp = mail_stack
    smtp.refuse_recipients = True  # a wrong address: no retry can fix it
    handle = await start_case(stack.client, stack.settings.task_queue)
    state = await case_update(handle, CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Call on Monday"))
    case_id = state.case_id
    await eventually(lambda: "undeliverable" in outbox_rows(stack, case_id).values())
    key = next(k for k, status in outbox_rows(stack, case_id).items() if status == "undeliverable")

    # Listed by the operations view ...
    query = f"{UNDELIVERABLE_VIEW.query} AND CaseId = '{case_id}'"

    async def listed() -> list[str]:
        return [wf.id async for wf in stack.client.list_workflows(query)]

    assert undeliverable_workflow_id(key) in await eventually(listed)
    # ... shown by status, with the reason and the command ...
    code, out, _ = await run_starter(stack.settings, stack, "status", case_id)
    assert code == 0
    assert key in out and "recipient refused" in out
    command = next(line.strip() for line in out.splitlines() if "resend-email" in line)
    argv = command.replace("HANDLE", "ops.lead").replace("'", "").split()[1:]

    # ... and a resend while the address is still refused says why and keeps it listed.
    code, _, err = await run_starter(stack.settings, stack, *argv)
    assert (code, "still undeliverable" in err) == (EXIT_REJECTED, True), err
    assert outbox_rows(stack, case_id)[key] == "undeliverable"

    smtp.refuse_recipients = False
    code, out, err = await run_starter(stack.settings, stack, *argv)
    assert code == 0, err
    assert smtp.message_ids(case_id).count(message_id(key)) == 1
    assert outbox_rows(stack, case_id)[key] == "sent"
    described = await stack.client.get_workflow_handle(undeliverable_workflow_id(key)).describe()
    assert described.status is WorkflowExecutionStatus.COMPLETED
    code, _, err = await run_starter(stack.settings, stack, *argv)
    assert (code, err.strip()) == (EXIT_REJECTED, "rejected: the email has been sent already")
    code, _, err = await run_starter(stack.settings, stack, "resend-email", "WC-123\x00/1/advisor", "--advisor", "x")
    assert code == 2 and "key:" in err
