"""Sending an Update, as the starter and the tests do.

The server aborts an Update it has not yet accepted when the workflow task carrying it fails
unexpectedly (``WorkflowNotReadyFailure``, FAILED_PRECONDITION): nothing of it was applied,
and the next task usually succeeds. Seen after a continue-as-new, when a cold worker gets the
Update in the same task as a completed activity (the SDK's temporalio/sdk-python#1591
family). Such an abort is sent again, a few times; any other error is the caller's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from models import clock

ATTEMPTS = 4


def not_ready(err: RPCError) -> bool:
    """The server aborted the Update before accepting it because a workflow task failed."""
    if err.status is not RPCStatusCode.FAILED_PRECONDITION:
        return False
    try:
        details = err.grpc_status.details
    except Exception:  # noqa: BLE001 - an unreadable status is not this case
        return False
    return any(d.type_url.endswith("WorkflowNotReadyFailure") for d in details)


def request_digest(workflow_id: str, update: str, arg: Any) -> str:
    """What identifies a command: the workflow, the Update and its arguments."""
    body = arg.model_dump_json() if isinstance(arg, BaseModel) else json.dumps(arg, sort_keys=True, default=str)
    return hashlib.sha256("\n".join((workflow_id, update, body)).encode()).hexdigest()


class PendingCommands:
    """The commands sent but not answered yet, kept in a small file on the sender's machine
    (#26 point 5). A command sent again while its entry is there (the answer never came: a
    timeout, a crash, a killed terminal) goes out under the same Update ID, and Temporal
    applies it once and answers it with its first result. Once answered (done or refused),
    the entry goes: the same command sent after a fix, or on purpose, is a new one. Entries
    older than a day are dropped."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        cutoff = (clock.now() - KEEP_PENDING).isoformat()
        return {k: v for k, v in entries.items() if isinstance(v, dict) and v.get("sent_at", "") >= cutoff}

    def _write(self, entries: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(entries), encoding="utf-8")
        partial.replace(self.path)

    def id_for(self, digest: str) -> str:
        entries = self._read()
        if digest in entries:
            return entries[digest]["id"]
        command = f"cmd-{secrets.token_hex(16)}"
        entries[digest] = {"id": command, "sent_at": clock.now().isoformat()}
        self._write(entries)
        return command

    def answered(self, digest: str) -> None:
        entries = self._read()
        if entries.pop(digest, None) is not None:
            self._write(entries)


KEEP_PENDING = timedelta(days=1)


def pending_commands() -> PendingCommands:
    """``WC_PENDING_COMMANDS``, else the user's state directory."""
    default = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "welcome-center"
    return PendingCommands(Path(os.environ.get("WC_PENDING_COMMANDS") or default / "pending-commands.json"))


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, result_type: type | None = None
) -> Any:
    name = update if isinstance(update, str) else update.__name__

    async def send(command: str) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await handle.execute_update(update, arg, id=command, result_type=result_type)
            except RPCError as err:
                if attempt == ATTEMPTS or not not_ready(err):
                    raise
                await asyncio.sleep(0.3 * attempt)
        raise AssertionError("unreachable")

    return await as_one_command(handle.id, name, arg, send)


async def as_one_command(workflow_id: str, update: str, arg: Any, send: Callable[[str], Awaitable[Any]]) -> Any:
    """``send`` the command under the Update ID it had if an earlier attempt got no answer."""
    pending, digest = pending_commands(), request_digest(workflow_id, update, arg)
    command = pending.id_for(digest)
    try:
        result = await send(command)
    except RPCError as err:
        if not not_answered(err):  # the answer never came: sent again, it is the same command
            pending.answered(digest)
        raise
    except WorkflowUpdateFailedError:
        pending.answered(digest)  # refused (or failed): a new attempt is a new command
        raise
    pending.answered(digest)
    return result


def not_answered(err: RPCError) -> bool:
    """The server's answer did not arrive (a timeout, the server away): the command may have
    been applied, so it keeps its ID for the next attempt."""
    return err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.CANCELLED)
