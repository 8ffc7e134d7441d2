"""The engine's floor (#14): what the same Temporal work costs with no product in it.

One ``FloorWorkflow`` stands for one placed candidate: the client sends it as many Updates
as the advisors send a case and its journey, and the workflow runs as many activities, each
with a no-op body: one awaited inside each Update (as the product waits for its record),
the others beside it (as the product sends its emails). What the product does beyond
that (its rules, records, emails, search attributes, clocks) is the difference.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.worker import Worker


class FloorStep(BaseModel):
    awaited: int  # activities the Update waits for
    beside: int  # activities started beside it (the workflow waits for them before it ends)


@activity.defn(name="floor_noop")
async def floor_noop() -> None:
    return None


async def _noop() -> None:
    await workflow.execute_activity(floor_noop, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn(sandboxed=False)  # nothing to guard: the floor imports nothing of the product
class FloorWorkflow:
    def __init__(self) -> None:
        self._done = False
        self._steps = 0
        self._beside: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._done and workflow.all_handlers_finished())
        await asyncio.gather(*self._beside)
        return self._steps

    @workflow.update
    async def step(self, step: FloorStep) -> int:
        for _ in range(step.beside):
            self._beside.append(asyncio.create_task(_noop()))
        for _ in range(step.awaited):
            await _noop()
        self._steps += 1
        return self._steps

    @workflow.query
    def steps(self) -> int:
        return self._steps

    @workflow.update
    async def finish(self) -> int:
        self._done = True
        return self._steps


async def serve() -> None:
    """The floor's worker in a process of its own, as the product's (WC_* settings)."""
    import signal

    from core.client import connect
    from core.config import get_settings

    settings = get_settings()
    client = await connect(settings)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[FloorWorkflow],
            activities=[floor_noop],
            activity_executor=executor,
        ):
            await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve())
