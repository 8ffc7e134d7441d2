"""Worker CPU per placed case of two revisions, measured side by side (#23 point 5).

    .venv/bin/python -m bench.compare HEAD~1              # that revision against the working tree
    .venv/bin/python -m bench.compare v1 v2 --rounds 8 --cases 5
    .venv/bin/python -m bench.compare . --after-env WC_SOME_SETTING=1     # a setting, same code

On a shared machine the same run scatters by ±15 % from minute to minute, so a figure
taken before a change and one taken after are not comparable. Here both workers run
against one stack (dev server, records, SMTP server, encrypted as ``bin/run`` runs the
product), each on a task queue of its own, and the rounds alternate between them: each
round drives N cases from consultation to placed on one worker and reads its CPU from
/proc. A revision is checked out into a temporary worktree; its worker runs with this
project's .venv.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, inspect

from bench.__main__ import ROOT, WorkerProcess, gather_limited, log_path, placed_case, product_env
from bench.stack import bench_stack
from core.logging import configure_logging

T = TypeVar("T")


@contextmanager
def checkout(revision: str | None) -> Iterator[Path]:
    """The working tree for None (or "."), else the revision in a throwaway worktree."""
    if revision in (None, "."):
        yield ROOT
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), revision], cwd=ROOT, check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True)


async def compare(
    revisions: list[str | None], rounds: int, cases: int, concurrency: int, after_env: dict[str, str]
) -> dict[str, list[float]]:
    names = ["working tree" if revision in (None, ".") else revision for revision in revisions]
    if names[0] == names[1]:
        names = [names[0], f"{names[1]} with {' '.join(after_env)}"]
    per_case: dict[str, list[float]] = {name: [] for name in names}
    with checkout(revisions[0]) as first, checkout(revisions[1]) as second:
        async with bench_stack(migrated=False) as (env, settings, engine):
            workers: list[tuple[str, str, WorkerProcess]] = []
            try:
                # One at a time, each warmed up (imports, first tasks) before the next starts:
                # the first migrates the records to its schema and the second migrates on, so
                # give the older revision first (an older worker cannot start on a newer schema).
                for name, tree in zip(names, (first, second), strict=True):
                    queue = f"{settings.task_queue}-{len(workers)}"
                    env_vars = {**product_env(settings), "WC_TASK_QUEUE": queue, "PYTHONPATH": str(tree)}
                    if workers:
                        env_vars.update(after_env)
                    log = log_path(engine, f"compare-{len(workers)}")
                    worker = WorkerProcess([sys.executable, str(tree / "worker.py")], env_vars, log)
                    workers.append((name, queue, worker))
                    await while_alive(worker, migrated(engine))  # the client's case keys live there
                    await while_alive(worker, placed_case(env.client, queue, 0))
                for r in range(rounds):
                    for name, queue, worker in workers if r % 2 == 0 else workers[::-1]:
                        before = worker.cpu_seconds()
                        first_number = 1000 * r + 1

                        def one(n: int, q: str = queue, start: int = first_number) -> Awaitable[Any]:
                            return placed_case(env.client, q, start + n)

                        await while_alive(worker, gather_limited(cases, concurrency, one))
                        per_case[name].append((worker.cpu_seconds() - before) / cases)
                        worker.check()
            finally:
                for _name, _queue, worker in workers:
                    worker.stop()
    return per_case


async def migrated(engine: Engine) -> None:
    while not inspect(engine).has_table("alembic_version"):
        await asyncio.sleep(0.2)
    engine.dispose()  # no connection from before the schema was there


async def while_alive(worker: WorkerProcess, work: Awaitable[T]) -> T:
    """``work``, failing at once (with the worker's log named) when the worker has ended."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=1.0)
        if done:
            return task.result()
        try:
            worker.check()
        except RuntimeError:
            task.cancel()
            raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help='a git revision, or "." for the working tree')
    parser.add_argument("after", nargs="?", help='a git revision, or "." (the default) for the working tree')
    parser.add_argument("--rounds", type=int, default=6, help="rounds per revision, alternating")
    parser.add_argument("--cases", type=int, default=5, help="placed cases per round")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--after-env", action="append", default=[], metavar="NAME=VALUE", help="a setting for the after worker only"
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    after_env = dict(item.split("=", 1) for item in args.after_env)
    results = asyncio.run(compare([args.before, args.after], args.rounds, args.cases, args.concurrency, after_env))
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        rounds = " ".join(f"{v:.3f}" for v in values)
        print(f"{name:>14}: median {medians[name]:.3f} s worker CPU per placed case  (rounds: {rounds})")
    before, after = medians.values()
    print(f"after / before: {after / before:.2f}")


if __name__ == "__main__":
    main()
