"""A revision's own client, driving its own worker for ``bench.compare``.

``bench.compare`` runs this file's text with ``python -c`` in the revision's worktree, so
every import below is that revision's: its models, its case input, its data converter. A
revision whose case input differs from today's (c78948d, before #23 point 5) is driven
as it was then, and only the workers' CPU is compared. It therefore uses only what has
stood since then: ``bench.__main__.placed_case(client, queue, n)``, ``core.client.connect``
and ``core.config.Settings`` read from the environment.

Protocol, one line each way: ``QUEUE FIRST_NUMBER CASES CONCURRENCY`` in, ``ok`` or
``error <text>`` out; end of input ends it.
"""

import asyncio
import sys
import traceback


async def serve() -> None:
    from bench.__main__ import placed_case
    from core.client import connect
    from core.config import Settings

    client = await connect(Settings())
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        queue, first, cases, concurrency = line.split()
        limit = asyncio.Semaphore(int(concurrency))

        async def one(n: int, queue: str = queue, limit: asyncio.Semaphore = limit) -> None:
            async with limit:
                await placed_case(client, queue, n)

        try:
            await asyncio.gather(*(one(int(first) + n) for n in range(int(cases))))
        except Exception:
            print("error " + traceback.format_exc().replace("\n", " | "), flush=True)
        else:
            print("ok", flush=True)


asyncio.run(serve())
