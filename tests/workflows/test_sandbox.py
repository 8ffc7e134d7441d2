"""The sandbox's shortcut (workflows/sandbox.py) stands on five SDK methods as they are in
the locked temporalio: when an upgrade changes one, this fails, and whoever upgrades
checks whether the shortcut still holds or can go (its retirement condition)."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.worker.workflow_sandbox._in_sandbox import InSandbox
from temporalio.worker.workflow_sandbox._runner import _Instance

from workflows.registry import workflow_runner
from workflows.sandbox import WorkflowSandbox, _compiled

SDK_METHODS: list[tuple[Callable[..., Any], str]] = [
    (_Instance._run_code, "78055698bee1c0d3"),  # passes the code to exec as it is
    (_Instance.get_serialization_context, "b4331d145cc44758"),  # runs InSandbox's in the sandbox
    (_Instance.get_external_store_context, "66d3ceaa5a824e05"),
    (InSandbox.get_serialization_context, "80a6c3c66d58539f"),  # only asks the workflow instance
    (InSandbox.get_external_store_context, "d204b2f479964c1d"),
]


@pytest.mark.parametrize(("method", "fingerprint"), SDK_METHODS, ids=[m.__qualname__ for m, _ in SDK_METHODS])
def test_the_sdk_methods_the_shortcut_stands_on_are_unchanged(method: Callable[..., Any], fingerprint: str) -> None:
    assert hashlib.sha256(inspect.getsource(method).encode()).hexdigest()[:16] == fingerprint, (
        f"{method.__qualname__} changed in this temporalio: check workflows/sandbox.py still holds"
    )


def test_the_worker_and_the_replayer_run_the_workflows_in_the_sandbox() -> None:
    runner = workflow_runner()
    assert isinstance(runner, WorkflowSandbox)
    assert runner.restrictions.invalid_module_members  # the SDK's default restrictions, not none


def test_a_snippet_is_compiled_once() -> None:
    code = "x = 1\n"
    assert _compiled(code) is _compiled(code)
