"""The one place that builds the Temporal client and its data converter.

Worker, starter, tests and the replayer all call :func:`connect`, so payloads are
always written and read with the same converter.
"""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime

from core.codec import EncryptionCodec, parse_keys
from core.config import Settings, get_settings


def data_converter(settings: Settings | None = None) -> DataConverter:
    """pydantic payloads; encrypted when ``payload_keys`` is configured (core/codec.py)."""
    if settings is None or settings.payload_keys is None:
        return pydantic_data_converter
    keys, current = parse_keys(settings.payload_keys.get_secret_value())
    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(keys, current))


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """``runtime``: the worker passes one that serves Prometheus metrics."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
    )
