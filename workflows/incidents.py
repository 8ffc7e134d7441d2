"""What the case and the journey do alike when something fails that retrying cannot fix:
an incident operations sees (audit entry, operations email, ``Incident`` attribute)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.said import Said
    from workflows.deadlines import incident_summary


class ReportsIncidents:
    """Mixed into a workflow that provides ``_incident_entry`` and ``_upsert_search_attributes``."""

    _incident: bool

    def _incident_entry(self, action: str, summary: Said) -> None:
        raise NotImplementedError

    def _upsert_search_attributes(self) -> None:
        raise NotImplementedError

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
