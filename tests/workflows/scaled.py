"""A worker whose policy day lasts a fraction of a second, for tests whose timers fire."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml

from models.deadlines import DEFAULT_POLICY_FILE
from tests.conftest import Stack, worker_client
from worker import build_worker

LADDER = {"reminder_days_before": 2, "team_lead_after_days": 2, "operations_after_days": 4}


@asynccontextmanager
async def scaled_worker(
    stack: Stack,
    tmp_path: Path,
    day_seconds: float,
    clocks: dict[str, dict[str, Any]] | None = None,
    queue: str | None = None,
) -> AsyncIterator[str]:
    """A worker on a queue of its own (or ``queue``), with a scaled day and the given clock overrides."""
    policy = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    for name, override in (clocks or {}).items():
        policy["clocks"][name].update(override)
    policy_file = tmp_path / f"policy-{uuid.uuid4().hex[:6]}.yaml"
    policy_file.write_text(yaml.safe_dump(policy, allow_unicode=True))
    settings = stack.settings.model_copy(
        update={
            "task_queue": queue or f"{stack.settings.task_queue}-scaled-{uuid.uuid4().hex[:6]}",
            "deadline_policy": policy_file,
            "deadline_day_seconds": day_seconds,
        }
    )
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(await worker_client(stack.client, settings), settings, stack.engine, executor):
            yield settings.task_queue
