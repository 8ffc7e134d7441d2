"""Worker logs: one JSON object per line, the case id on every line about a case."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from core.logging import configure_logging


def test_sdk_lines_get_the_case_id_from_the_workflow_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        # What the SDK logs for a retried activity: only its own info dict.
        logging.getLogger("temporalio.activity").warning(
            "Completing activity as failed",
            extra={
                "temporal_activity": {"workflow_id": "case-WC-7M2K9Q4XTB-j2", "activity_type": "send", "attempt": 2}
            },
        )
        with structlog.contextvars.bound_contextvars(case_id="WC-0000000001"):
            structlog.get_logger("activities.records").info("case event recorded", seq=3)
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        logging.getLogger().handlers.clear()
    assert [(line["event"], line["case_id"]) for line in lines] == [
        ("Completing activity as failed", "WC-7M2K9Q4XTB"),
        ("case event recorded", "WC-0000000001"),
    ]
    assert lines[0]["attempt"] == 2 and lines[1]["seq"] == 3
