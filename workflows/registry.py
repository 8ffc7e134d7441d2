"""Every workflow the worker runs, and the sandbox they run in: shared by the worker, the
replayer of the repair and the replay tests (a replayer with another list or sandbox fails)."""

from __future__ import annotations

from workflows.case import CaseWorkflow
from workflows.digest import WeeklyDigestWorkflow
from workflows.journey import JourneyWorkflow
from workflows.mail import UndeliverableEmailWorkflow
from workflows.retention import RetentionWorkflow
from workflows.sandbox import WorkflowSandbox, workflow_sandbox
from workflows.stuck import StuckAlarmWorkflow, StuckWatchWorkflow

WORKFLOWS = [
    CaseWorkflow,
    JourneyWorkflow,
    UndeliverableEmailWorkflow,
    RetentionWorkflow,
    WeeklyDigestWorkflow,
    StuckWatchWorkflow,
    StuckAlarmWorkflow,
]


def workflow_runner() -> WorkflowSandbox:
    """The sandbox for workflow code, shared by the worker and the replayer.

    Workflow code needs nothing beyond the defaults: public holidays are resolved when the
    deadline policy is loaded (an activity) and travel with the case.
    """
    return workflow_sandbox()
