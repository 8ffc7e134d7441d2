"""The SDK's workflow sandbox, minus a cost it pays per payload (#23 point 5).

For every payload it encodes or decodes (about six times per payload: codec, references,
external storage) the SDK asks the workflow instance for the payload's serialization
context, and the sandboxed instance answers by compiling and running a two-line snippet
inside the sandbox with its import hooks applied. The answer only reads the instance's
pending commands (no import, no workflow code runs), so here it is read directly, and the
snippets the sandbox does run (one per activation) are compiled once per process. The
sandbox itself is unchanged: workflow code still runs in it with the same restrictions.
This was a fifth of the worker's CPU per placed case.

Retire when the SDK stops compiling per payload (check on every temporalio upgrade:
``tests/workflows/test_sandbox.py`` fails when the SDK's methods change).
"""

from __future__ import annotations

import functools
from types import CodeType
from typing import Any

from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance


@functools.cache
def _compiled(code: str) -> CodeType:
    return compile(code, "<string>", "exec")


class _ContextReadingInstance(_Instance):
    def _run_code(self, code: str, **extra_globals: Any) -> None:
        super()._run_code(_compiled(code), **extra_globals)  # type: ignore[arg-type]  # exec takes either

    def get_serialization_context(self, command_info: Any) -> Any:
        return self.globals_and_locals["__temporal_in_sandbox"].get_serialization_context(command_info)  # type: ignore[attr-defined]

    def get_external_store_context(self, command_info: Any) -> Any:
        return self.globals_and_locals["__temporal_in_sandbox"].get_external_store_context(command_info)  # type: ignore[attr-defined]


class WorkflowSandbox(SandboxedWorkflowRunner):
    """The SDK's sandbox with its defaults; instances read serialization contexts directly."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _ContextReadingInstance(det, self.runner_class, self.restrictions)


def workflow_sandbox() -> WorkflowSandbox:
    return WorkflowSandbox(restrictions=SandboxRestrictions.default)
