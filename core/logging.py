"""structlog JSON logs for the worker, activities and starter.

The SDK's own loggers (including ``workflow.logger``) go through the same JSON
renderer, so every line is one JSON object. Log fields carry opaque case ids and
codes only, never personal data.
"""

from __future__ import annotations

import logging
import re
import sys

import structlog
from structlog.typing import EventDict, Processor

_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str = "INFO") -> None:
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _flatten_temporal_context,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The SDK appends its info dict to the message text too; the fields above carry it.
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def configure_command_logging(level: int = logging.WARNING) -> None:
    """A command's own process (the starter): log lines, JSON, go to standard error and only
    from ``level`` up, so that standard output carries the answer alone (``--json`` stays
    JSON). structlog's default would print every line on standard output. Left as it is when
    something (a worker in the same process, a test) configured logging already."""
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # sys.stderr looked up per line: whoever replaced it since (a test's capture) gets it
        logger_factory=lambda *_: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )


def _flatten_temporal_context(_logger: object, _name: str, event: EventDict) -> EventDict:
    """``workflow.logger`` adds a ``temporal_workflow`` dict; keep its ids, drop the rest."""
    info = event.pop("temporal_workflow", None)
    if isinstance(info, dict):
        event.setdefault("workflow_id", info.get("workflow_id"))
        event.setdefault("workflow_type", info.get("workflow_type"))
    info = event.pop("temporal_activity", None)
    if isinstance(info, dict):
        event.setdefault("workflow_id", info.get("workflow_id"))
        event.setdefault("activity_type", info.get("activity_type"))
        event.setdefault("attempt", info.get("attempt"))
    # The SDK's own lines (retries, task failures) carry only the workflow id; every
    # workflow id is case-<CASE_ID> or case-<CASE_ID>-j<N>, so the case id follows from it.
    workflow_id = event.get("workflow_id")
    if "case_id" not in event and isinstance(workflow_id, str):
        match = _CASE_WORKFLOW_ID.match(workflow_id)
        if match:
            event["case_id"] = match.group(1)
    return event


_CASE_WORKFLOW_ID = re.compile(r"^case-(WC-[0-9A-Z]{10})(?:-j\d+)?$")
