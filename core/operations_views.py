"""The questions operations staff ask, as Temporal Web UI list queries.

`Procedure` is written in backticks: bare, the visibility parser reads it as the SQL
keyword. docs/operations.md lists exactly these (a test keeps it in step), and each is verified against
a real server through the visibility API. Paste a query into the Web UI's workflow list
filter, or run it with `temporal workflow list --query "..."`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OperationsView:
    question: str
    query: str


OPERATIONS_VIEWS = [
    OperationsView(
        "Workflows whose tasks keep failing: their clocks stand still (repair: bin/starter repair ID, in the details)",
        "WorkflowType = 'StuckAlarmWorkflow' AND ExecutionStatus = 'Running'",
    ),
    OperationsView(
        "Every overdue case or journey",
        "Overdue = true AND ExecutionStatus = 'Running'",
    ),
    OperationsView(
        "Everything escalated to the team lead or to operations",
        "EscalationLevel >= 3 AND ExecutionStatus = 'Running'",
    ),
    OperationsView(
        "Every candidate in the visa stage from Morocco",
        "WorkflowType = 'JourneyWorkflow' AND CaseStage = 'visa' AND OriginCountries = 'MA'",
    ),
    OperationsView(
        "§81a journeys waiting for the BA's consent",
        "WorkflowType = 'JourneyWorkflow' AND `Procedure` = '81a' AND CaseStage = 'ba_consent'",
    ),
    OperationsView(
        "Open cases of one advisor (cases per advisor: one query per advisor, or `temporal workflow count`)",
        "WorkflowType = 'CaseWorkflow' AND Advisor = 'm.koch' AND ExecutionStatus = 'Running'",
    ),
    OperationsView(
        "Candidates for one occupation",
        "WorkflowType = 'JourneyWorkflow' AND Occupation = 'nurse'",
    ),
    OperationsView(
        "Cases closed with everyone placed",
        "WorkflowType = 'CaseWorkflow' AND CaseOutcome = 'placed'",
    ),
    OperationsView(
        "Journeys that ended because the recognition was rejected",
        "WorkflowType = 'JourneyWorkflow' AND CaseOutcome = 'recognition_rejected'",
    ),
    OperationsView(
        "Emails that could not be delivered (resend: bin/starter resend-email KEY, the key is in the details)",
        "WorkflowType = 'UndeliverableEmailWorkflow' AND ExecutionStatus = 'Running'",
    ),
    OperationsView(
        "Incidents: deadline clocks that hit an error, events the records refused, undeliverable emails",
        "Incident = true AND ExecutionStatus = 'Running'",
    ),
]
