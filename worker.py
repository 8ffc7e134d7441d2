"""The worker: runs the case workflows and the I/O activities on one task queue.

python worker.py        (configuration from WC_* environment variables)
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.deadlines import DeadlinePolicyActivities
from activities.digest import DigestActivities
from activities.erasure import ErasureActivities
from activities.mail_relay import MailRelay
from activities.notifications import NotificationActivities
from activities.records import CaseRecordActivities
from activities.stuck import StuckActivities
from core.client import connect
from core.config import Settings, get_settings
from core.i18n import Text
from core.logging import configure_logging
from core.metrics import StageGauges, metrics_runtime
from core.process import run_to_exit
from core.sealed import sealer_of
from models import occupations, programmes, staff
from models.digest import SEND_WEEKLY_DIGESTS
from models.records import (
    CASES_DUE_FOR_ERASURE,
    DELIVER_NOTIFICATION,
    ERASE_CLOSED_CASE,
    FIND_STUCK_WORKFLOWS,
    LOAD_DEADLINE_POLICY,
    MARK_NOTIFICATION_UNDELIVERABLE,
    QUEUE_STUCK_ALARM_EMAIL,
    RECORD_CASE_TRANSITION,
    RECORD_JOURNEY_TRANSITION,
    SEND_NOTIFICATION,
    STILL_STUCK,
)
from records.database import create_records_engine, migrate
from workflows.registry import WORKFLOWS, workflow_runner

log = structlog.get_logger("worker")


class CaseWorker(Worker):
    """The Temporal worker with the mail relay beside it: running while it runs (#23)."""

    def __init__(self, *args: Any, relay: MailRelay, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.relay = relay

    async def run(self) -> None:
        self.relay.start(asyncio.get_running_loop())
        try:
            await super().run()
        finally:
            await asyncio.to_thread(self.relay.stop)


def build_worker(
    client: Client,
    settings: Settings,
    engine: Engine,
    executor: ThreadPoolExecutor,
    replacing: Mapping[str, Callable[..., Any]] | None = None,
    **worker_options: Any,
) -> CaseWorker:
    """The one worker definition, shared by ``main`` and the tests (which may replace an
    activity by its name to inject a fault, or size the workflow cache)."""
    sealer = sealer_of(client)  # the records' free text, sealed with the case's key (#26)
    notifier = NotificationActivities(engine, settings, sealer)
    relay = MailRelay(notifier, engine, client, settings.task_queue)
    records = CaseRecordActivities(engine, Text(settings.language), email_queued=relay.queued, sealer=sealer)
    erasure = ErasureActivities(engine, client, settings)
    policy = DeadlinePolicyActivities(settings)
    digests = DigestActivities(client, settings, engine)
    stuck = StuckActivities(client, engine, Text(settings.language))
    policy.load()  # fail at start, not when a case starts, if the policy file is broken
    staff.use(staff.load_staff(settings.staff_file))  # the door's list of who may act
    programmes.use(programmes.load_programmes(settings.programmes_file))  # candidate reference formats
    occupations.use(occupations.load_occupations(settings.occupations_file))  # the occupation codes
    activities: dict[str, Callable[..., Any]] = {
        RECORD_CASE_TRANSITION: records.record_case_transition,
        RECORD_JOURNEY_TRANSITION: records.record_journey_transition,
        SEND_NOTIFICATION: notifier.send_notification,
        DELIVER_NOTIFICATION: notifier.deliver_notification,
        MARK_NOTIFICATION_UNDELIVERABLE: notifier.mark_notification_undeliverable,
        LOAD_DEADLINE_POLICY: policy.load_deadline_policy,
        CASES_DUE_FOR_ERASURE: erasure.cases_due_for_erasure,
        ERASE_CLOSED_CASE: erasure.erase_closed_case,
        SEND_WEEKLY_DIGESTS: digests.send_weekly_digests,
        FIND_STUCK_WORKFLOWS: stuck.find_stuck_workflows,
        STILL_STUCK: stuck.still_stuck,
        QUEUE_STUCK_ALARM_EMAIL: stuck.queue_stuck_alarm_email,
    }
    return CaseWorker(
        client,
        relay=relay,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=list({**activities, **(replacing or {})}.values()),
        activity_executor=executor,
        max_concurrent_activities=settings.activity_threads,
        **{"max_cached_workflows": settings.max_cached_workflows, **worker_options},
    )


async def connect_when_up(settings: Settings, runtime: Any, wait_seconds: float = 120.0) -> Client:
    """A worker started while the server (re)starts waits for it instead of exiting."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return await connect(settings, runtime=runtime)
        except RuntimeError as err:  # the SDK's connection failure
            if time.monotonic() > deadline:
                raise
            log.warning(
                "Temporal not reachable yet, retrying", temporal=settings.temporal_address, error=str(err)[:200]
            )
            await asyncio.sleep(2)


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_records_engine(settings.database_url)
    migrate(engine)
    runtime = metrics_runtime(settings.metrics_port, settings.metrics_host) if settings.metrics_port else None
    client = await connect_when_up(settings, runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        worker = build_worker(client, settings, engine, executor)
        log.info(
            "worker started",
            task_queue=settings.task_queue,
            temporal=settings.temporal_address,
            database=engine.dialect.name,
        )
        async with worker:
            if runtime is not None:
                gauges = StageGauges(runtime.metric_meter)
                asyncio.create_task(gauges.refresh_every(engine, settings.metrics_refresh_seconds, client))
                log.info("metrics", url=f"http://{settings.metrics_host}:{settings.metrics_port}/metrics")
            await stop.wait()
            log.info("worker stopping: finishing running tasks")
    engine.dispose()
    log.info("worker stopped")


if __name__ == "__main__":
    run_to_exit(main(), fast_loop=True)
