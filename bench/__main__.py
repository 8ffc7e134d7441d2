"""Fast for the advisor, lean in Temporal (#14): the product beside the engine's floor.

    .venv/bin/python -m bench                 # 20 cases (5 at a time), 10,000 open cases; ~15 min
    .venv/bin/python -m bench --small         # what CI runs (tests/deploy): 2 cases, 10 notes, 50 open cases
    .venv/bin/python -m bench --cases 50 --concurrency 10 --open-cases 2000 --json bench/results.json

Starts a Temporal dev server, an SMTP server and an SQLite records file of its own and
prints one table (also written as JSON, ``--json``; default ``artifacts/bench.json``):

- full-journey throughput: N cases with one candidate each, driven from consultation to
  placed with C at a time, against the engine's floor in the same run (``bench/floor.py``:
  one workflow per case taking as many Updates and running as many no-op activities as
  the product's case and journey did); the ratio product/floor;
- advisor Update round trip (client call to result) p50/p95/p99, product and floor;
- wall time of ``bin/starter status`` and of one update command (``add-note``), each a
  new process run directly on the server (``WC_STARTER_DIRECT=1``, as operations' scripts
  do; advisors go through the service: the "service:" rows), median of 10; and
  ``bin/starter --help``;
- history events, bytes and estimated Temporal Cloud billable actions per placed candidate
  (case + journey) and for a journey with 100 notes (``--notes``);
- the worker's RSS (a process of its own, as ``bin/run`` starts it) with M open cases
  waiting on their clocks, and the time it took to start them.

Figures are what this machine measured in this run; compare product and floor as a
ratio, not as absolute times. Nothing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateHandle,
)

from bench.floor import FloorStep, FloorWorkflow
from bench.stack import bench_stack, cluster_stack
from core.config import Settings
from core.logging import configure_logging
from models.journey import AddNote
from records.schema import cases
from tests.workflows.case_flow import Journey, new_case, open_journeys, start_case

ROOT = Path(__file__).resolve().parents[1]
E = EventType
NOTE = ("Rückruf beim Arbeitgeber: Unterlagen vollständig, Termin bestätigt. " * 4)[:280]


# --- measuring --------------------------------------------------------------------------------


class _Timing(Interceptor):
    """Times every Update from the client's call to its result."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        timing = self

        class _Outbound(OutboundInterceptor):
            async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> WorkflowUpdateHandle[Any]:
                started = time.perf_counter()
                handle = await super().start_workflow_update(input)
                await handle.result()
                timing.seconds.append(time.perf_counter() - started)
                return handle

        return _Outbound(next)


def _timed_client(client: Client, timing: _Timing) -> Client:
    config = client.config()
    config["interceptors"] = [*config["interceptors"], timing]
    return Client(**config)


def percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1 else seconds * 99
    return {"p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000, "p99_ms": cuts[98] * 1000}


def billable_actions(history: WorkflowHistory) -> int:
    """Temporal Cloud's actions as its history-based estimate counts them: the start, each
    activity attempt, local activity, timer, signal received, Update, search-attribute or
    memo upsert. Queries and rejected Updates are billed too but leave no event."""
    actions = 0
    for event in history.events:
        t = event.event_type
        if t == E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions += max(1, event.activity_task_started_event_attributes.attempt)
        elif t == E.EVENT_TYPE_MARKER_RECORDED:
            actions += event.marker_recorded_event_attributes.marker_name == "core_local_activity"
        elif t in (
            E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
            E.EVENT_TYPE_TIMER_STARTED,
            E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
            E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
            E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
            E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
        ):
            actions += 1
    return actions


@dataclass
class HistoryFigures:
    events: int = 0
    kilobytes: float = 0.0
    billable_actions: int = 0
    updates: int = 0
    activities: int = 0

    def add(self, history: WorkflowHistory) -> None:
        self.events += len(history.events)
        self.kilobytes += sum(e.ByteSize() for e in history.events) / 1000
        self.billable_actions += billable_actions(history)
        for event in history.events:
            self.updates += event.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            self.activities += event.event_type == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED or (
                event.event_type == E.EVENT_TYPE_MARKER_RECORDED
                and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
            )


async def history_of(client: Client, *handles: WorkflowHandle[Any, Any]) -> HistoryFigures:
    figures = HistoryFigures()
    for handle in handles:
        figures.add(await client.get_workflow_handle(handle.id).fetch_history())
    return figures


@dataclass
class Results:
    cases: int
    concurrency: int
    notes: int
    product_cases_per_second: float = 0.0
    floor_cases_per_second: float = 0.0
    # CPU seconds per placed case of the worker process (all threads, its activities
    # included) and of the client driving the cases: steadier than throughput on a noisy
    # machine; the server's own CPU is in neither.
    product_worker_cpu_seconds_per_case: float = 0.0
    floor_worker_cpu_seconds_per_case: float = 0.0
    product_client_cpu_seconds_per_case: float = 0.0
    floor_client_cpu_seconds_per_case: float = 0.0
    throughput_ratio: float = 0.0
    product_update: dict[str, float] = field(default_factory=dict)
    floor_update: dict[str, float] = field(default_factory=dict)
    starter_help_seconds: float = 0.0
    starter_status_seconds: float = 0.0
    starter_update_seconds: float = 0.0
    # Through the office service (#25 point 4): new processes beside `python -c pass`, and the
    # service's own status answer (bench/office.py).
    office: dict[str, float] = field(default_factory=dict)
    placed_candidate: dict[str, float] = field(default_factory=dict)
    floor_candidate: dict[str, float] = field(default_factory=dict)
    journey_with_notes: dict[str, float] = field(default_factory=dict)
    open_cases: int = 0
    open_cases_start_seconds: float = 0.0
    worker_rss_mb: float = 0.0
    worker_peak_rss_mb: float = 0.0


# --- worker processes -------------------------------------------------------------------------


class WorkerProcess:
    """A worker in a process of its own, as bin/run starts it: its CPU time and memory are
    the deployment's, apart from the client's."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self._log = log.open("ab")
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self._log, stderr=self._log)

    def cpu_seconds(self) -> float:
        """User and system CPU of the worker so far, all threads."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> tuple[float, float]:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(values["VmRSS"].split()[0]) / 1024, int(values["VmHWM"].split()[0]) / 1024

    def check(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker ended with {self.process.returncode}; see {self._log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def product_worker(settings: Settings, engine: Any, queue: str | None = None) -> WorkerProcess:
    # It logs as bin/run's worker does (INFO), into its log file.
    env = {**product_env(settings), "WC_TASK_QUEUE": queue or settings.task_queue, "WC_LOG_LEVEL": "INFO"}
    return WorkerProcess([sys.executable, "worker.py"], env, log_path(engine, "product-worker"))


def floor_worker(settings: Settings, engine: Any, queue: str) -> WorkerProcess:
    env = {**product_env(settings), "WC_TASK_QUEUE": queue}
    return WorkerProcess([sys.executable, "-m", "bench.floor"], env, log_path(engine, "floor-worker"))


def log_path(engine: Any, name: str) -> Path:
    return Path(engine.url.database).parent / f"{name}.log"


# --- the runs ---------------------------------------------------------------------------------


async def gather_limited(count: int, concurrency: int, one: Callable[[int], Awaitable[Any]]) -> list[Any]:
    limit = asyncio.Semaphore(concurrency)

    async def limited(n: int) -> Any:
        async with limit:
            return await one(n)

    return await asyncio.gather(*(limited(n) for n in range(count)))


async def placed_case(client: Client, queue: str, n: int) -> tuple[WorkflowHandle[Any, Any], Journey]:
    handle = await start_case(client, queue, new_case(positions=1))
    (journey,) = await open_journeys(client, handle, [(f"THAMM-{1000 + n}", "TN")])
    await journey.to_probation()
    await journey.probation_passed()
    await handle.result()
    return handle, journey


async def product_run(client: Client, settings: Settings, engine: Any, results: Results) -> HistoryFigures:
    timing = _Timing()
    timed = _timed_client(client, timing)
    worker = product_worker(settings, engine)
    try:
        await placed_case(timed, settings.task_queue, 0)  # warm-up: imports, first tasks
        timing.seconds.clear()
        started, cpu, worker_cpu = time.perf_counter(), time.process_time(), worker.cpu_seconds()
        runs = await gather_limited(
            results.cases, results.concurrency, lambda n: placed_case(timed, settings.task_queue, n + 1)
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        worker_cpu = worker.cpu_seconds() - worker_cpu
        handle, journey = runs[0]
        candidate = await history_of(client, handle, journey.handle)

        noted = await start_case(client, settings.task_queue, new_case(positions=1))
        (journey,) = await open_journeys(client, noted, [("THAMM-0815", "MA")])
        await journey.contract()
        for _ in range(results.notes):
            await journey.do(AddNote, note=NOTE)
        notes = await history_of(client, journey.handle)
        worker.check()
    finally:
        worker.stop()
    results.product_cases_per_second = results.cases / elapsed
    results.product_worker_cpu_seconds_per_case = worker_cpu / results.cases
    results.product_client_cpu_seconds_per_case = cpu / results.cases
    results.product_update = percentiles(timing.seconds)
    results.placed_candidate = asdict(candidate)
    results.journey_with_notes = asdict(notes)
    return candidate


async def floor_run(client: Client, settings: Settings, engine: Any, product: HistoryFigures, results: Results) -> None:
    timing = _Timing()
    timed = _timed_client(client, timing)
    queue = f"{settings.task_queue}-floor"
    updates = max(2, product.updates)
    # One activity awaited per Update (the record), the product's others beside, spread evenly.
    beside = max(0, product.activities - (updates - 1))
    steps = [
        FloorStep(awaited=1, beside=beside // (updates - 1) + (i < beside % (updates - 1))) for i in range(updates - 1)
    ]

    async def one(n: int) -> WorkflowHandle[Any, Any]:
        handle = await timed.start_workflow(FloorWorkflow.run, id=f"floor-{uuid.uuid4()}", task_queue=queue)
        for step in steps:
            await handle.execute_update(FloorWorkflow.step, step)
            await handle.query(FloorWorkflow.steps)  # the product's driver reads the journey after each step
        await handle.execute_update(FloorWorkflow.finish)
        await handle.result()
        return handle

    worker = floor_worker(settings, engine, queue)
    try:
        await one(0)
        timing.seconds.clear()
        started, cpu, worker_cpu = time.perf_counter(), time.process_time(), worker.cpu_seconds()
        handles = await gather_limited(results.cases, results.concurrency, one)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        worker_cpu = worker.cpu_seconds() - worker_cpu
        floor = await history_of(client, handles[0])
        worker.check()
    finally:
        worker.stop()
    results.floor_cases_per_second = results.cases / elapsed
    results.floor_worker_cpu_seconds_per_case = worker_cpu / results.cases
    results.floor_client_cpu_seconds_per_case = cpu / results.cases
    results.floor_update = percentiles(timing.seconds)
    results.floor_candidate = asdict(floor)
    results.throughput_ratio = results.product_cases_per_second / results.floor_cases_per_second


def product_env(settings: Settings) -> dict[str, str]:
    tls = {
        f"WC_{name.upper()}": str(value)
        for name in ("temporal_tls_ca_file", "temporal_tls_cert_file", "temporal_tls_key_file")
        if (value := getattr(settings, name)) is not None
    }
    if settings.temporal_tls_server_name:
        tls["WC_TEMPORAL_TLS_SERVER_NAME"] = settings.temporal_tls_server_name
    if settings.payload_key_file is not None:
        tls["WC_PAYLOAD_KEY_FILE"] = str(settings.payload_key_file)
    return {
        **os.environ,
        **tls,
        "WC_TEMPORAL_ADDRESS": settings.temporal_address,
        "WC_TASK_QUEUE": settings.task_queue,
        "WC_DATABASE_URL": settings.database_url,
        "WC_SMTP_HOST": settings.smtp_host,
        "WC_SMTP_PORT": str(settings.smtp_port),
        "WC_METRICS_PORT": "0",
        "WC_LOG_LEVEL": "WARNING",
        "WC_ADVISOR": "m.koch",
        "WC_STARTER_DIRECT": "1",  # bin/starter as on the server; bench/office.py measures the thin client
    }


def _median_wall_time(argv: list[str], env: dict[str, str], runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr[-500:]}")
    return statistics.median(times)


async def starter_run(client: Client, settings: Settings, engine: Any, results: Results) -> None:
    env = product_env(settings)
    worker = product_worker(settings, engine)
    try:
        handle = await start_case(client, settings.task_queue, new_case(positions=1))
        await open_journeys(client, handle, [("THAMM-4711", "TN")])
        case_id = handle.id.removeprefix("case-")
        starter = [str(ROOT / "bin" / "starter")]
        results.starter_help_seconds = await asyncio.to_thread(_median_wall_time, [*starter, "--help"], env)
        results.starter_status_seconds = await asyncio.to_thread(_median_wall_time, [*starter, "status", case_id], env)
        results.starter_update_seconds = await asyncio.to_thread(
            _median_wall_time, [*starter, "add-note", case_id, "--note", "Rückruf vereinbart"], env
        )
        worker.check()
    finally:
        worker.stop()


async def open_cases_run(client: Client, settings: Settings, engine: Any, results: Results) -> None:
    """M cases opened and left waiting on their consultation clock, served by a worker
    process of its own (its memory is what a deployment needs)."""
    queue = f"{settings.task_queue}-open"
    worker = product_worker(settings, engine, queue)
    try:
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(cases)).scalar_one()
        started = time.perf_counter()
        await gather_limited(results.open_cases, 50, lambda n: start_case(client, queue, new_case(positions=1)))
        while True:  # every case opened and recorded
            with engine.connect() as conn:
                recorded = conn.execute(select(func.count()).select_from(cases)).scalar_one() - before
            if recorded >= results.open_cases:
                break
            worker.check()
            await asyncio.sleep(0.5)
        results.open_cases_start_seconds = time.perf_counter() - started
        await asyncio.sleep(5)  # settle: the emails of the openings
        results.worker_rss_mb, results.worker_peak_rss_mb = worker.rss_mb()
    finally:
        worker.stop()


async def run(args: argparse.Namespace) -> Results:
    results = Results(cases=args.cases, concurrency=args.concurrency, notes=args.notes, open_cases=args.open_cases)
    stack = cluster_stack() if args.cluster else bench_stack()
    async with stack as (env, settings, engine):
        client: Client = env.client
        product = await product_run(client, settings, engine, results)
        await floor_run(client, settings, engine, product, results)
        await starter_run(client, settings, engine, results)
        if args.open_cases:
            await open_cases_run(client, settings, engine, results)
        from bench.office import office_run

        results.office = await office_run(client, settings, engine)
    return results


# --- the table --------------------------------------------------------------------------------


def table(r: Results) -> str:
    p, f, c, n = r.product_update, r.floor_update, r.placed_candidate, r.journey_with_notes
    fc = r.floor_candidate
    rows = [
        ("measure", "product", "floor", "how"),
        (
            "full journeys per second",
            f"{r.product_cases_per_second:.2f}",
            f"{r.floor_cases_per_second:.2f}",
            f"{r.cases} cases, {r.concurrency} at a time; ratio {r.throughput_ratio:.2f}",
        ),
        (
            "worker CPU per placed case",
            f"{r.product_worker_cpu_seconds_per_case:.2f} s",
            f"{r.floor_worker_cpu_seconds_per_case:.2f} s",
            "the worker process, all threads, activities included",
        ),
        (
            "client CPU per placed case",
            f"{r.product_client_cpu_seconds_per_case:.2f} s",
            f"{r.floor_client_cpu_seconds_per_case:.2f} s",
            "this process driving the cases",
        ),
        ("Update round trip p50", f"{p['p50_ms']:.0f} ms", f"{f['p50_ms']:.0f} ms", "client call to result"),
        ("Update round trip p95", f"{p['p95_ms']:.0f} ms", f"{f['p95_ms']:.0f} ms", ""),
        ("Update round trip p99", f"{p['p99_ms']:.0f} ms", f"{f['p99_ms']:.0f} ms", ""),
        ("direct: bin/starter --help", f"{r.starter_help_seconds:.2f} s", "", "new process, median of 10"),
        ("direct: bin/starter status", f"{r.starter_status_seconds:.2f} s", "", "new process, median of 10"),
        ("direct: bin/starter add-note", f"{r.starter_update_seconds:.2f} s", "", "new process, median of 10"),
        *_office_rows(r.office),
        ("events per placed candidate", f"{c['events']}", f"{fc['events']}", "case + journey histories"),
        ("KB per placed candidate", f"{c['kilobytes']:.0f}", f"{fc['kilobytes']:.0f}", "sum of the events as stored"),
        ("billable actions per candidate", f"{c['billable_actions']}", f"{fc['billable_actions']}", "history estimate"),
        (
            f"journey with {r.notes} notes",
            f"{n['events']} ev, {n['kilobytes']:.0f} KB",
            "",
            f"{n['billable_actions']} billable actions",
        ),
        (
            f"worker RSS, {r.open_cases} open cases",
            f"{r.worker_rss_mb:.0f} MB",
            "",
            f"peak {r.worker_peak_rss_mb:.0f} MB; started in {r.open_cases_start_seconds:.0f} s",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c_:>{widths[2]}}  {d}".rstrip() for a, b, c_, d in rows)


def _office_rows(o: dict[str, float]) -> list[tuple[str, str, str, str]]:
    if not o:
        return []
    each = "new process through the service, median of 10"
    return [
        ("python -c pass", f"{o['python_pass_seconds']:.2f} s", "", "the floor of a new process here"),
        ("service: bin/starter status", f"{o['status_seconds']:.2f} s", "", each),
        ("service: bin/starter add-note", f"{o['add_note_seconds']:.2f} s", "", each),
        ("service: a journey step", f"{o['journey_step_seconds']:.2f} s", "", f"add-note --candidate; {each}"),
        (
            "service answers status, p95",
            f"{o['service_status_p95_ms']:.0f} ms",
            "",
            f"p50 {o['service_status_p50_ms']:.0f} ms; request to response, after the open cases started",
        ),
        *[
            (
                f"workspace: {label}, p95",
                f"{o[f'page_{name}_p95_ms']:.0f} ms",
                "<= 100 ms",
                f"p50 {o[f'page_{name}_p50_ms']:.0f} ms; {o[f'page_{name}_kb']:.0f} KB (a case page: <= 200 KB)",
            )
            for name, label in (("cases", "all cases (up to 200 rows)"), ("case", "a case page"))
            if f"page_{name}_p95_ms" in o
        ],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="placed cases driven for the throughput")
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--open-cases", type=int, default=10_000, help="cases left open for the worker's memory")
    parser.add_argument("--notes", type=int, default=100, help="notes of 280 characters on one journey")
    parser.add_argument("--small", action="store_true", help="what CI runs: 2 cases, 10 notes, 50 open cases")
    parser.add_argument("--json", type=Path, default=ROOT / "artifacts" / "bench.json")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="against the production topology (bin/cluster: Temporal server on PostgreSQL, mTLS), not the dev server",
    )
    args = parser.parse_args()
    if args.small:
        args.cases, args.concurrency, args.notes, args.open_cases = 2, 2, 10, 50
    configure_logging("WARNING")  # the in-process workers' info lines would drown the table
    results = asyncio.run(run(args))
    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(asdict(results), indent=2) + "\n")
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
