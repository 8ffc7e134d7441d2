"""A second office (#25 point 8), added as docs/operations.md says: an entry in the offices
file with its own namespace, staff list and policy, and a worker and an office service of
its own (WC_OFFICE). Its people sign in there only, and its cases live in its namespace."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

from temporalio.service import RPCError

from core.client import connect
from models.deadlines import DEFAULT_POLICY_FILE
from models.staff import DEFAULT_STAFF_FILE
from tests.conftest import Stack
from tests.support import eventually, free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "lange-geheime-Passphrase-42"
NEW_CASE = [
    "new-case", "--employer-name", "Celler Backstube GmbH", "--employer-contact", "hr@backstube-celle.example",
    "--earlier-international-hires", "no", "--occupation", "nurse", "--qualification-level", "vocational",
    "--monthly-gross-wage-eur", "3400", "--positions", "1", "--route", "18a", "--origin-programme", "THAMM Plus",
]  # fmt: skip


def _offices(folder: Path, namespace: str) -> Path:
    (folder / "celle-staff.yaml").write_text("staff:\n  - {handle: c.meyer, role: advisor}\n")
    path = folder / "offices.yaml"
    path.write_text(
        "offices:\n"
        f"  region-hannover:\n    name: Welcome Center Region Hannover\n    namespace: default\n"
        f"    staff_file: {DEFAULT_STAFF_FILE}\n    deadline_policy: {DEFAULT_POLICY_FILE}\n"
        f"  stadt-celle:\n    name: Welcome Center Stadt Celle\n    namespace: {namespace}\n"
        f"    staff_file: celle-staff.yaml\n    deadline_policy: {DEFAULT_POLICY_FILE}\n"
    )
    return path


async def _run(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, *argv], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


async def test_a_second_office_has_its_own_people_and_its_own_namespace(stack: Stack, tmp_path: Path) -> None:
    namespace = f"wc-celle-{uuid.uuid4().hex[:6]}"
    port = free_port()
    office = {k: v for k, v in os.environ.items() if not k.startswith("WC_") or k in ("WC_CHROMIUM", "WC_CACHE_DIR")}
    office.update({
        "WC_OFFICE": "stadt-celle",
        "WC_OFFICES_FILE": str(_offices(tmp_path, namespace)),
        "WC_TEMPORAL_ADDRESS": stack.settings.temporal_address,
        "WC_DATABASE_URL": f"sqlite:///{tmp_path / 'celle.sqlite3'}",
        "WC_TASK_QUEUE": f"celle-{uuid.uuid4()}",
        "WC_SMTP_HOST": stack.settings.smtp_host,
        "WC_SMTP_PORT": str(stack.settings.smtp_port),
        "WC_METRICS_PORT": "0",
        "WC_LANGUAGE": "en",
        "WC_LOG_LEVEL": "WARNING",
        "WC_SERVICE_PORT": str(port),
        "WC_ALLOW_PLAINTEXT_PAYLOADS": "true",  # the suite's unencrypted server
    })  # fmt: skip

    # The office's namespace and search attributes, as the README says: one command, once.
    registered = await _run(office, "-m", "core.search_attributes", "register")
    assert registered.returncode == 0 and "namespace" in registered.stdout, registered.stderr[-800:]
    # Its people: on its own staff list only.
    done = await _run(office, "-m", "service", "set-password", "c.meyer", "--stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    refused = await _run(office, "-m", "service", "set-password", "m.koch", "--stdin", stdin=PASSWORD + "\n")
    assert refused.returncode == 2 and "m.koch" in refused.stderr  # Hannover's advisor is not Celle's

    logs = tmp_path / "logs"
    logs.mkdir()
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=office, stderr=(logs / "w.log").open("w"))
    service = subprocess.Popen(
        [sys.executable, "-m", "service"], cwd=ROOT, env=office, stderr=(logs / "s.log").open("w")
    )
    try:

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                    return answer.status == 200
            except OSError:
                return False

        await eventually(up, timeout=60, interval=0.5)
        person = {
            **{k: v for k, v in office.items() if not k.startswith("WC_")},
            "WC_SERVICE_URL": f"http://127.0.0.1:{port}",
            "WC_TOKEN_FILE": str(tmp_path / "token"),
            "WC_LANGUAGE": "en",
        }
        stranger = await _run({**person, "WC_PASSWORD": PASSWORD}, "-m", "starter", "login", "--advisor", "m.koch")
        assert stranger.returncode == 1 and "unknown handle or wrong password" in stranger.stderr
        signed = await _run({**person, "WC_PASSWORD": PASSWORD}, "-m", "starter", "login", "--advisor", "c.meyer")
        assert signed.returncode == 0, signed.stderr
        started = await _run(person, "-m", "starter", *NEW_CASE)
        assert started.returncode == 0, started.stderr + (logs / "s.log").read_text()[-2000:]
        case_id = started.stdout.strip()

        # The case is in Celle's namespace, and Hannover's has no such case.
        celle = await connect(stack.settings.model_copy(update={"temporal_namespace": namespace}))

        async def carried_by_celles_advisor() -> bool:
            described = await celle.get_workflow_handle(f"case-{case_id}").describe()
            return described.search_attributes.get("Advisor") == ["c.meyer"]

        await eventually(carried_by_celles_advisor)
        try:
            await stack.client.get_workflow_handle(f"case-{case_id}").describe()
            raise AssertionError("the case is visible in Hannover's namespace")
        except RPCError:
            pass
        page = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).read().decode()
        )
        assert "Welcome Center Stadt Celle" in page  # the office's own name on its pages
    finally:
        for process in (service, worker):
            process.terminate()
            process.wait(timeout=30)
