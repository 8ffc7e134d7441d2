"""Every workflow the worker runs, and the sandbox they run in: shared by the worker, the
replayer of the repair and the replay tests (a replayer with another list or sandbox fails)."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.case import CaseWorkflow
from workflows.digest import WeeklyDigestWorkflow
from workflows.journey import JourneyWorkflow
from workflows.mail import UndeliverableEmailWorkflow
from workflows.retention import RetentionWorkflow

WORKFLOWS = [CaseWorkflow, JourneyWorkflow, UndeliverableEmailWorkflow, RetentionWorkflow, WeeklyDigestWorkflow]


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox for workflow code, shared by the worker and the replayer.

    Workflow code needs nothing beyond the defaults: public holidays are resolved when the
    deadline policy is loaded (an activity) and travel with the case.
    """
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default)
