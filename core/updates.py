"""Sending an Update, as the starter and the tests do.

The server aborts an Update it has not yet accepted when the workflow task carrying it fails
unexpectedly (``WorkflowNotReadyFailure``, FAILED_PRECONDITION): nothing of it was applied,
and the next task usually succeeds. Seen after a continue-as-new, when a cold worker gets the
Update in the same task as a completed activity (the SDK's temporalio/sdk-python#1591
family). Such an abort is sent again, a few times; any other error is the caller's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

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


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, result_type: type | None = None
) -> Any:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await handle.execute_update(update, arg, result_type=result_type)
        except RPCError as err:
            if attempt == ATTEMPTS or not not_ready(err):
                raise
            await asyncio.sleep(0.3 * attempt)
    raise AssertionError("unreachable")
