"""What every benchmark runs against: a dev server, an SQLite records file and an SMTP
server on loopback, all fresh and thrown away afterwards; or, with ``cluster_stack``, the
production topology (bin/cluster: Temporal server on PostgreSQL with mTLS, the records in
PostgreSQL)."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core import search_attributes
from core.client import connect, data_converter
from core.codec import ensure_key_file
from core.config import Settings
from records.database import create_records_engine, migrate
from tests.conftest import _temporal_cli
from tests.support import start_smtp_server


@asynccontextmanager
async def bench_stack(migrated: bool = True) -> AsyncIterator[tuple[WorkflowEnvironment, Settings, Engine]]:
    """As bin/run runs the product: every payload encrypted (a key file made for the run,
    per-case data keys in the records), the staff's language German (the default).
    ``migrated=False``: the records stay empty until the first worker migrates them."""
    smtp, _recorder = start_smtp_server()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'records.sqlite3'}"
        key_file = Path(tmp) / "payload-keys"
        ensure_key_file(key_file, "bench")
        engine = create_records_engine(url)
        if migrated:
            migrate(engine)
        settings = Settings(
            task_queue=f"bench-{uuid.uuid4()}",
            database_url=url,
            payload_key_file=key_file,
            smtp_host=smtp.hostname,
            smtp_port=smtp.port,
            metrics_port=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=_temporal_cli(),
            search_attributes=search_attributes.ALL,
            data_converter=data_converter(settings),
            dev_server_startup_timeout=timedelta(seconds=120),
        )
        settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
        try:
            yield env, settings, engine
        finally:
            engine.dispose()
            smtp.stop()
            await env.shutdown()


@dataclass
class ClusterEnvironment:
    """What the benchmark uses of a WorkflowEnvironment: the client."""

    client: Client


@asynccontextmanager
async def cluster_stack() -> AsyncIterator[tuple[ClusterEnvironment, Settings, Engine]]:
    from cluster.__main__ import Cluster, settings_from
    from cluster.layout import Layout, free_ports

    smtp, _recorder = start_smtp_server()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # PostgreSQL runs as its own user when we are root
        cluster = Cluster(Layout(root / "cluster", free_ports()), workers=0)
        try:
            await asyncio.to_thread(cluster.prepare)
            cluster.start_server()
            await cluster.until_ready()
            values = {
                **settings_from(cluster.client_env("worker")),
                "task_queue": f"bench-{uuid.uuid4()}",
                "smtp_host": smtp.hostname,
                "smtp_port": smtp.port,
                "metrics_port": 0,
            }
            values.pop("mail_sink_dir", None)
            settings = Settings.model_validate(values)
            engine = create_records_engine(settings.database_url)
            try:
                yield ClusterEnvironment(await connect(settings)), settings, engine
            finally:
                engine.dispose()
        finally:
            cluster.stop()
            smtp.stop()
