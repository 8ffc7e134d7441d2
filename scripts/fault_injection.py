"""Fault-injection run: many cases through full journeys while the parts fail (#12).

    .venv/bin/python -m scripts.fault_injection --cases 20          # what CI runs
    .venv/bin/python -m scripts.fault_injection --cases 1000 --worker-kills 20

Starts a Temporal dev server with a database file, the project's worker as a separate
process, an SMTP server and an SQLite records file, all in a fresh temporary directory.
It drives the cases concurrently through full journeys (placements, a candidate who
withdraws, a rejected recognition with the case closed, an employer who withdraws the
vacancy) while it
- SIGKILLs the worker at random moments and starts it again,
- restarts the Temporal server once (same database file),
- makes the records database unavailable for a while (an exclusive lock held longer
  than a record activity's timeout),
- stops the SMTP server for a while.
Every advisor action is an Update with an id of its own, re-sent until it has an answer:
what a retrying client does. Then it checks every case: every workflow finished; the
audit events in the records exactly once per seq with no gaps; every notification row
sent and received once by its Message-ID (a duplicate, possible in principle when a worker
dies between the server's 250 and marking the row, is counted); the records equal to each
workflow's own state (stage, next due date, outcome). It prints one line of figures and
exits 1 if anything was lost, stuck or differs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError

from activities.notifications import message_id
from core import search_attributes
from core.client import connect
from core.config import Settings
from models.case import CaseState, CloseCase, CompleteConsultation, SelectCandidates, SelectedCandidate, Withdraw
from models.clocks import next_due_on
from models.journey import JourneyView, WithdrawCandidate
from process.definition import BY_MODEL
from records.database import create_records_engine, migrate
from records.schema import case_events, cases, journey_events, journeys, notifications
from starter.cases import start_case
from starter.repair import repair
from tests.support import SmtpRecorder
from tests.workflows.case_flow import ADVISOR, Journey, new_case
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow
from workflows.registry import WORKFLOWS

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "artifacts" / "fault-injection"  # histories of workflows that went wrong
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, and SIGKILL after 30 s."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def persist(call: Callable[[], Awaitable[T]], what: str, give_up_after: float = 300.0) -> T:
    """What a client does while the server restarts: try again until there is an answer."""
    deadline = time.monotonic() + give_up_after
    while True:
        try:
            return await call()
        except (RPCError, RuntimeError) as err:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: no answer for {give_up_after:.0f} s ({err})") from err
            await asyncio.sleep(0.5)


# --- the parts that fail --------------------------------------------------------------------


@dataclass
class Stack:
    directory: Path
    temporal_cli: str
    port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    task_queue: str = "fault-injection"
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    smtp: Controller | None = None
    recorder: SmtpRecorder = field(default_factory=SmtpRecorder)
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.directory / 'records.sqlite3'}"

    @property
    def key_file(self) -> Path:
        from core.codec import ensure_key_file

        path = self.directory / "payload-keys"
        ensure_key_file(path, "fault-run")
        return path

    def start_server(self) -> None:
        args = [
            self.temporal_cli, "server", "start-dev", "--headless", "--log-level", "error",
            "--db-filename", str(self.directory / "temporal.sqlite"),
            "--ip", "127.0.0.1", "--port", str(self.port),
            *search_attributes.cli_arguments(),
        ]  # fmt: skip
        out = (self.directory / "temporal-server.log").open("ab")
        self.server = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)

    def stop_server(self) -> None:
        assert self.server is not None
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=60)

    def start_worker(self) -> None:
        env = {
            **os.environ,
            "WC_TEMPORAL_ADDRESS": self.address,
            "WC_TASK_QUEUE": self.task_queue,
            "WC_DATABASE_URL": self.database_url,
            "WC_SMTP_HOST": "127.0.0.1",
            "WC_SMTP_PORT": str(self.smtp_port),
            "WC_METRICS_PORT": "0",
            "WC_LOG_LEVEL": "WARNING",
            "WC_PAYLOAD_KEY_FILE": str(self.key_file),  # encrypted, as bin/run runs it
        }
        out = (self.directory / "worker.log").open("ab")
        self.worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=out, stderr=out)

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def lock_records(self, seconds: float) -> None:
        lock_database(self.directory / "records.sqlite3", seconds)

    def settings(self) -> Settings:
        return Settings(
            temporal_address=self.address,
            database_url=self.database_url,
            payload_key_file=self.key_file,
            _env_file=None,  # type: ignore[call-arg]
        )

    async def start(self) -> None:
        engine = create_records_engine(self.database_url)
        migrate(engine)
        engine.dispose()
        self.start_smtp()
        self.start_server()

    def start_smtp(self) -> None:
        self.smtp = Controller(self.recorder, hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def stop_smtp(self) -> None:
        assert self.smtp is not None
        self.smtp.stop()

    def shutdown(self) -> None:
        for process in (self.worker, self.server):
            stop_process(process)
        if self.smtp is not None:
            try:
                self.smtp.stop()
            except (AssertionError, RuntimeError):
                pass  # already stopped by a mail outage


@dataclass
class ClusterStack(Stack):
    """The production topology instead of the dev server (#15): the Temporal server on
    PostgreSQL with mTLS (bin/cluster's pieces), the records in PostgreSQL, two workers on
    the task queue; a worker kill takes one of them, the server restart restarts the
    Temporal server, the records outage locks the event tables."""

    cluster: Any = None
    workers: list[subprocess.Popen[bytes] | None] = field(default_factory=lambda: [None, None])
    kills: int = 0

    def __post_init__(self) -> None:
        from cluster.__main__ import Cluster
        from cluster.layout import Layout, free_ports

        self.directory.chmod(0o755)  # PostgreSQL runs as its own user when we are root
        self.cluster = Cluster(Layout(self.directory / "cluster", free_ports()), workers=0)

    @property
    def address(self) -> str:
        return str(self.cluster.layout.frontend_address)

    @property
    def database_url(self) -> str:
        return str(self.cluster.layout.records_url())

    def settings(self) -> Settings:
        from cluster.__main__ import settings_from

        return Settings.model_validate(settings_from(self.cluster.client_env("office")))

    async def start(self) -> None:
        self.cluster.prepare()
        await super().start()
        await self.cluster.until_ready()

    def start_server(self) -> None:
        self.cluster.start_server()

    def stop_server(self) -> None:
        self.cluster.stop_server()

    def start_worker(self) -> None:
        env = {
            **self.cluster.client_env("worker"),
            "WC_TASK_QUEUE": self.task_queue,
            "WC_SMTP_HOST": "127.0.0.1",
            "WC_SMTP_PORT": str(self.smtp_port),
            "WC_METRICS_PORT": "0",
            "WC_LOG_LEVEL": "WARNING",
        }
        env.pop("WC_MAIL_SINK_DIR", None)
        for number, process in enumerate(self.workers):
            if process is None or process.poll() is not None:
                out = (self.directory / f"worker-{number + 1}.log").open("ab")
                self.workers[number] = subprocess.Popen(
                    [sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=out, stderr=out
                )

    def kill_worker(self) -> None:
        """One of the two; the other goes on with the task queue meanwhile."""
        victim = self.workers[self.kills % len(self.workers)]
        self.kills += 1
        if victim is not None:
            victim.send_signal(signal.SIGKILL)
            victim.wait()

    def lock_records(self, seconds: float) -> None:
        import psycopg

        url = self.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            conn.execute("LOCK TABLE case_events, journey_events IN ACCESS EXCLUSIVE MODE")
            time.sleep(seconds)
            conn.rollback()

    def shutdown(self) -> None:
        for process in self.workers:
            stop_process(process)
        self.worker = None
        super().shutdown()
        self.cluster.stop()


async def inject_faults(stack: Stack, args: argparse.Namespace, running: Callable[[], bool]) -> None:
    """One of each fault, the worker kills spread at random moments, while cases run."""
    rng = random.Random(args.seed)
    # Over the whole window in which cases start (--spread): a long run meets its faults
    # throughout, not only in its first minute.
    window = max(args.spread, 14.0)
    plan: list[tuple[float, str]] = [(rng.uniform(2, window), "worker") for _ in range(args.worker_kills)]
    plan += [(rng.uniform(4, window), "server") for _ in range(args.server_restarts)]
    if args.database_outage > 0:
        plan.append((rng.uniform(6, window), "database"))
    if args.mail_outage > 0:
        plan.append((rng.uniform(3, window), "mail"))
    started = time.monotonic()
    for at, fault in sorted(plan):
        await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
        if not running():
            return
        if fault == "worker":
            log("fault: SIGKILL the worker, start it again")
            stack.kill_worker()
            await asyncio.sleep(rng.uniform(0.5, 2))
            stack.start_worker()
        elif fault == "server":
            log("fault: restart the Temporal server")
            stack.stop_server()
            await asyncio.sleep(1)
            stack.start_server()
        elif fault == "database":
            log(f"fault: records database locked for {args.database_outage:.0f} s")
            await asyncio.to_thread(stack.lock_records, args.database_outage)
        else:
            log(f"fault: SMTP server down for {args.mail_outage:.0f} s")
            stack.stop_smtp()
            await asyncio.sleep(args.mail_outage)
            stack.start_smtp()
        stack.faults[fault] += 1


def lock_database(path: Path, seconds: float) -> None:
    """Hold SQLite's exclusive lock: every writer waits, then fails (longer than its timeout)."""
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


# --- the cases ------------------------------------------------------------------------------


class RetryingJourney(Journey):
    """Each action an Update with its own id, re-sent until answered (the server dedups it)."""

    def __init__(self, handle: WorkflowHandle[Any, Any]) -> None:
        super().__init__(handle)
        self.steps = 0

    async def view(self) -> JourneyView:
        return await persist(lambda: self.handle.query(JourneyWorkflow.status), f"{self.handle.id} status")

    async def do(self, model: type, **fields: Any) -> JourneyView:
        self.steps += 1
        update_id = f"{self.handle.id}-step-{self.steps}"
        action = model(advisor=ADVISOR, **fields)
        await persist(
            lambda: self.handle.execute_update(BY_MODEL[model].update, action, id=update_id),
            f"{self.handle.id} {BY_MODEL[model].command}",
        )
        return await self.view()


async def case_update(handle: WorkflowHandle[Any, Any], update: Any, action: Any, step: str) -> None:
    await persist(lambda: handle.execute_update(update, action, id=f"{handle.id}-{step}"), f"{handle.id} {step}")


async def run_case(client: Client, task_queue: str, number: int) -> str:
    """One case, through one of four stories; returns its case id."""
    story = number % 4
    request = new_case(positions=1)
    handle = await persist(lambda: start_case(client, request, task_queue), "new case")
    await case_update(
        handle, CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True), "consultation",
    )  # fmt: skip
    candidates = [("THAMM-4711", "TN"), ("ANAPEC-0815", "MA")] if story == 1 else [("THAMM-4711", "TN")]
    selection = SelectCandidates(
        advisor=ADVISOR, candidates=[SelectedCandidate(candidate_ref=r, origin_country=c) for r, c in candidates]
    )
    await case_update(handle, CaseWorkflow.select_candidates, selection, "select")
    state = await persist(lambda: handle.query(CaseWorkflow.status), "case status")
    journeys = [RetryingJourney(client.get_workflow_handle(j.workflow_id)) for j in state.journeys]
    if story == 0:
        await journeys[0].to_probation()
        await journeys[0].probation_passed()
    elif story == 1:  # one withdraws, the other is placed
        await journeys[1].contract()
        await journeys[1].do(WithdrawCandidate, reason_code="personal_reasons")
        await journeys[0].to_probation()
        await journeys[0].probation_passed()
    elif story == 2:  # recognition rejected: nobody placed, the advisor closes the case
        await journeys[0].contract()
        await journeys[0].recognition("rejected")
        await wait_for_stage(handle, "candidate_selection")
        await case_update(
            handle, CaseWorkflow.close_case, CloseCase(advisor=ADVISOR, reason_code="no_suitable_candidates"), "close"
        )
    else:  # the employer withdraws the vacancy mid-journey
        await journeys[0].contract()
        await case_update(
            handle,
            CaseWorkflow.withdraw,
            Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise"),
            "withdraw",
        )
    return request.case_id


async def wait_for_stage(handle: WorkflowHandle[Any, Any], stage: str) -> None:
    while (await persist(lambda: handle.query(CaseWorkflow.status), "case status")).stage.value != stage:
        await asyncio.sleep(0.3)


# --- the checks -----------------------------------------------------------------------------


@dataclass
class Figures:
    cases: int = 0
    workflows: int = 0
    events: int = 0
    emails: int = 0
    lost: int = 0
    duplicated: int = 0
    stuck: int = 0
    mismatched: int = 0
    unreplayable: int = 0  # histories that did not replay (sdk-python#1591) ...
    repaired: int = 0  # ... and that a reset mended
    problems: list[str] = field(default_factory=list)

    def problem(self, kind: str, text: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 20:
            self.problems.append(f"{kind}: {text}")


async def check(client: Client, stack: Stack, case_ids: list[str], figures: Figures, timeout: float) -> None:
    engine = create_records_engine(stack.database_url)
    deadline = time.monotonic() + timeout
    for case_id in case_ids:
        figures.cases += 1
        handle = client.get_workflow_handle(f"case-{case_id}")
        try:
            state = await persist(functools.partial(handle.query, CaseWorkflow.status), "case status")
        except WorkflowQueryFailedError as err:  # e.g. a history that does not replay
            await keep_history(handle)
            state = await repaired_state(client, stack.settings(), handle.id, str(err), figures, deadline)
            if state is None:
                figures.problem("stuck", f"{handle.id}: its state cannot be read: {str(err)[:200]}")
                continue
            state = CaseState.model_validate(state)
        handles = [(handle, "case")] + [(client.get_workflow_handle(j.workflow_id), "journey") for j in state.journeys]
        for wf, kind in handles:
            figures.workflows += 1
            while True:
                described = await persist(wf.describe, "describe")
                if described.status is WorkflowExecutionStatus.COMPLETED or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            if described.status is not WorkflowExecutionStatus.COMPLETED:
                figures.problem("stuck", f"{wf.id} is {described.status}")
                await keep_history(wf)
                continue
            try:
                state = await wf.query("status")
            except Exception as err:  # noqa: BLE001 - e.g. a replay failure: counted and kept
                await keep_history(wf)
                state = await repaired_state(client, stack.settings(), wf.id, str(err), figures, deadline)
                if state is None:
                    figures.problem("stuck", f"{wf.id}: its state cannot be read: {str(err)[:200]}")
                    continue
            compare_records(engine, wf.id, kind, state, figures)
    # The mail relay sends after the workflows have finished (#23): an email in its pause
    # after the mail outage goes out within the check's time, or counts as lost.
    while True:
        with engine.connect() as conn:
            rows = conn.execute(select(notifications.c.idempotency_key, notifications.c.status)).all()
        if all(status == "sent" for _key, status in rows) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    received = Counter(str(m["Message-ID"]) for m in stack.recorder.messages)
    for key, status in rows:
        figures.emails += 1
        count = received.get(message_id(key), 0)
        if status != "sent" or count == 0:
            figures.problem("lost", f"email {key}: {status}, received {count} time(s)")
        elif count > 1:
            figures.duplicated += count - 1
    engine.dispose()


async def repaired_state(
    client: Client, settings: Settings, workflow_id: str, error: str, figures: Figures, deadline: float
) -> Any:
    """A history that does not replay (sdk-python#1591, see starter/repair.py): repaired as
    operations would (``bin/starter repair``), then the workflow must end as it did."""
    if "TMPRL1100" not in error:
        return None
    figures.unreplayable += 1
    repaired = await repair(client, workflow_id, "ops.lead", WORKFLOWS, settings)
    if repaired.new_run_id is None:
        return None
    handle = client.get_workflow_handle(workflow_id)
    while (await persist(handle.describe, "describe")).status is not WorkflowExecutionStatus.COMPLETED:
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.5)
    figures.repaired += 1
    refused = f", {len(repaired.refused)} re-applied update(s) refused" if repaired.refused else ""
    log(f"repaired {workflow_id}: reset to event {repaired.diagnosis.reset_to_event_id}, ended again{refused}")
    return await handle.query("status")


async def keep_history(wf: WorkflowHandle[Any, Any]) -> None:
    """The history of a workflow that went wrong, for the replayer: artifacts/fault-injection/."""
    try:
        history = await wf.fetch_history()
    except Exception:  # noqa: BLE001 - best effort
        return
    KEPT.mkdir(parents=True, exist_ok=True)
    (KEPT / f"{wf.id}.json").write_text(history.to_json())


def compare_records(engine: Any, workflow_id: str, kind: str, raw: Any, figures: Figures) -> None:
    from models.journey import JourneyView as View

    if kind == "case":
        state: Any = CaseState.model_validate(raw)
        events_table, key_column, table, key = case_events, case_events.c.case_id, cases, cases.c.case_id
        key_value = state.case_id
    else:
        state = View.model_validate(raw).state
        events_table, key_column, table, key = (
            journey_events,
            journey_events.c.journey_id,
            journeys,
            journeys.c.journey_id,
        )
        key_value = workflow_id
    with engine.connect() as conn:
        seqs = sorted(conn.execute(select(events_table.c.seq).where(key_column == key_value)).scalars())
        row = conn.execute(select(table).where(key == key_value)).one_or_none()
    figures.events += len(state.history)
    expected = list(range(1, len(state.history) + 1))
    if seqs != expected:
        missing = sorted(set(expected) - set(seqs))
        figures.problem("lost", f"{workflow_id}: audit events {missing} missing from the records")
    outcome = state.outcome.value if state.outcome else None
    found = (row.stage, row.next_due_on, row.outcome) if row else None
    wanted = (state.stage.value, next_due_on(state.deadlines), outcome)
    if found != wanted:
        figures.problem("mismatched", f"{workflow_id}: records {found}, workflow {wanted}")


# --- the run --------------------------------------------------------------------------------


async def main_async(args: argparse.Namespace) -> int:
    from tests.conftest import _temporal_cli

    with tempfile.TemporaryDirectory(prefix="wc-faults-") as tmp:
        stack = ClusterStack(Path(tmp), "") if args.cluster else Stack(Path(tmp), _temporal_cli())
        try:
            await stack.start()
            settings = stack.settings()
            client = await persist(lambda: connect(settings), "connect", give_up_after=120)
            stack.start_worker()
            log(f"{args.cases} cases, {args.concurrency} at a time; logs in {tmp}")
            limit = asyncio.Semaphore(args.concurrency)
            done = False

            async def one(number: int) -> str:
                # Starts spread over --spread seconds: the faults meet cases under way, however
                # fast a case runs (since the mail relay a case no longer waits for its emails).
                await asyncio.sleep(number * args.spread / max(1, args.cases))
                async with limit:
                    return await run_case(client, stack.task_queue, number)

            faults = asyncio.create_task(inject_faults(stack, args, lambda: not done))
            started = time.monotonic()
            results = await asyncio.gather(*(one(n) for n in range(args.cases)), return_exceptions=True)
            done = True
            await faults
            case_ids = [r for r in results if isinstance(r, str)]
            failed = [r for r in results if not isinstance(r, str)]
            log(f"driven in {time.monotonic() - started:.0f} s; checking")
            figures = Figures()
            for err in failed:
                figures.problem("stuck", f"a case could not be driven: {err!r}")
            await check(client, stack, case_ids, figures, timeout=args.settle)
            figures.cases += len(failed)
        finally:
            stack.shutdown()
        fault_text = ", ".join(f"{kind} {n}" for kind, n in sorted(stack.faults.items()))
        print(
            f"cases={figures.cases} workflows={figures.workflows} faults={sum(stack.faults.values())} ({fault_text}) "
            f"events={figures.events} emails={figures.emails} lost={figures.lost} "
            f"duplicated={figures.duplicated} stuck={figures.stuck} mismatched={figures.mismatched} "
            f"unreplayable={figures.unreplayable} repaired={figures.repaired}"
        )
        for problem in figures.problems:
            print(f"  {problem}")
        return 1 if figures.lost or figures.stuck or figures.mismatched else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10, help="cases driven at the same time")
    parser.add_argument("--worker-kills", type=int, default=1, help="SIGKILLs of the worker, at random moments")
    parser.add_argument("--server-restarts", type=int, default=1, help="restarts of the Temporal server")
    parser.add_argument(
        "--database-outage", type=float, default=20.0, help="seconds the records are locked (0: no outage)"
    )
    parser.add_argument("--mail-outage", type=float, default=8.0, help="seconds the SMTP server is down (0: none)")
    parser.add_argument(
        "--spread", type=float, default=20.0, help="seconds over which the case starts are spread (the faults' window)"
    )
    parser.add_argument("--settle", type=float, default=300.0, help="seconds to wait for workflows to finish")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="against the production topology (bin/cluster: Temporal server on PostgreSQL, mTLS, two workers)",
    )
    from core.process import run_to_exit

    run_to_exit(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
