"""Finding workflows whose tasks keep failing (#26 point 6), for the stuck watch.

A workflow whose workflow task fails again and again (a nondeterministic change,
temporalio/sdk-python#1591, a payload it cannot decode) stops: no timer fires, no rung
escalates, and nothing says so. The server of this version has no flag for it (Temporal
1.29 sets no ``TemporalReportedProblems``), so the watch asks it: every running workflow's
pending workflow task and how often it has been tried. Only ids and counts leave here.
"""

from __future__ import annotations

import structlog
from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError

from core.i18n import Text
from core.names import case_id_of
from models.mail import Notification, RecipientRole
from models.records import FIND_STUCK_WORKFLOWS, QUEUE_STUCK_ALARM_EMAIL, STILL_STUCK, StuckWorkflow
from models.said import say
from records.database import insert_ignoring_duplicates
from records.outbox import outbox_row
from records.schema import notifications

log = structlog.get_logger(__name__)

# The watch's own workflows never count (an alarm is not an incident of itself).
WATCHED = (
    "ExecutionStatus = 'Running' AND WorkflowType != 'StuckAlarmWorkflow' AND WorkflowType != 'StuckWatchWorkflow'"
)


class StuckActivities:
    def __init__(self, client: Client, engine: Engine, text: Text) -> None:
        self._client = client
        self._engine = engine
        self._text = text

    @activity.defn(name=FIND_STUCK_WORKFLOWS)
    async def find_stuck_workflows(self, min_attempts: int) -> list[StuckWorkflow]:
        found = []
        async for listed in self._client.list_workflows(WATCHED):
            attempts = await self._attempts(listed.id)
            if attempts >= min_attempts:
                found.append(
                    StuckWorkflow(
                        workflow_id=listed.id,
                        workflow_type=listed.workflow_type,
                        case_id=case_id_of(listed.id),
                        attempts=attempts,
                    )
                )
        if found:
            log.warning("workflows whose tasks keep failing", count=len(found))
        return found

    @activity.defn(name=STILL_STUCK)
    async def still_stuck(self, stuck: StuckWorkflow) -> int:
        """How often the workflow's pending task has been tried now (0: it runs again, or ended)."""
        return await self._attempts(stuck.workflow_id)

    @activity.defn(name=QUEUE_STUCK_ALARM_EMAIL)
    def queue_stuck_alarm_email(self, stuck: StuckWorkflow) -> bool:
        """Operations' email, queued once per alarm (the relay sends it)."""
        t = self._text
        subject = t.said(say("Incident: the tasks of {workflow} keep failing", workflow=stuck.workflow_id))
        body = "\n".join(
            [
                subject,
                t.said(say("Attempts so far: {attempts}", attempts=stuck.attempts)),
                t.said(
                    say(
                        "Its clocks do not run until it is repaired: bin/starter repair {workflow} --advisor HANDLE",
                        workflow=stuck.workflow_id,
                    )
                ),
            ]
        )
        email = Notification(
            idempotency_key=f"stuck/{stuck.workflow_id}/{stuck.alarm_run_id}",
            case_id=stuck.case_id or "-",
            recipient_role=RecipientRole.OPERATIONS,
            subject=subject[:200],
            body=body,
        )
        with self._engine.begin() as conn:
            inserted = conn.execute(insert_ignoring_duplicates(self._engine, notifications), outbox_row(email))
        return bool(inserted.rowcount)

    async def _attempts(self, workflow_id: str) -> int:
        try:
            described = await self._client.get_workflow_handle(workflow_id).describe()
        except RPCError:
            return 0  # gone (erased, retention)
        if described.status is None or described.status.name != "RUNNING":
            return 0
        pending = described.raw_description.pending_workflow_task
        return int(pending.attempt) if described.raw_description.HasField("pending_workflow_task") else 0
