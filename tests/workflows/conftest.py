"""Fixtures of the workflow tests: a worker whose mail server the test controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest_asyncio
from sqlalchemy import select

from records.schema import notifications
from tests.conftest import Stack
from tests.support import SmtpRecorder, start_smtp_server
from worker import build_worker


@pytest_asyncio.fixture(loop_scope="session")
async def mail_stack(stack: Stack) -> AsyncIterator[tuple[Stack, SmtpRecorder]]:
    """A worker of its own whose mail server the test controls."""
    controller, recorder = start_smtp_server()
    settings = stack.settings.model_copy(
        update={
            "task_queue": stack.settings.task_queue + "-mail",
            "smtp_host": controller.hostname,
            "smtp_port": controller.port,
            "database_url": stack.engine.url.render_as_string(hide_password=False),
        }
    )
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(stack.client, settings, stack.engine, executor):
            yield Stack(stack.client, settings, stack.engine, recorder, stack.worker), recorder
    controller.stop()


def outbox_rows(stack: Stack, case_id: str) -> dict[str, str]:
    with stack.engine.connect() as conn:
        rows = conn.execute(
            select(notifications.c.idempotency_key, notifications.c.status).where(notifications.c.case_id == case_id)
        )
        return {key: status for key, status in rows}
