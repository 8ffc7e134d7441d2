"""An Update the server aborted before accepting it (a failed workflow task) is sent again;
any other refusal reaches the caller at once."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.any_pb2 import Any as AnyProto
from temporalio.api.common.v1 import GrpcStatus
from temporalio.service import RPCError, RPCStatusCode

from core.updates import ATTEMPTS, execute_update, not_ready


def rpc_error(status: RPCStatusCode, detail: str | None) -> RPCError:
    grpc = GrpcStatus(code=int(status), message="refused")
    if detail is not None:
        grpc.details.append(AnyProto(type_url=f"type.googleapis.com/temporal.api.errordetails.v1.{detail}"))
    return RPCError("refused", status, grpc.SerializeToString())


NOT_READY = (RPCStatusCode.FAILED_PRECONDITION, "WorkflowNotReadyFailure")


class Handle:
    """Answers the Update after ``failures`` refusals (what the server said, in order)."""

    id = "case-WC-7M2K9Q4XTB"

    def __init__(self, *failures: RPCError) -> None:
        self.failures, self.calls, self.ids = list(failures), 0, set[str]()

    async def execute_update(self, update: Any, arg: Any, id: str, result_type: Any = None) -> str:
        self.calls += 1
        self.ids.add(id)
        if self.failures:
            raise self.failures.pop(0)
        return f"{update}({arg})"


@pytest.mark.unit
def test_only_the_not_ready_abort_is_recognised() -> None:
    assert not_ready(rpc_error(*NOT_READY))
    assert not not_ready(rpc_error(RPCStatusCode.FAILED_PRECONDITION, "WorkflowExecutionAlreadyStartedFailure"))
    assert not not_ready(rpc_error(RPCStatusCode.FAILED_PRECONDITION, None))
    assert not not_ready(rpc_error(RPCStatusCode.NOT_FOUND, "WorkflowNotReadyFailure"))


@pytest.mark.unit
async def test_a_not_ready_abort_is_sent_again_and_answered() -> None:
    handle = Handle(rpc_error(*NOT_READY), rpc_error(*NOT_READY))
    assert await execute_update(handle, "record_contract", "x") == "record_contract(x)"  # type: ignore[arg-type]
    assert handle.calls == 3
    assert len(handle.ids) == 1 and next(iter(handle.ids)).startswith("cmd-")  # sent again as the same command


@pytest.mark.unit
async def test_other_refusals_and_a_lasting_abort_reach_the_caller() -> None:
    other = Handle(rpc_error(RPCStatusCode.NOT_FOUND, None))
    with pytest.raises(RPCError):
        await execute_update(other, "record_contract", "x")  # type: ignore[arg-type]
    assert other.calls == 1
    lasting = Handle(*[rpc_error(*NOT_READY) for _ in range(ATTEMPTS)])
    with pytest.raises(RPCError):
        await execute_update(lasting, "record_contract", "x")  # type: ignore[arg-type]
    assert lasting.calls == ATTEMPTS


@pytest.mark.unit
async def test_a_command_without_an_answer_is_sent_again_under_its_id_and_an_answered_one_is_new() -> None:
    # #26 point 5: the timeout leaves the command pending; sent again, it keeps its Update ID.
    timed_out = Handle(rpc_error(RPCStatusCode.DEADLINE_EXCEEDED, None))
    with pytest.raises(RPCError):
        await execute_update(timed_out, "add_note", "same")  # type: ignore[arg-type]
    assert await execute_update(timed_out, "add_note", "same") == "add_note(same)"  # type: ignore[arg-type]
    assert len(timed_out.ids) == 1
    # Answered (here: refused for good): the same command again goes out as a new one.
    refused = Handle(rpc_error(RPCStatusCode.NOT_FOUND, None))
    with pytest.raises(RPCError):
        await execute_update(refused, "add_note", "other")  # type: ignore[arg-type]
    assert await execute_update(refused, "add_note", "other") == "add_note(other)"  # type: ignore[arg-type]
    assert len(refused.ids) == 2
