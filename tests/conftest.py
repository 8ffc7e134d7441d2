"""Session-wide real peers: a Temporal dev server, an SMTP server, an SQLite records file.

Each test gets its own task queue and worker, so tests never see each other's work.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core import search_attributes
from core.client import connect, data_converter
from core.config import Settings
from models import clock
from records.database import create_records_engine, migrate
from tests.support import SmtpRecorder, start_smtp_server
from worker import build_worker

ROOT = Path(__file__).resolve().parent.parent


# The unit suite runs a second time as if it were later (bin/test: a year ahead), so a test
# whose dates only work on the day it was written fails in CI, not months later. The shift
# moves the clock outside workflows (models/clock.py); workflows run on the server's time,
# so the tests that need the server are not run shifted.
DAYS_AHEAD = int(os.environ.get("WC_TEST_DAYS_AHEAD") or 0)
clock.move_ahead(DAYS_AHEAD)

# Commands awaiting their answer (core/updates.py) are kept per test run, not in the home.
os.environ.setdefault("WC_PENDING_COMMANDS", str(Path(f"/tmp/wc-pending-{os.getpid()}-{uuid.uuid4().hex[:8]}.json")))


def _temporal_cli() -> str:
    if path := os.environ.get("WC_TEMPORAL_CLI"):
        return path
    # The same lookup (and one-time build) the main job uses.
    result = subprocess.run([str(ROOT / "scripts" / "temporal-cli.sh")], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


UI_PORT = _free_port()
# The session's payload key: the encrypted tests use it, and the Web UI decodes through the
# office service holding it (as bin/run sets it up).
PAYLOAD_KEYS = "test-2026:" + base64.b64encode(b"welcome-center-session-test-key!").decode()


# The end-to-end tests can run against another server than the session's dev server: the
# production topology (python -m cluster.e2e sets these; mTLS with the starter's certificate).
EXISTING_SERVER = os.environ.get("WC_TEST_TEMPORAL_ADDRESS")
SERVER_TLS: dict[str, Any] = {
    name: os.environ[f"WC_TEST_{name.upper()}"]
    for name in ("temporal_tls_ca_file", "temporal_tls_cert_file", "temporal_tls_key_file", "temporal_tls_server_name")
    if os.environ.get(f"WC_TEST_{name.upper()}")
}

# There the workers connect with the workers' certificate and the tests act with the office
# service's, as in bin/cluster: the server grants each only its party's calls
# (config/temporal-access.yaml), so the end-to-end run checks the policy too.
WORKER_TLS: dict[str, Any] = {
    name: Path(os.environ[f"WC_TEST_WORKER_{name.upper()}"])
    for name in ("temporal_tls_cert_file", "temporal_tls_key_file")
    if os.environ.get(f"WC_TEST_WORKER_{name.upper()}")
}


async def worker_client(client: Client, settings: Settings) -> Client:
    """The client a test's worker polls with: the tests' own, or the workers' certificate's."""
    return await connect(settings.model_copy(update=WORKER_TLS)) if WORKER_TLS else client


@pytest.fixture(scope="session")
def ui_url(temporal_env: WorkflowEnvironment) -> str:
    """The dev server's Web UI on loopback under /ui, as bin/run runs it behind the office
    service (``ui_upstream_url``); the tests that read payloads go through the service."""
    return f"http://127.0.0.1:{UI_PORT}/ui"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_env(records_engine: Engine) -> AsyncIterator[WorkflowEnvironment]:
    if DAYS_AHEAD:
        pytest.fail("WC_TEST_DAYS_AHEAD moves only the clock outside workflows: run it with -m unit")
    if EXISTING_SERVER:
        existing = Settings(
            temporal_address=EXISTING_SERVER, allow_plaintext_payloads=True, **SERVER_TLS, _env_file=None
        )  # type: ignore[call-arg]
        yield WorkflowEnvironment.from_client(await connect(existing))
        return
    env = await WorkflowEnvironment.start_local(
        ui=True,
        ui_port=UI_PORT,
        dev_server_existing_path=_temporal_cli(),
        search_attributes=search_attributes.ALL,
        data_converter=data_converter(),
        dev_server_extra_args=["--ui-public-path", "/ui", "--ui-ip", "127.0.0.1"],
        # Two loaded cores: the server can take far longer than the 5 s default to come up.
        dev_server_startup_timeout=timedelta(seconds=120),
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[str, int, SmtpRecorder]]:
    controller, recorder = start_smtp_server()
    try:
        yield controller.hostname, controller.port, recorder
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def records_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = os.environ.get("WC_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('records') / 'cases.sqlite3'}"
    )
    engine = create_records_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(
    temporal_env: WorkflowEnvironment, smtp: tuple[str, int, SmtpRecorder], records_engine: Engine
) -> Settings:
    host, port, _ = smtp
    return Settings(
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=f"test-{uuid.uuid4()}",
        # The worker gets the shared engine; the URL serves what opens its own (the case keys).
        database_url=records_engine.url.render_as_string(hide_password=False),
        smtp_host=host,
        smtp_port=port,
        **SERVER_TLS,
        # The tests read the English source texts; the German ones (the default) have their own
        # tests (tests/core/test_i18n.py, tests/activities/test_email_text.py).
        language="en",
        # This stack runs unencrypted under the migration switch (#26 point 2); ``encrypted``
        # below runs as bin/run does, and refuses plaintext.
        allow_plaintext_payloads=True,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest_asyncio.fixture(loop_scope="session")
async def client(settings: Settings) -> Client:
    return await connect(settings)


@dataclass
class Stack:
    client: Client
    settings: Settings
    engine: Engine
    smtp: SmtpRecorder
    worker: Worker


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    client: Client,
    settings: Settings,
    records_engine: Engine,
    smtp: tuple[str, int, SmtpRecorder],
) -> AsyncIterator[Stack]:
    """A running worker on this test's own task queue, with the real database and SMTP."""
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        worker = build_worker(await worker_client(client, settings), settings, records_engine, executor)
        async with worker:
            yield Stack(client, settings, records_engine, smtp[2], worker)


