"""The one place that builds the Temporal client and its data converter.

Worker, starter, tests and the replayer all call :func:`connect`, so payloads are
always written and read with the same converter.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime

from core.config import Settings, get_settings


def data_converter() -> DataConverter:
    return pydantic_data_converter


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """``runtime``: the worker passes one that serves Prometheus metrics."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(),
        runtime=runtime,
    )
