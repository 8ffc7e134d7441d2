"""What every benchmark runs against: a dev server, an SQLite records file and an SMTP
server on loopback, all fresh and thrown away afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from core import search_attributes
from core.client import data_converter
from core.config import Settings
from records.database import create_records_engine, migrate
from tests.conftest import _temporal_cli
from tests.support import start_smtp_server


@asynccontextmanager
async def bench_stack() -> AsyncIterator[tuple[WorkflowEnvironment, Settings, Engine]]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=_temporal_cli(),
        search_attributes=search_attributes.ALL,
        data_converter=data_converter(),
        dev_server_startup_timeout=timedelta(seconds=120),
    )
    smtp, _recorder = start_smtp_server()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'records.sqlite3'}"
        engine = create_records_engine(url)
        migrate(engine)
        settings = Settings(
            temporal_address=env.client.service_client.config.target_host,
            task_queue=f"bench-{uuid.uuid4()}",
            database_url=url,
            smtp_host=smtp.hostname,
            smtp_port=smtp.port,
            metrics_port=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        try:
            yield env, settings, engine
        finally:
            engine.dispose()
            smtp.stop()
            await env.shutdown()
