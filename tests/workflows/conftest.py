"""Fixtures of the workflow tests: a worker whose mail server the test controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select

from records.schema import notifications
from tests.conftest import Stack, own_worker
from tests.support import SmtpRecorder, start_smtp_server


@pytest_asyncio.fixture(loop_scope="session")
async def mail_stack(stack: Stack, tmp_path: Path) -> AsyncIterator[tuple[Stack, SmtpRecorder]]:
    """A worker and records of its own whose mail server the test controls."""
    controller, recorder = start_smtp_server()
    try:
        async with own_worker(
            stack, tmp_path, "mail", recorder, smtp_host=controller.hostname, smtp_port=controller.port
        ) as mail:
            yield mail, recorder
    finally:
        controller.stop()


def outbox_rows(stack: Stack, case_id: str) -> dict[str, str]:
    with stack.engine.connect() as conn:
        rows = conn.execute(
            select(notifications.c.idempotency_key, notifications.c.status).where(notifications.c.case_id == case_id)
        )
        return {key: status for key, status in rows}
