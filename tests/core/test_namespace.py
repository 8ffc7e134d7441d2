"""The namespace keeps closed workflows as long as the records keep a closed case (#24): a
placed journey is reopened from its closed run when the employment ends months later."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest

from core.namespace import RETENTION, ensure_namespace
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from tests.conftest import Stack


async def test_the_dev_server_s_namespace_keeps_closed_workflows_as_long_as_the_records(stack: Stack) -> None:
    namespace = stack.settings.temporal_namespace
    day = Duration()
    day.FromTimedelta(timedelta(days=1))  # as short as a dev server may keep them
    short = NamespaceConfig(workflow_execution_retention_ttl=day)
    await stack.client.workflow_service.update_namespace(UpdateNamespaceRequest(namespace=namespace, config=short))
    assert await ensure_namespace(stack.client, namespace) is False  # it exists: lengthened, not registered
    described = await stack.client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    kept = described.config.workflow_execution_retention_ttl.ToTimedelta()
    assert kept >= RETENTION
    retention = load_policy(DEFAULT_POLICY_FILE).retention
    assert retention is not None and kept > timedelta(days=retention.erase_closed_cases_after_days)
