"""Payload encryption with key rotation: plain units, then a case on the real server."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from core.client import connect
from core.codec import ENCODING, EncryptionCodec, PayloadKeyError, parse_keys
from records.database import create_records_engine, migrate
from tests.conftest import Stack
from tests.workflows.case_flow import new_case, start_case
from worker import build_worker
from workflows.case import CaseWorkflow


def key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


async def test_round_trip_and_rotation() -> None:
    old, new = key("2026-01"), key("2026-11")
    before = EncryptionCodec(*parse_keys(old))
    plain = [Payload(metadata={"encoding": b"json/plain"}, data=b'{"note": "Gespraech mit Familie"}')]
    sealed = await before.encode(plain)
    assert sealed[0].metadata["encoding"] == ENCODING and b"Familie" not in sealed[0].data

    # After the rotation the new key encrypts, and the old one still reads old payloads.
    after = EncryptionCodec(*parse_keys(f"{new},{old}"))
    assert await after.decode(sealed) == plain
    assert (await after.encode(plain))[0].metadata["encryption-key-id"] == b"2026-11"
    # Fail closed (#26 point 2): a payload in plaintext is refused; only the migration
    # switch lets those from before encryption through.
    (refused,) = await after.decode(plain)
    assert b"plaintext-refused" in refused.metadata["encoding"] and b"Familie" not in refused.data
    assert await EncryptionCodec(*parse_keys(f"{new},{old}"), plaintext=True).decode(plain) == plain
    # Without the old key the payload cannot be read, and the error names the key.
    with pytest.raises(PayloadKeyError, match="'2026-01'"):
        await EncryptionCodec(*parse_keys(new)).decode(sealed)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no key"),
        ("k1", "ID:BASE64KEY"),
        ("k1:not-base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "32 bytes"),
    ],
)
def test_bad_key_settings_name_the_problem(spec: str, message: str) -> None:
    with pytest.raises(PayloadKeyError, match=message):
        parse_keys(spec)


def test_no_key_no_start(tmp_path: Path) -> None:
    """Without a payload key neither the worker nor a direct starter starts (#26 point 2)."""
    from core.client import data_converter
    from core.config import Settings

    with pytest.raises(PayloadKeyError, match="payload_keys: none configured"):
        data_converter(Settings(_env_file=None))  # type: ignore[call-arg]
    assert data_converter(Settings(allow_plaintext_payloads=True, _env_file=None)).payload_codec is None  # type: ignore[call-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WC_")}
    env.update({"WC_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}", "WC_METRICS_PORT": "0"})
    root = Path(__file__).resolve().parents[2]
    for argv in (["worker.py"], ["-m", "starter", "list"]):
        run = subprocess.run(
            [sys.executable, *argv], cwd=root, env={**env, "WC_STARTER_DIRECT": "1"}, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode != 0 and "payload_keys: none configured" in run.stderr, (argv, run.stderr[-800:])


async def test_a_case_is_stored_encrypted_and_reads_back(stack: Stack, tmp_path: Path) -> None:
    # An installation of its own (its key wraps the records' secrets): its own records.
    database_url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    engine = create_records_engine(database_url)
    migrate(engine)
    settings = stack.settings.model_copy(
        update={
            "payload_keys": SecretStr(key("2026-11")),
            "task_queue": stack.settings.task_queue + "-sealed",
            "database_url": database_url,
        }
    )
    client = await connect(settings)
    case = new_case()
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(client, settings, engine, executor):
            handle = await start_case(client, settings.task_queue, case)
            state = await handle.query(CaseWorkflow.status)
            assert state.employer.name == "Haustechnik Gehrden GmbH"

            # What the server stores, read without the key: only ciphertext.
            raw = await stack.client.get_workflow_handle(handle.id).fetch_history()
            started = next(e for e in raw.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
            (payload,) = started.workflow_execution_started_event_attributes.input.payloads
            assert payload.metadata["encoding"] == ENCODING
            assert b"Haustechnik" not in payload.data and case.case_id.encode() not in payload.data


async def test_a_plaintext_command_to_an_encrypted_case_is_refused_and_changes_nothing(
    encrypted: Stack, stack: Stack
) -> None:
    """Fail closed (#26 point 2): a client without the key (here the suite's plain client)
    cannot slip a plaintext payload into an encrypted case."""
    from models.case import CompleteConsultation

    handle = await start_case(encrypted.client, encrypted.settings.task_queue, new_case())
    before = await handle.query(CaseWorkflow.status)
    plain = stack.client.get_workflow_handle(handle.id)
    with pytest.raises(WorkflowUpdateFailedError):
        await plain.execute_update(
            CaseWorkflow.complete_consultation,
            CompleteConsultation(advisor="m.koch", wage_meets_local_standard=True),
            id=f"plain-{handle.id}",
        )
    after = await handle.query(CaseWorkflow.status)
    assert after.stage == before.stage and len(after.history) == len(before.history)
    # ... and the case still takes commands from its own door.
    await handle.execute_update(
        CaseWorkflow.complete_consultation, CompleteConsultation(advisor="m.koch", wage_meets_local_standard=True)
    )
    assert (await handle.query(CaseWorkflow.status)).stage.value == "candidate_selection"
