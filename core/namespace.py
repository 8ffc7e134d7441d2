"""The Temporal namespace the cases run in, registered where the server does not have it.

The dev server creates ``default`` itself; a real Temporal server (bin/cluster, compose)
starts with none but its own system namespace.
"""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    RegisterNamespaceRequest,
    UpdateNamespaceRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

# Closed workflows kept by Temporal as long as the records keep a closed case (#24): a placed
# journey is reopened from its closed run when the employment ends months later. The policy's
# retention rule (730 days) erases a closed case first, its executions and records together,
# so nothing outlives it; the extra day only keeps Temporal from racing the erasure.
RETENTION = timedelta(days=731)


async def ensure_namespace(client: Client, namespace: str, retention: timedelta = RETENTION) -> bool:
    """Register ``namespace`` unless it exists; an existing one keeping closed workflows for a
    shorter time (the dev server's default) is given ``retention``. Returns whether it was
    registered now."""
    period = Duration()
    period.FromTimedelta(retention)
    try:
        described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    else:
        if described.config.workflow_execution_retention_ttl.ToTimedelta() < retention:
            await client.workflow_service.update_namespace(
                UpdateNamespaceRequest(
                    namespace=namespace, config=NamespaceConfig(workflow_execution_retention_ttl=period)
                )
            )
        return False
    try:
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=period)
        )
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:  # registered meanwhile by another starter
            raise
        return False
    return True
