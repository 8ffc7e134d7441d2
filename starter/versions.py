"""``bin/starter versions``: how many running workflows each code version still has, and which
guards may retire by the rule of core/versions.py (docs/architecture.md, Versioning)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from core import versions
from core.config import Settings
from starter.inputs import ClientFactory, print_json

WORKFLOW_TYPES = ("CaseWorkflow", "JourneyWorkflow", "UndeliverableEmailWorkflow")


async def running_by_version(get_client: ClientFactory) -> dict[str, dict[int, int]]:
    """Per workflow type: version -> running workflows (version 9: none recorded)."""
    client = await get_client()
    counts: dict[str, dict[int, int]] = {}
    for kind in WORKFLOW_TYPES:
        running = f"WorkflowType = '{kind}' AND ExecutionStatus = 'Running'"
        by_version = {versions.UNRECORDED: (await client.count_workflows(f"{running} AND CodeVersion IS NULL")).count}
        for version in range(versions.UNRECORDED + 1, versions.CODE_VERSION + 1):
            by_version[version] = (await client.count_workflows(f"{running} AND CodeVersion = {version}")).count
        counts[kind] = {v: n for v, n in by_version.items() if n}
    return counts


def retirements(counts: dict[str, dict[int, int]]) -> list[dict[str, Any]]:
    """Every guard with the running workflows that still need it, and what may happen next."""
    rows = []
    for guard in versions.GUARDS:
        blocking = sum(
            n for kind in guard.workflows for version, n in counts.get(kind, {}).items() if version < guard.needed_below
        )
        next_step = "deprecate" if guard.status == "active" else "remove"
        rows.append(
            {
                "guard": guard.id,
                "status": guard.status,
                "since": guard.since,
                "still_needed_by": blocking,
                "may": next_step if blocking == 0 else "wait",
                "rule": guard.retire_when,
            }
        )
    return rows


async def versions_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    counts = await running_by_version(get_client)
    guards = retirements(counts)
    if args.json:
        print_json(out, {"code_version": versions.CODE_VERSION, "running": counts, "guards": guards})
        return 0
    out.write(f"Code version {versions.CODE_VERSION}; running workflows by the version they follow:\n")
    for kind, by_version in counts.items():
        listed = ", ".join(
            f"{'before 10' if v == versions.UNRECORDED else v}: {n}" for v, n in sorted(by_version.items())
        )
        out.write(f"  {kind:<28} {listed or 'none'}\n")
    out.write("Guards (workflow.patched) and what may happen to them:\n")
    for row in guards:
        out.write(
            f"  {row['guard']:<20} {row['status']:<10} needed by {row['still_needed_by']:>4} running: "
            f"{row['may']} ({row['rule']})\n"
        )
    return 0
