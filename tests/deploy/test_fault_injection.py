"""The fault-injection run, small (#12 point 4): 20 cases through full journeys while the
worker is SIGKILLed, the Temporal server restarts, the records are locked and SMTP is
down; nothing may be lost, stuck or differ between records and workflows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration  # its own dev server, worker process and SMTP server
def test_twenty_cases_come_through_one_of_each_fault() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "scripts.fault_injection", "--cases", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    figures = next((line for line in run.stdout.splitlines() if line.startswith("cases=")), "")
    assert run.returncode == 0, f"{figures}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    found = dict(re.findall(r"(\w+)=(\d+)", figures))
    assert found["cases"] == "20" and int(found["faults"]) >= 4, figures
    assert (found["lost"], found["stuck"], found["mismatched"]) == ("0", "0", "0"), figures
    assert int(found["events"]) > 20 * 10 and int(found["emails"]) == int(found["events"]), figures
    for fault in ("worker", "server", "database", "mail"):
        assert f"{fault} 1" in figures, figures
