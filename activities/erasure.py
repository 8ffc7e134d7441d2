"""Erasing a closed case (#13): one implementation for erase-case and the retention Schedule.

The records lose their free text and the case key (records/erasure.py), Temporal loses
every run of the case's workflows (histories and visibility), the local mail folder its
copies. Each step is idempotent, so an interrupted erasure is finished by running it again.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import structlog
from sqlalchemy import Engine, select
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.config import Settings
from core.sealed import sealer_of
from models.case import workflow_id_for
from models.records import CASES_DUE_FOR_ERASURE, ERASE_CLOSED_CASE, ErasureRequest
from records import erasure
from records.schema import cases, erasures

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ErasureFigures:
    case_id: str
    workflow_executions_deleted: int
    events_scrubbed: int
    emails_scrubbed: int
    case_key_destroyed: bool
    mail_files_removed: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def case_is_running(client: Client, case_id: str) -> bool | None:
    """Whether the case's workflow runs; None when Temporal has no such case (any more)."""
    try:
        described = await client.get_workflow_handle(workflow_id_for(case_id)).describe()
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND:
            return None
        raise
    return described.status is WorkflowExecutionStatus.RUNNING


async def erase_case(
    engine: Engine, client: Client, namespace: str, mail_dir: Path | None, case_id: str, by: str, basis: str
) -> ErasureFigures:
    sealer = sealer_of(client)

    def candidate(stored: str) -> str:
        return sealer.pseudonym("candidate", sealer.open(case_id, "journeys.candidate_ref", stored) or "")

    records = await asyncio.to_thread(
        erasure.erase_records, engine, case_id, by, basis, lambda name: sealer.pseudonym("employer", name), candidate
    )
    deleted = await delete_executions(client, namespace, case_id)
    mail_files = await asyncio.to_thread(erasure.erase_mail_files, mail_dir, case_id)
    log.info("case erased", case_id=case_id, by=by, executions=deleted)
    return ErasureFigures(case_id, deleted, records.events, records.emails, records.key_destroyed, mail_files)


async def delete_executions(client: Client, namespace: str, case_id: str) -> int:
    """Every run of the case's workflows (case, journeys, undeliverable emails), by CaseId."""
    runs = [(wf.id, wf.run_id) async for wf in client.list_workflows(f"{sa.CASE_ID.name} = '{case_id}'")]
    for workflow_id, run_id in runs:
        try:
            await client.workflow_service.delete_workflow_execution(
                DeleteWorkflowExecutionRequest(
                    namespace=namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id)
                )
            )
        except RPCError as e:
            if e.status is not RPCStatusCode.NOT_FOUND:  # already deleted: fine
                raise
    return len(runs)


class ErasureActivities:
    def __init__(self, engine: Engine, client: Client, settings: Settings) -> None:
        self._engine = engine
        self._client = client
        self._settings = settings

    @activity.defn(name=CASES_DUE_FOR_ERASURE)
    def cases_due_for_erasure(self, closed_before: datetime) -> list[str]:
        """Closed cases, closed before the cutoff, not erased yet (oldest first)."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(cases.c.case_id)
                    .where(
                        cases.c.stage == "closed",
                        cases.c.closed_at < closed_before,
                        cases.c.case_id.not_in(select(erasures.c.case_id)),
                    )
                    .order_by(cases.c.closed_at)
                ).scalars()
            )

    @activity.defn(name=ERASE_CLOSED_CASE)
    async def erase_closed_case(self, request: ErasureRequest) -> dict[str, object]:
        if await case_is_running(self._client, request.case_id):
            log.warning("not erased: the case runs again", case_id=request.case_id)
            return {}
        s = self._settings
        figures = await erase_case(
            self._engine, self._client, s.temporal_namespace, s.mail_sink_dir, request.case_id, request.erased_by,
            request.basis,
        )  # fmt: skip
        return figures.as_dict()
