"""Why an action does not fit the journey as it stands: pure, no Temporal.

The engine and the rules raise ``Refusal``; the journey workflow's door turns it into its
``CaseRuleViolation`` (an ApplicationError that rejects the Update, never fails the journey).
"""

from __future__ import annotations

from models.said import Said, english


class Refusal(Exception):
    """The message starts with the field at fault; a ``Said`` keeps its template and values,
    so the starter can show it in the office's language."""

    def __init__(self, message: str | Said) -> None:
        self.said = message if isinstance(message, Said) else None
        self.message = english(message)
        super().__init__(self.message)

    @property
    def reason(self) -> str | Said:
        return self.said if self.said is not None else self.message
