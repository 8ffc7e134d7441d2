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


def test_a_command_logs_on_standard_error_so_its_answer_stays_alone_on_standard_output() -> None:
    # #24: erase-case printed its "case erased" line on standard output before its --json
    # answer. A process of its own: structlog's configuration is global.
    import subprocess
    import sys
    from pathlib import Path

    program = (
        "import asyncio, io, structlog\n"
        "from starter.cli import main\n"
        "asyncio.run(main(['occupations'], out=io.StringIO()))\n"
        "log = structlog.get_logger('activities.erasure')\n"
        "log.info('case erased', case_id='WC-0000000001')\n"
        "log.warning('not erased: the case runs again', case_id='WC-0000000001')\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", program], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["event"], line["level"], line["case_id"]) for line in lines] == [
        ("not erased: the case runs again", "warning", "WC-0000000001")
    ]
