"""The Temporal namespace the cases run in, registered where the server does not have it.

The dev server creates ``default`` itself; a real Temporal server (bin/cluster, compose)
starts with none but its own system namespace.
"""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

# Closed workflows kept by Temporal; the records keep the case (and the retention rule of
# the policy decides when a closed case is erased).
RETENTION = timedelta(days=30)


async def ensure_namespace(client: Client, namespace: str, retention: timedelta = RETENTION) -> bool:
    """Register ``namespace`` unless it exists. Returns whether it was registered now."""
    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
        return False
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    period = Duration()
    period.FromTimedelta(retention)
    try:
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=period)
        )
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:  # registered meanwhile by another starter
            raise
        return False
    return True
