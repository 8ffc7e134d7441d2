"""erase-case (#13 point 3): after the erasure nothing of the case's free text is found in
Temporal (histories, visibility), the records or the mail folder, its key is gone, the
erasure is recorded, and the Welcome Center's figures are unchanged."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import MetaData, select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest

from models import clock
from models.case import AddCaseNote, Withdraw
from records.report import build_report
from records.schema import case_keys, cases, erasures
from starter.cli import EXIT_REJECTED
from starter.cli import main as starter
from tests.conftest import Stack
from tests.support import deleted_from_temporal, eventually
from tests.workflows.case_flow import ADVISOR, new_case, start_case
from workflows.case import CaseWorkflow

EMPLOYER = "Konditorei Mondschein Sehnde GmbH"
NOTE = "Rückruf bei Frau Sommer am Montag"


async def run(stack: Stack, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await starter(list(argv), client=stack.client, settings=stack.settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def everything_stored(stack: Stack) -> str:
    """Every row of every records table, as text."""
    tables = MetaData()
    tables.reflect(stack.engine)
    with stack.engine.connect() as conn:
        return "\n".join(str(row) for table in tables.sorted_tables for row in conn.execute(select(table)))


async def test_an_erased_case_leaves_no_free_text_and_the_figures_unchanged(encrypted: Stack, tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    stack = Stack(
        encrypted.client, encrypted.settings.model_copy(update={"mail_sink_dir": mail}), encrypted.engine,
        encrypted.smtp, encrypted.worker,
    )  # fmt: skip
    case = new_case(positions=1, employer={"name": EMPLOYER, "contact": "Frau Sommer, Personal"})
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await handle.execute_update(CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note=NOTE))
    other = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    for case_id, path in ((case.case_id, "ours.eml"), (other.id.removeprefix("case-"), "other.eml")):
        (mail / path).write_text(f"X-Case-Id: {case_id}\nSubject: [{case_id}] {NOTE}\n\n{EMPLOYER}\n")

    # Erasure is the team lead's; an open case is refused, with the reason; nothing changes.
    code, _, err = await run(stack, "erase-case", case.case_id, "--advisor", "m.koch", "--basis", "request")
    assert (code, err.strip()) == (2, "error: advisor: 'm.koch' is advisor; this needs team_lead")
    code, _, err = await run(stack, "erase-case", case.case_id, "--advisor", "t.lead", "--basis", "request")
    assert (code, "is open (stage consultation)" in err) == (EXIT_REJECTED, True), err

    await handle.execute_update(
        CaseWorkflow.withdraw,
        Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise", reason="Stelle anders besetzt"),
    )
    await handle.result()

    def stored_once_written() -> str | None:
        text = everything_stored(stack)
        return text if NOTE in text and EMPLOYER in text else None

    await eventually(stored_once_written)
    as_of = clock.today()
    before = build_report(stack.engine, as_of)

    code, out, err = await run(
        stack, "erase-case", case.case_id, "--advisor", "t.lead", "--basis", "Art. 17 request of the employer"
    )
    assert code == 0, err
    assert "case key destroyed" in out and "1 mail file(s) removed" in out

    # Temporal: the executions are gone, from the histories and from visibility.
    # (the dev server deletes within about half a minute)
    await eventually(lambda: deleted_from_temporal(handle), timeout=120, interval=1)

    async def unlisted() -> bool:
        return [wf async for wf in stack.client.list_workflows(f"CaseId = '{case.case_id}'")] == []

    await eventually(unlisted, timeout=60)
    # The records: no free text, no key; the erasure recorded without what was erased.
    text = everything_stored(stack)
    for needle in (EMPLOYER, "Mondschein", "Sommer", NOTE, "Stelle anders besetzt"):
        assert needle not in text, needle
    with stack.engine.connect() as conn:
        assert conn.execute(select(case_keys).where(case_keys.c.case_id == case.case_id)).first() is None
        record = conn.execute(select(erasures).where(erasures.c.case_id == case.case_id)).one()
    assert (record.erased_by, record.basis) == ("t.lead", "Art. 17 request of the employer")
    # The mail folder keeps only other cases' emails; the figures are those of before.
    assert sorted(p.name for p in mail.iterdir()) == ["other.eml"]
    assert build_report(stack.engine, as_of) == before
    # Running it again finishes nothing new and fails nothing.
    code, _, err = await run(stack, "erase-case", case.case_id, "--advisor", "t.lead", "--basis", "request")
    assert code == 0, err


async def test_a_closed_case_temporal_has_dropped_is_erased_from_the_records(stack: Stack) -> None:
    # #26 point 1: Art. 17 requests come after Temporal dropped a closed case's workflows;
    # the records are the source of truth, and only a case unknown to both is "no case".
    case = new_case(positions=1, employer={"name": EMPLOYER, "contact": "Frau Sommer, Personal"})
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await handle.execute_update(CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note=NOTE))
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise")
    )
    await handle.result()

    def closed_in_the_records() -> bool:
        with stack.engine.connect() as conn:
            row = conn.execute(select(cases.c.stage).where(cases.c.case_id == case.case_id)).first()
        return row is not None and row.stage == "closed"

    await eventually(closed_in_the_records)
    await stack.client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=stack.settings.temporal_namespace, workflow_execution=WorkflowExecution(workflow_id=handle.id)
        )
    )  # as the namespace's retention does
    await eventually(lambda: deleted_from_temporal(handle), timeout=120, interval=1)

    code, out, err = await run(stack, "erase-case", case.case_id, "--advisor", "t.lead", "--basis", "Art. 17")
    assert code == 0, err
    assert "erased" in out
    text = everything_stored(stack)
    assert EMPLOYER not in text and NOTE not in text
    code, _, err = await run(stack, "erase-case", "WC-0000000000", "--advisor", "t.lead", "--basis", "Art. 17")
    assert code == EXIT_REJECTED and "no case" in err
