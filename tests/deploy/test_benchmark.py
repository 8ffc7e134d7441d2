"""The benchmark runs (#14): small, once per CI run, so that it cannot rot. Its figures
are not asserted (the machines are noisy); that every figure is there and measured is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration  # its own dev server, worker process and SMTP server
def test_the_benchmark_prints_its_table_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--small", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "full journeys per second" in run.stdout and "worker RSS, 50 open cases" in run.stdout
    figures = json.loads(out.read_text())
    for name in ("product_cases_per_second", "floor_cases_per_second", "throughput_ratio",
                 "product_worker_cpu_seconds_per_case", "floor_worker_cpu_seconds_per_case",
                 "product_client_cpu_seconds_per_case", "floor_client_cpu_seconds_per_case",
                 "starter_help_seconds", "starter_status_seconds", "starter_update_seconds",
                 "open_cases_start_seconds", "worker_rss_mb"):  # fmt: skip
        assert figures[name] > 0, name
    for side in ("product_update", "floor_update"):
        assert 0 < figures[side]["p50_ms"] <= figures[side]["p95_ms"] <= figures[side]["p99_ms"], side
    for history in ("placed_candidate", "floor_candidate", "journey_with_notes"):
        assert figures[history]["events"] > 0 and figures[history]["billable_actions"] > 0, history
    # The floor mirrors the product's Temporal work: as many Updates and activities.
    assert figures["floor_candidate"]["updates"] == figures["placed_candidate"]["updates"]
    assert figures["floor_candidate"]["activities"] == figures["placed_candidate"]["activities"]
