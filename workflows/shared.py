"""What the case and the journey do alike, written once: their own entries (a rung's
notice, an imported past rung, an incident) over each workflow's ``_system_entry``; "today"
in Hannover; the search attributes every workflow of a case carries besides its own; and
the incident operations sees when something fails that retrying cannot fix (audit entry,
operations email, ``Incident`` attribute)."""

from __future__ import annotations

from datetime import date
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from models.berlin import local_date
    from models.clocks import Deadline, Rung
    from models.mail import RecipientRole
    from models.said import Said
    from workflows.deadlines import RUNG_RECIPIENT, DeadlineClocks, incident_summary, past_rung_summary, rung_summary


class CaseOrJourney:
    """Mixed into the case and the journey; each provides ``_system_entry`` (one audit event
    of its own kind, recorded as ``system``) and ``_upsert_search_attributes``."""

    _incident: bool

    def _system_entry(self, action: str, said: Said, recipient: RecipientRole | None) -> int:
        raise NotImplementedError

    def _upsert_search_attributes(self) -> None:
        raise NotImplementedError

    def _today(self) -> date:
        """Today in Hannover, from the workflow's deterministic clock."""
        return local_date(workflow.now())

    # --- entries of the workflow's own ----------------------------------------------------

    def _rung_notice(self, deadline: Deadline, rung: Rung) -> None:
        self._system_entry(f"deadline_{rung.name.lower()}", rung_summary(deadline, rung), RUNG_RECIPIENT[rung])

    def _on_rung(self, deadline: Deadline, rung: Rung) -> None:
        """A rung of a clock's ladder is due: its notice (the journey first checks the law's own effect)."""
        self._rung_notice(deadline, rung)

    def _on_past_rung(self, deadline: Deadline, rung: Rung) -> None:
        """An imported rung whose time lay before the import: history, not an email."""
        self._system_entry(f"deadline_{rung.name.lower()}", past_rung_summary(deadline, rung), None)

    def _incident_entry(self, action: str, summary: Said) -> None:
        self._system_entry(action, summary, RecipientRole.OPERATIONS)

    def _with_clocks_and_incident(
        self, updates: list[SearchAttributeUpdate[Any]], clocks: DeadlineClocks | None
    ) -> list[SearchAttributeUpdate[Any]]:
        """The workflow's own attributes, then its clocks' and the incident flag."""
        if clocks is not None:
            updates += clocks.search_attributes()
        if self._incident:
            updates.append(sa.INCIDENT.value_set(True))
        return updates

    # --- incidents --------------------------------------------------------------------------

    def _on_clock_fault(self, err: Exception) -> None:
        """The deadline loop hit an error: an incident operations sees, never a silent stop."""
        workflow.logger.error("deadline clocks failed", extra={"error": repr(err)})
        self._report_incident("clock_incident", incident_summary(err))

    def _report_incident(self, action: str, summary: Said | None) -> None:
        """Audit entry, operations email and the Incident attribute (only the attribute
        when ``summary`` is None: the incident entry itself could not be written)."""
        self._incident = True
        if summary is None:
            self._upsert_search_attributes()
        else:
            self._incident_entry(action, summary)
