"""How long ``bin/starter status`` takes with payload encryption (per-case keys) and without.

    .venv/bin/python -m bench.status_encryption [--runs 30]

One case with a journey on each setting, then ``status`` (the starter's own code, in
process: queries, decoding, rendering) timed ``--runs`` times each; prints min / median /
max in milliseconds. The process start of the starter is the same either way (farm-bench
bin/starter --help measures it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from pydantic import SecretStr

from bench.stack import bench_stack
from core.client import connect
from core.codec import new_key
from starter.cli import main as starter
from tests.workflows.case_flow import new_case, open_journeys, start_case
from worker import build_worker


async def run(runs: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    async with bench_stack() as (_env, base, engine):
        for name, keys in (("plain", None), ("encrypted", SecretStr(new_key("bench")))):
            settings = base.model_copy(update={"payload_keys": keys, "task_queue": f"{base.task_queue}-{name}"})
            client = await connect(settings)
            with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
                async with build_worker(client, settings, engine, executor):
                    handle = await start_case(client, settings.task_queue, new_case(positions=1))
                    (journey,) = await open_journeys(client, handle, [("THAMM-4711", "TN")])
                    await journey.contract()
                    case_id = handle.id.removeprefix("case-")
                    timings[name] = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        code = await starter(["status", case_id], client=client, settings=settings, out=io.StringIO())
                        timings[name].append((time.perf_counter() - started) * 1000)
                        assert code == 0
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    timings = asyncio.run(run(parser.parse_args().runs))
    print(f"{'status':<10} {'min ms':>8} {'median ms':>10} {'max ms':>8}")
    for name, values in timings.items():
        print(f"{name:<10} {min(values):>8.1f} {statistics.median(values):>10.1f} {max(values):>8.1f}")


if __name__ == "__main__":
    main()
