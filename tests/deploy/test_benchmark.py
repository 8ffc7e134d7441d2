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
    # Through the office service (#25 point 4), beside the floor of a new process.
    office = figures["office"]
    assert 0 < office["python_pass_seconds"] < office["status_seconds"], office
    assert office["add_note_seconds"] > 0 and office["journey_step_seconds"] > 0
    assert 0 < office["service_status_p50_ms"] <= office["service_status_p95_ms"]
    assert "service: bin/starter status" in run.stdout
    # The workspace's pages (#27 point 6): timed and weighed as a signed-in browser gets them.
    for page in ("cases", "case"):
        assert 0 < office[f"page_{page}_p50_ms"] <= office[f"page_{page}_p95_ms"], office
        assert office[f"page_{page}_kb"] > 1, office
    assert "workspace: a case page, p95" in run.stdout
    for side in ("product_update", "floor_update"):
        assert 0 < figures[side]["p50_ms"] <= figures[side]["p95_ms"] <= figures[side]["p99_ms"], side
    for history in ("placed_candidate", "floor_candidate", "journey_with_notes"):
        assert figures[history]["events"] > 0 and figures[history]["billable_actions"] > 0, history
    # The floor mirrors the product's Temporal work: as many Updates and activities.
    assert figures["floor_candidate"]["updates"] == figures["placed_candidate"]["updates"]
    assert figures["floor_candidate"]["activities"] == figures["placed_candidate"]["activities"]


@pytest.mark.integration  # its own dev server and two worker processes
def test_compare_measures_a_revision_against_the_working_tree() -> None:
    """docs/benchmarks.md names `python -m bench.compare REV`: it checks the revision out
    into a worktree, runs both workers in alternating rounds and prints both medians."""
    before = _worktrees()
    run = subprocess.run(
        [sys.executable, "-m", "bench.compare", "HEAD", "--rounds", "2", "--cases", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    lines = run.stdout.splitlines()
    for name in ("HEAD", "working tree"):
        (line,) = [x for x in lines if x.strip().startswith(f"{name}: median")]
        assert float(line.split("median ")[1].split(" s")[0]) > 0, line
        assert len(line.split("(rounds: ")[1].rstrip(")").split()) == 2, line
    assert any(x.startswith("after / before: ") for x in lines)
    assert _worktrees() == before  # the revision's worktree is gone again


def _worktrees() -> list[str]:
    listed = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True, check=True)
    return listed.stdout.splitlines()
