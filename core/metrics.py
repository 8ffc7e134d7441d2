"""Prometheus metrics of the worker: the SDK's runtime metrics plus cases by stage.

The Temporal SDK serves /metrics itself (PrometheusConfig); the case figures are gauges
on the same meter, refreshed from the records database, so Prometheus scrapes one port.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import Engine, func, select
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from models.case import Stage
from models.journey import JourneyStage
from records.schema import cases, journeys

log = structlog.get_logger(__name__)

STUCK_ALARMS = "WorkflowType = 'StuckAlarmWorkflow' AND ExecutionStatus = 'Running'"


def metrics_runtime(port: int, host: str = "127.0.0.1") -> Runtime:
    """A Temporal runtime that serves Prometheus metrics on ``host:port``."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"{host}:{port}")))


class StageGauges:
    def __init__(self, meter: MetricMeter) -> None:
        self._cases = meter.create_gauge("welcome_center_cases", "Cases by stage (closed cases by outcome)", "cases")
        self._journeys = meter.create_gauge(
            "welcome_center_journeys", "Candidate journeys by stage (finished ones by outcome)", "journeys"
        )

        # #26 point 6: workflows whose tasks keep failing, as the stuck watch raised them.
        self._stuck = meter.create_gauge(
            "welcome_center_stuck_workflows", "Workflows whose tasks keep failing (running stuck alarms)", "workflows"
        )

    async def publish_stuck(self, client: Client) -> None:
        counted = await client.count_workflows(STUCK_ALARMS)
        self._stuck.set(int(counted.count), {})

    def publish(self, engine: Engine) -> None:
        with engine.connect() as conn:
            case_rows = conn.execute(select(cases.c.stage, func.count()).group_by(cases.c.stage)).all()
            journey_rows = conn.execute(select(journeys.c.stage, func.count()).group_by(journeys.c.stage)).all()
        case_counts = {str(stage): int(n) for stage, n in case_rows}
        journey_counts = {str(stage): int(n) for stage, n in journey_rows}
        # Every stage, zeros included: a stage that empties must drop to 0, not keep its last value.
        for stage in Stage:
            self._cases.set(case_counts.get(stage.value, 0), {"stage": stage.value})
        for journey_stage in JourneyStage:
            self._journeys.set(journey_counts.get(journey_stage.value, 0), {"stage": journey_stage.value})

    async def refresh_every(self, engine: Engine, seconds: float, client: Client | None = None) -> None:
        while True:
            try:
                await asyncio.to_thread(self.publish, engine)
                if client is not None:
                    await self.publish_stuck(client)
            except Exception as err:  # the database may be briefly away; metrics must not stop the worker
                log.warning("stage gauges not refreshed", error=str(err))
            await asyncio.sleep(seconds)
