"""The names clients call the workflows by.

The starter addresses workflows, their Updates and queries by these names instead of
importing the workflow classes, which would load the process engine and the sandbox's
imports into every short command (#14: an advisor's command answers in well under a
second). ``tests/workflows/test_names.py`` checks each name against the definitions.
"""

from __future__ import annotations

from typing import Final


class Case:
    workflow: Final = "CaseWorkflow"
    status: Final = "status"
    add_note: Final = "add_note"
    complete_consultation: Final = "complete_consultation"
    select_candidates: Final = "select_candidates"
    withdraw: Final = "withdraw"
    close_case: Final = "close_case"
    change_offered_wage: Final = "change_offered_wage"


class Journey:
    workflow: Final = "JourneyWorkflow"
    status: Final = "status"  # journey Updates are named after their action (process/definition.py)


class UndeliverableEmail:
    workflow: Final = "UndeliverableEmailWorkflow"
    resend: Final = "resend"


def undeliverable_workflow_id(idempotency_key: str) -> str:
    return f"email-{idempotency_key}"


def undeliverable_summary(case_id: str, subject: str) -> str:
    """What the Web UI lists for an undeliverable email (its workflow's static summary)."""
    return f"Undeliverable email · {case_id} · {subject}"[:200]


def case_id_of(workflow_id: str) -> str | None:
    """The case a workflow belongs to, from its id (case, journey, undeliverable email); None
    for the product's own workflows (retention, digest)."""
    import re

    found = re.search(r"(?:^case-|^email-)(WC-[0-9A-Z]{10})", workflow_id)
    return found.group(1) if found else None
