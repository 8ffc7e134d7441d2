"""erase-case (#13 point 3): after the erasure nothing of the case's free text is found in
Temporal (histories, visibility), the records or the mail folder, its key is gone, the
erasure is recorded, and the Welcome Center's figures are unchanged."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from sqlalchemy import MetaData, select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest

from core.sealed import ERASED, sealer_of
from models import clock
from models.case import AddCaseNote, Withdraw
from records.report import build_report
from records.schema import case_events, case_keys, cases, erasures
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


def on_disk_bytes(stack: Stack) -> bytes:
    """The SQLite database and its write-ahead log, as a backup would copy them: read by
    another process, since closing a file this process opened on a database it also uses
    through SQLite drops SQLite's locks (other processes then lose its writes)."""
    database = Path(str(stack.engine.url.database))
    files = [str(p) for p in (database, database.with_name(database.name + "-wal")) if p.exists()]
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout


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

    def the_note() -> str | None:
        with stack.engine.connect() as conn:
            note = case_events.c.note
            return conn.execute(select(note).where(case_events.c.case_id == case.case_id, note.is_not(None))).scalar()

    # At rest the records hold the case's words sealed with its key (#26 point 1): in no row,
    # not in the database's files (SQLite's WAL included), yet they open with the key. The
    # sealed note is what a dump taken now, before the erasure, would keep.
    sealer = sealer_of(stack.client)
    dumped = await eventually(the_note)
    assert sealer.open(case.case_id, "case_events.note", dumped) == NOTE
    text = everything_stored(stack)
    assert [needle for needle in (EMPLOYER, NOTE, "Stelle anders besetzt") if needle in text] == []
    on_disk = on_disk_bytes(stack)
    assert on_disk and EMPLOYER.encode() not in on_disk and NOTE.encode() not in on_disk
    # The emails go out readable: the relay opens what the outbox keeps sealed.
    case_mail = [m for m in stack.smtp.messages if m["X-Case-Id"] == case.case_id]
    assert case_mail and not [m for m in case_mail if "sealed1:" in str(m["Subject"]) + str(m.get_payload())]
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
    # The dump taken before no longer opens: the key that sealed it is gone (within seconds
    # in a process that had it, core/case_keys.KEEP_SECONDS).
    assert await eventually(lambda: sealer.open(case.case_id, "case_events.note", dumped) == ERASED, timeout=15)
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
