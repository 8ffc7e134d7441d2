"""How big the Temporal histories of a case get (#12): events and bytes per workflow.

    .venv/bin/python -m bench.history_size            # a placed journey, and one with 500 notes
    .venv/bin/python -m bench.history_size --notes 50 # fewer notes, quicker

Runs the real thing: the Temporal CLI dev server, the project's worker, an SQLite records
file and an SMTP server on loopback, and drives the cases with the same helpers as the
server tests. Prints one line per workflow: its runs (a long journey continues as new),
and of the newest run the events, bytes (the sum of the history's events as stored) and
the largest single event. Temporal's limits: 51,200 events or
50 MB per history (warnings from 10,240 events / 10 MB), 2 MB per payload.
"""

from __future__ import annotations

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client, WorkflowHandle

from bench.stack import bench_stack
from models.journey import AddNote
from tests.workflows.case_flow import new_case, open_journeys, start_case
from worker import build_worker

NOTE = ("Rückruf beim Arbeitgeber: Unterlagen vollständig, Termin bestätigt. " * 40)[:2000]  # the longest note


async def measure(client: Client, handle: WorkflowHandle) -> tuple[int, int, int, int]:
    """Runs of the workflow id (continue-as-new), and the newest run's events, bytes, largest event."""
    runs = [wf async for wf in client.list_workflows(f"WorkflowId = '{handle.id}'")]
    history = await client.get_workflow_handle(handle.id).fetch_history()
    sizes = [event.ByteSize() for event in history.events]
    return len(runs), len(sizes), sum(sizes), max(sizes)


async def run(notes: int) -> list[tuple[str, int, int, int, int]]:
    rows = []
    async with bench_stack() as (env, settings, engine):
        client: Client = env.client
        with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
            async with build_worker(client, settings, engine, executor):
                placed = await start_case(client, settings.task_queue, new_case(positions=1))
                (journey,) = await open_journeys(client, placed, [("THAMM-4711", "TN")])
                await journey.to_probation()
                await journey.probation_passed()
                await placed.result()
                rows.append(("placed case", *await measure(client, placed)))
                rows.append(("placed journey", *await measure(client, journey.handle)))

                noted = await start_case(client, settings.task_queue)
                (journey,) = await open_journeys(client, noted, [("THAMM-0815", "MA")])
                await journey.contract()
                for _ in range(notes):
                    await journey.do(AddNote, note=NOTE)
                rows.append((f"journey with {notes} notes", *await measure(client, journey.handle)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=500, help="notes of 2,000 characters on one journey")
    args = parser.parse_args()
    rows = asyncio.run(run(args.notes))
    print(f"{'workflow':<28} {'runs':>5} {'events':>8} {'bytes':>12} {'largest event':>14}   (newest run)")
    for name, runs, events, size, largest in rows:
        print(f"{name:<28} {runs:>5} {events:>8} {size:>12,} {largest:>14,}")


if __name__ == "__main__":
    main()
