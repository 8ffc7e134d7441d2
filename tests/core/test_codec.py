"""Payload encryption with key rotation: plain units, then a case on the real server."""

from __future__ import annotations

import base64
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType

from core.client import connect
from core.codec import ENCODING, EncryptionCodec, PayloadKeyError, parse_keys
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
    # Payloads from before encryption was switched on pass through.
    assert await after.decode(plain) == plain
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


async def test_a_case_is_stored_encrypted_and_reads_back(stack: Stack) -> None:
    settings = stack.settings.model_copy(
        update={"payload_keys": SecretStr(key("2026-11")), "task_queue": stack.settings.task_queue + "-sealed"}
    )
    client = await connect(settings)
    case = new_case()
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        async with build_worker(client, settings, stack.engine, executor):
            handle = await start_case(client, settings.task_queue, case)
            state = await handle.query(CaseWorkflow.status)
            assert state.employer.name == "Haustechnik Gehrden GmbH"

            # What the server stores, read without the key: only ciphertext.
            raw = await stack.client.get_workflow_handle(handle.id).fetch_history()
            started = next(e for e in raw.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
            (payload,) = started.workflow_execution_started_event_attributes.input.payloads
            assert payload.metadata["encoding"] == ENCODING
            assert b"Haustechnik" not in payload.data and case.case_id.encode() not in payload.data
