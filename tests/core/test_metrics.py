"""The worker's Prometheus endpoint: SDK runtime metrics and cases by stage, scraped for real."""

from __future__ import annotations

import re
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from core.client import connect
from core.metrics import StageGauges, metrics_runtime
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import new_case, start_case
from worker import build_worker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def _gauge(text: str, name: str, stage: str) -> float | None:
    match = re.search(rf'^{name}{{[^}}]*stage="{stage}"[^}}]*}} (\S+)$', text, flags=re.MULTILINE)
    return float(match.group(1)) if match else None


async def test_metrics_endpoint_serves_runtime_metrics_and_cases_by_stage(stack: Stack) -> None:
    port = _free_port()
    runtime = metrics_runtime(port, host="127.0.0.1")
    settings = stack.settings.model_copy(update={"task_queue": stack.settings.task_queue + "-metrics"})
    client = await connect(settings, runtime=runtime)
    gauges = StageGauges(runtime.metric_meter)
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(client, settings, stack.engine, executor):
            handle = await start_case(client, settings.task_queue, new_case())
            await handle.query("status")

            def consultation_count() -> float | None:
                gauges.publish(stack.engine)
                return _gauge(_scrape(port), "welcome_center_cases", "consultation")

            assert await eventually(consultation_count) >= 1
            await gauges.publish_stuck(client)
            text = _scrape(port)

    # Every stage is reported, empty ones as 0, so a stage that empties drops to zero.
    assert _gauge(text, "welcome_center_journeys", "employer_report_due") is not None
    # The workflows whose tasks keep failing, counted (#26 point 6).
    assert re.search(r"^welcome_center_stuck_workflows(\{[^}]*\})? \d+", text, flags=re.MULTILINE), text[-2000:]
    # The SDK's own runtime metrics come from the same endpoint.
    assert re.search(r"^temporal_\w+", text, flags=re.MULTILINE)
    assert "temporal_worker_task_slots_available" in text or "temporal_request" in text


def _listening_on(port: int) -> set[str]:
    """The local addresses a TCP socket of ``port`` listens on (/proc/net/tcp, state 0A)."""
    found = set()
    for line in open("/proc/net/tcp", encoding="ascii").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_the_worker_s_metrics_listen_on_loopback_unless_configured() -> None:
    # #26 point 3: the settings' default, as worker.main builds the runtime.
    from core.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    port = _free_port()
    runtime = metrics_runtime(port, settings.metrics_host)
    assert runtime is not None
    assert _listening_on(port) == {"127.0.0.1"}
