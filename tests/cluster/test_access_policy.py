"""Each certificate makes only the calls config/temporal-access.yaml grants its party (#25
points 3 and 7): the production topology's Temporal server (deploy/temporal/server) refuses
the rest, so a worker's or the Web UI's certificate cannot act as a person, the office
cannot take a worker's tasks, and a certificate from the cluster's own CA that the policy
does not name can do nothing at all. Refused calls change nothing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import WorkflowExecution, WorkflowType
from temporalio.api.enums.v1 import EventType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DeleteWorkflowExecutionRequest,
    DescribeWorkflowExecutionRequest,
    ListWorkflowExecutionsRequest,
    PollWorkflowTaskQueueRequest,
    SignalWorkflowExecutionRequest,
    StartWorkflowExecutionRequest,
)
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from cluster.__main__ import Cluster
from core import names
from core.client import connect
from models.case import AddCaseNote
from tests.cluster.conftest import settings_for
from tests.workflows.case_flow import start_case

NAMESPACE = "default"
TASK_QUEUE = "welcome-center-cases"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("WC_TEST_CLUSTER"), reason="WC_TEST_CLUSTER not set (bin/test-cluster)"),
]

Call = Callable[[Client, str], Awaitable[Any]]


def case_execution(workflow_id: str) -> WorkflowExecution:
    return WorkflowExecution(workflow_id=workflow_id)


async def note_as_team_lead(client: Client, workflow_id: str) -> Any:
    # A forged command: the actor is whatever the caller writes into the payload.
    note = AddCaseNote(advisor="t.lead", note="Vermerk ohne Anmeldung")
    return await client.get_workflow_handle(workflow_id).execute_update(names.Case.add_note, note)


async def signal(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.signal_workflow_execution(
        SignalWorkflowExecutionRequest(
            namespace=NAMESPACE, workflow_execution=case_execution(workflow_id), signal_name="end_journey"
        )
    )


async def start_a_case(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.start_workflow_execution(
        StartWorkflowExecutionRequest(
            namespace=NAMESPACE,
            workflow_id=f"{workflow_id}-forged",
            workflow_type=WorkflowType(name="CaseWorkflow"),
            task_queue=TaskQueue(name=TASK_QUEUE),
            request_id=f"{workflow_id}-forged",
        )
    )


async def take_a_task(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.poll_workflow_task_queue(
        PollWorkflowTaskQueueRequest(namespace=NAMESPACE, task_queue=TaskQueue(name=TASK_QUEUE), identity="forged")
    )


async def delete(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(namespace=NAMESPACE, workflow_execution=case_execution(workflow_id))
    )


async def describe(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(namespace=NAMESPACE, execution=case_execution(workflow_id))
    )


async def list_cases(client: Client, workflow_id: str) -> Any:
    return await client.workflow_service.list_workflow_executions(
        ListWorkflowExecutionsRequest(namespace=NAMESPACE, query=f"WorkflowId = '{workflow_id}'")
    )


# (certificate, what it tries, allowed?)
CALLS: list[tuple[str, Call, bool]] = [
    ("worker", note_as_team_lead, False),
    ("worker", signal, False),
    ("worker", start_a_case, False),  # it may start only its own workflow types
    ("worker", describe, True),
    ("ui", note_as_team_lead, False),
    ("ui", signal, False),
    ("ui", start_a_case, False),
    ("ui", delete, False),  # deleting is erasure's: the office (erase-case) and the workers (retention)
    ("ui", list_cases, True),
    ("office", take_a_task, False),  # only the workers take tasks
    ("office", signal, False),  # people's commands are Updates, checked by the workflows
    ("office", list_cases, True),
    ("stranger", list_cases, False),  # from the cluster's CA, but not in the policy
    ("stranger", describe, False),
]


def issue_stranger(cluster: Cluster, directory: Path) -> tuple[Path, Path]:
    """A client certificate the cluster's own CA signs for a party the policy does not name."""
    ca_key = cluster.layout.certs.parent / "certs.ca" / "ca.key"
    key, csr, cert = directory / "stranger.key", directory / "stranger.csr", directory / "stranger.pem"
    ext = directory / "ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n")
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key))
    run("req", "-new", "-key", str(key), "-subj", "/O=Welcome Center Region Hannover/CN=stranger", "-out", str(csr))
    run(
        "x509", "-req", "-in", str(csr), "-CA", str(cluster.layout.ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-CAserial", str(directory / "ca.srl"), "-days", "2", "-sha256",
        "-extfile", str(ext), "-out", str(cert),
    )  # fmt: skip
    return cert, key


async def test_each_certificate_makes_only_the_calls_its_party_is_granted(cluster: Cluster, tmp_path: Path) -> None:
    office = await connect(settings_for(cluster))
    handle = await start_case(office, TASK_QUEUE)
    workflow_id = handle.id

    cert, key = issue_stranger(cluster, tmp_path)
    clients = {
        "office": office,
        "worker": await connect(settings_for(cluster, "worker")),
        "ui": await connect(settings_for(cluster, "ui")),
        "stranger": await connect(settings_for(cluster, temporal_tls_cert_file=cert, temporal_tls_key_file=key)),
    }
    outcomes = []
    for who, call, _ in CALLS:
        try:
            await call(clients[who], workflow_id)
            outcome = "allowed"
        except RPCError as err:
            outcome = "refused" if err.status is RPCStatusCode.PERMISSION_DENIED else f"failed: {err}"
        outcomes.append((who, call.__name__, outcome))
    assert outcomes == [(who, call.__name__, "allowed" if allowed else "refused") for who, call, allowed in CALLS]

    # Nothing the refused calls attempted happened: no signal or Update reached the case
    # (the history has none), it still runs, and no forged case was started.
    happened = {event.event_type async for event in handle.fetch_history_events()}
    assert not happened & {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    }
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    assert not [wf async for wf in office.list_workflows(f"WorkflowId = '{workflow_id}-forged'")]

    # The server logged each refusal with the party and the call.
    log = (cluster.layout.logs / "temporal-server.log").read_text(errors="replace")
    assert "Call refused by the access policy" in log
    assert '"party":"worker"' in log and '"call":"UpdateWorkflowExecution"' in log
