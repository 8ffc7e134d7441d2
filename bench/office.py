"""The starter through the office service (#25 point 4), as an advisor runs it: ``bin/starter``
as a new process with ``WC_SERVICE_URL`` and a token, beside ``python -c pass`` in the same
run (the floor of any new process here), and the service's own answer time for ``status``
(HTTP request to response, measured in this process), after the open cases are running;
and the workspace's pages (#27 point 6): the list of all cases and a case page, their time
and size as a signed-in browser gets them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import urllib.request
from datetime import timedelta
from typing import Any

from bench.__main__ import ROOT, WorkerProcess, _median_wall_time, log_path, product_env, product_worker
from core.config import Settings
from records import accounts
from tests.support import free_port
from tests.workflows.case_flow import new_case, open_journeys, start_case

STATUS_REQUESTS = 200
PAGE_REQUESTS = 100


async def office_run(client: Any, settings: Settings, engine: Any) -> dict[str, float]:
    port = free_port()
    env = {**product_env(settings), "WC_SERVICE_PORT": str(port), "WC_LOG_LEVEL": "WARNING"}
    service = WorkerProcess([sys.executable, "-m", "service"], env, log_path(engine, "office-service"))
    worker = product_worker(settings, engine)
    url = f"http://127.0.0.1:{port}"
    try:
        handle = await start_case(client, settings.task_queue, new_case(positions=1))
        await open_journeys(client, handle, [("THAMM-4711", "TN")])
        case_id = handle.id.removeprefix("case-")
        token, _ = await asyncio.to_thread(accounts.create_token, engine, "m.koch", "bench", timedelta(hours=1))
        await _until_up(url, service)
        person = {**env, "WC_SERVICE_URL": url, "WC_TOKEN": token}
        person.pop("WC_ADVISOR", None)
        person.pop("WC_STARTER_DIRECT", None)  # an advisor's machine: the thin client
        starter = [str(ROOT / "bin" / "starter")]
        figures = {
            "python_pass_seconds": await asyncio.to_thread(_median_wall_time, [sys.executable, "-c", "pass"], person),
            "status_seconds": await asyncio.to_thread(_median_wall_time, [*starter, "status", case_id], person),
            "add_note_seconds": await asyncio.to_thread(
                _median_wall_time, [*starter, "add-note", case_id, "--note", "Rückruf vereinbart"], person
            ),
            "journey_step_seconds": await asyncio.to_thread(
                _median_wall_time,
                [*starter, "add-note", case_id, "--candidate", "THAMM-4711", "--note", "Unterlagen angefragt"],
                person,
            ),
        }
        # The workspace's pages (#27 point 6), as a browser signed in asks for them.
        session, _ = await asyncio.to_thread(
            accounts.create_token, engine, "m.koch", "bench", timedelta(hours=1), accounts.SESSION
        )
        for name, path in (("cases", "/cases?scope=all"), ("case", f"/cases/{case_id}")):
            page_times, size = await asyncio.to_thread(_page_times, url, session, path)
            figures[f"page_{name}_p95_ms"] = statistics.quantiles(page_times, n=20)[-1] * 1000
            figures[f"page_{name}_p50_ms"] = statistics.median(page_times) * 1000
            figures[f"page_{name}_kb"] = size / 1024
        times = await asyncio.to_thread(_status_times, url, token, case_id)
        figures["service_status_p50_ms"] = statistics.median(times) * 1000
        figures["service_status_p95_ms"] = statistics.quantiles(times, n=20)[-1] * 1000
        service.check()
        worker.check()
        return figures
    finally:
        service.stop()
        worker.stop()


async def _until_up(url: str, service: WorkerProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            service.check()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def _page_times(url: str, session: str, path: str) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(PAGE_REQUESTS):
        request = urllib.request.Request(url + path)
        request.add_header("Cookie", f"wc_session={session}")
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            size = len(response.read())
        times.append(time.perf_counter() - started)
    return times, size


def _status_times(url: str, token: str, case_id: str) -> list[float]:
    body = json.dumps({"argv": ["status", case_id]}).encode()
    times = []
    for _ in range(STATUS_REQUESTS):
        request = urllib.request.Request(f"{url}/api/command", data=body, method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            answer = json.loads(response.read())
        times.append(time.perf_counter() - started)
        if answer["code"] != 0:
            raise RuntimeError(f"status through the service: {answer['err'][-300:]}")
    return times
