"""A data key per case (#13): a case's payloads are sealed with its own key; destroying it
makes them unreadable (crypto-shredding) and touches no other case; master keys rotate."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext

from core.case_keys import CaseKeyCodec, CaseKeys
from core.codec import KEY_ID, PayloadKeyError, parse_keys
from records.database import create_records_engine, migrate


def keys(*ids: str) -> tuple[dict[str, bytes], str]:
    return parse_keys(",".join(f"{i}:" + base64.b64encode(i.encode().ljust(32, b"!")).decode() for i in ids))


def context(workflow_id: str) -> WorkflowSerializationContext:
    return WorkflowSerializationContext(namespace="default", workflow_id=workflow_id)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    migrate(create_records_engine(url))
    return url


def codec(url: str, *master_ids: str) -> CaseKeyCodec:
    masters, current = keys(*master_ids)
    return CaseKeyCodec(masters, current, CaseKeys(url, masters, current))


async def test_each_case_has_its_key_and_erasing_it_shreds_only_that_case(url: str) -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"Frau Sommer"')
    base = codec(url, "m1")
    (journey,) = await base.with_context(context("case-WC-0123456789-j1")).encode([plain])
    (email,) = await base.with_context(context("email-case-WC-0123456789-j1/4/advisor")).encode([plain])
    (other,) = await base.with_context(context("case-WC-ABCDEFGHJK")).encode([plain])
    (outside,) = await base.encode([plain])
    assert journey.metadata[KEY_ID] == email.metadata[KEY_ID] == b"case/WC-0123456789"
    assert other.metadata[KEY_ID] == b"case/WC-ABCDEFGHJK" and outside.metadata[KEY_ID] == b"m1"
    assert b"Sommer" not in journey.data

    reader = codec(url, "m1")  # another process (the codec server): the key comes from the database
    assert await reader.decode([journey, email, other, outside]) == [plain] * 4

    assert CaseKeys(url, *keys("m1")).destroy("WC-0123456789") is True
    with pytest.raises(PayloadKeyError, match="WC-0123456789: its key was destroyed"):
        await codec(url, "m1").decode([journey])
    assert await codec(url, "m1").decode([other, outside]) == [plain, plain]


async def test_after_a_master_key_rotation_old_cases_still_read(url: str) -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"x"')
    (sealed,) = await codec(url, "m1").with_context(context("case-WC-0123456789")).encode([plain])
    rotated = codec(url, "m2", "m1")  # new current key in front, the old one kept
    assert await rotated.decode([sealed]) == [plain]
    (new_case,) = await rotated.with_context(context("case-WC-ABCDEFGHJK")).encode([plain])
    with pytest.raises(PayloadKeyError, match="master key 'm2'"):
        await codec(url, "m1").decode([new_case])
