"""Every command a person sends is idempotent (#26 point 5): a command sent again while its
first attempt got no answer (a timeout, a crash, a killed terminal) goes out under the same
Update ID, so Temporal applies it once and answers it with its first result. Once answered,
the same command again is a new one (a fix after a refusal, or on purpose)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateStage

from core import names
from core.updates import PendingCommands, pending_commands, request_digest
from models.case import AddCaseNote, CaseState, workflow_id_for
from tests.conftest import Stack
from tests.starter.test_cli import ok, open_case


def _notes(state: CaseState) -> int:
    return sum(1 for e in state.history if e.action == "note_added")


async def test_a_command_whose_client_died_is_applied_once_when_sent_again(stack: Stack) -> None:
    case_id = await open_case(stack)
    handle = stack.client.get_workflow_handle(workflow_id_for(case_id))
    note = AddCaseNote(advisor="m.koch", note="Termin bestätigt")
    # The client noted the command, sent it and died before the answer: only the server has it.
    digest = request_digest(handle.id, names.Case.add_note, note)
    command = pending_commands().id_for(digest)
    await handle.start_update(names.Case.add_note, note, id=command, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    await ok(stack, "add-note", case_id, "--advisor", "m.koch", "--note", "Termin bestätigt")  # run again
    assert _notes(await handle.query(names.Case.status, result_type=CaseState)) == 1
    # Answered now: the same note again is a new command, on purpose.
    await ok(stack, "add-note", case_id, "--advisor", "m.koch", "--note", "Termin bestätigt")
    assert _notes(await handle.query(names.Case.status, result_type=CaseState)) == 2


@pytest.mark.unit
def test_a_pending_command_keeps_its_id_until_answered(tmp_path: Path) -> None:
    pending = PendingCommands(tmp_path / "state" / "pending.json")
    first = pending.id_for("digest-a")
    assert pending.id_for("digest-a") == first  # sent again without an answer: the same command
    assert pending.id_for("digest-b") != first  # another command
    pending.answered("digest-a")
    assert pending.id_for("digest-a") != first  # answered: a new command
    assert (tmp_path / "state").stat().st_mode & 0o077 == 0  # the sender's own