@contextlib.asynccontextmanager
async def own_worker(
    stack: Stack, folder: Path, name: str, smtp: SmtpRecorder | None = None, **update: Any
) -> AsyncIterator[Stack]:
    """A worker on a task queue and a records database of its own. Its mail relay sends only
    what its own records queued, so a test with a mail server of its own (``update``:
    ``smtp_host``/``smtp_port``) sees every email of its cases and no other test's."""
    url = f"sqlite:///{folder / f'{name}.sqlite3'}"
    engine = create_records_engine(url)
    migrate(engine)
    settings = stack.settings.model_copy(
        update={"database_url": url, "task_queue": f"{stack.settings.task_queue}-{name}", **update}
    )
    try:
        with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
            async with build_worker(await worker_client(stack.client, settings), settings, engine, executor) as worker:
                yield Stack(stack.client, settings, engine, smtp or stack.smtp, worker)
    finally:
        engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test unit or integration by whether it needs the dev server, so
    `bin/test -m unit` runs the fast half; CI runs both."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.integration if "temporal_env" in fixtures else pytest.mark.unit)


@pytest_asyncio.fixture(loop_scope="session")
async def encrypted(stack: Stack) -> AsyncIterator[Stack]:
    """Client and worker with the payload key, as bin/run runs them."""
    settings = stack.settings.model_copy(
        update={
            "task_queue": stack.settings.task_queue + "-encrypted",
            "payload_keys": SecretStr(PAYLOAD_KEYS),
            "allow_plaintext_payloads": False,
        }
    )
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(await worker_client(client, settings), settings, stack.engine, executor) as worker:
            yield Stack(client, settings, stack.engine, stack.smtp, worker)
