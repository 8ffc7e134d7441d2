"""The registry registers itself on a server that lacks it (docker-compose's server)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.client import Client

from core import search_attributes as sa
from tests.support import eventually


async def test_register_adds_the_missing_attributes_once(client: Client) -> None:
    namespace = f"sa-test-{uuid.uuid4().hex[:8]}"
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=namespace,
            workflow_execution_retention_period=Duration(seconds=int(timedelta(days=1).total_seconds())),
        )
    )

    async def registered() -> list[str] | None:
        try:
            return await sa.register(client, namespace)
        except Exception:  # the new namespace takes a moment to be known everywhere
            return None

    added = await eventually(registered)
    assert added == sorted(key.name for key in sa.ALL)
    assert await sa.register(client, namespace) == []


def test_cli_arguments_cover_every_attribute_with_its_type() -> None:
    args = sa.cli_arguments()
    pairs = dict(a.split("=") for a in args[1::2])
    assert args[0::2] == ["--search-attribute"] * len(sa.ALL)
    assert pairs["CaseStage"] == "Keyword"
    assert pairs["OriginCountries"] == "KeywordList"
    assert set(pairs) == {key.name for key in sa.ALL}
