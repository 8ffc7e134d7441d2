"""Short-lived processes that open a Temporal client exit with their own status, never
with a crash at interpreter shutdown (#12 point 5): each command runs many times in a row
as a real process against the dev server, and every exit status is checked."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from core.config import Settings
from tests.conftest import Stack

ROOT = Path(__file__).resolve().parents[2]
RUNS = 8  # per command; the crash showed about once in fifteen starts


async def run(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, *argv, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, (out + err).decode(errors="replace")


async def test_client_commands_exit_with_their_own_status_every_time(stack: Stack, tmp_path: Path) -> None:
    settings: Settings = stack.settings
    env = {
        **os.environ,
        "WC_TEMPORAL_ADDRESS": settings.temporal_address,
        "WC_DATABASE_URL": f"sqlite:///{tmp_path / 'records.sqlite3'}",
        "WC_METRICS_PORT": "0",
        "WC_STARTER_DIRECT": "1",  # the starter itself, not its thin client
        "WC_ALLOW_PLAINTEXT_PAYLOADS": "true",  # the suite's unencrypted server
    }
    commands = {
        ("-m", "starter", "list", "--limit", "1"): 0,  # done: 0
        ("-m", "starter", "status", "WC-0000000000"): 1,  # no such case: 1
        ("-m", "core.search_attributes", "register"): 0,
    }
    runs = [argv for argv in commands for _ in range(RUNS)]
    limit = asyncio.Semaphore(4)

    async def limited(argv: tuple[str, ...]) -> tuple[tuple[str, ...], int, str]:
        async with limit:
            code, output = await run(list(argv), env)
            return argv, code, output

    results = await asyncio.gather(*(limited(argv) for argv in runs))
    wrong = [(" ".join(argv), code, output[-300:]) for argv, code, output in results if code != commands[argv]]
    assert wrong == [], wrong
    assert all("Fatal Python error" not in output for _, _, output in results)


def test_the_worker_runs_on_uvloop_and_other_entry_points_on_asyncios_loop() -> None:
    """#23 point 5: the worker's loop is uvloop (less CPU per activation handed between the
    SDK's threads and the loop); the other entry points keep asyncio's own."""
    import subprocess

    probe = (
        "import asyncio, sys\n"
        "from core.process import run_to_exit\n"
        "async def main():\n"
        "    print(type(asyncio.get_running_loop()).__module__)\n"
        "run_to_exit(main(), fast_loop=sys.argv[1] == 'fast')\n"
    )
    loops = {
        mode: subprocess.run(
            [sys.executable, "-c", probe, mode], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        for mode in ("fast", "plain")
    }
    assert loops["fast"].startswith("uvloop"), loops
    assert loops["plain"].startswith("asyncio"), loops
    assert "run_to_exit(main(), fast_loop=True)" in (ROOT / "worker.py").read_text()
