"""The names the starter calls the workflows by are the workflows' own."""

from __future__ import annotations

from temporalio import workflow

from core import names
from process.definition import ACTIONS
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow
from workflows.mail import UndeliverableEmailWorkflow


def _defined(cls: type) -> tuple[str | None, set[str | None], set[str | None]]:
    d = workflow._Definition.must_from_class(cls)
    return d.name, set(d.updates), set(d.queries)


def test_the_case_names_are_the_case_workflows() -> None:
    name, updates, queries = _defined(CaseWorkflow)
    calls = {v for k, v in vars(names.Case).items() if not k.startswith("_") and k not in ("workflow", "status")}
    assert (names.Case.workflow, calls, {names.Case.status}) == (name, updates, queries)


def test_the_journey_and_mail_names_are_their_workflows() -> None:
    name, updates, queries = _defined(JourneyWorkflow)
    assert (names.Journey.workflow, {names.Journey.status}) == (name, queries)
    # The journey's one dynamic Update takes every action by its name from the definition.
    assert updates == {None} and all(spec.update for spec in ACTIONS)
    name, updates, _ = _defined(UndeliverableEmailWorkflow)
    assert (names.UndeliverableEmail.workflow, {names.UndeliverableEmail.resend}) == (name, updates)
