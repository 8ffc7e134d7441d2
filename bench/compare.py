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
project's .venv, and so does its driver: the revision's own client (bench/driver.py, run
in its worktree), so that a revision whose case input differs from today's is driven as
it was then. Only the workers' CPU is compared.
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
from typing import TypeVar

from sqlalchemy import Engine, inspect

from bench.__main__ import ROOT, WorkerProcess, log_path, product_env
from bench.stack import bench_stack
from core.logging import configure_logging

T = TypeVar("T")


class Driver:
    """bench/driver.py in a revision's worktree: places cases with that revision's client."""

    def __init__(self, tree: Path, env: dict[str, str], log: Path) -> None:
        self._log = log.open("ab")
        source = (ROOT / "bench" / "driver.py").read_text()
        # cwd and PYTHONPATH are the worktree, so every import is the revision's own.
        self.process = subprocess.Popen(
            [sys.executable, "-c", source],
            cwd=tree,
            env={**env, "PYTHONPATH": str(tree)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    async def answer(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.to_thread(self.process.stdout.readline)
        if line.strip() not in ("ok", "ready"):
            raise RuntimeError(f"the driver answered {line.strip() or 'nothing'!r}; see {self._log.name}")

    async def place(self, queue: str, first: int, cases: int, concurrency: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{queue} {first} {cases} {concurrency}\n")
        self.process.stdin.flush()
        await self.answer()

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


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
            workers: list[tuple[str, str, WorkerProcess, Driver]] = []
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
                    await while_alive(worker, migrated(engine))  # the client's case keys live there
                    driver = Driver(tree, env_vars, log_path(engine, f"driver-{len(workers)}"))
                    workers.append((name, queue, worker, driver))
                    await while_alive(worker, driver.answer())
                    await while_alive(worker, driver.place(queue, 0, 1, 1))
                for r in range(rounds):
                    for name, queue, worker, driver in workers if r % 2 == 0 else workers[::-1]:
                        before = worker.cpu_seconds()
                        await while_alive(worker, driver.place(queue, 1000 * r + 1, cases, concurrency))
                        per_case[name].append((worker.cpu_seconds() - before) / cases)
                        worker.check()
            finally:
                for _name, _queue, worker, driver in workers:
                    driver.stop()
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
