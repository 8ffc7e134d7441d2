"""Encrypted by default (#13): Temporal stores only ciphertext, and staff signed in at the
office service read the case decoded in the Web UI it shows them (#25); nobody else does."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType

from core.case_keys import CaseKeyCodec, CaseKeys
from core.codec import ENCODING, KEY_ID, PayloadKeyError, parse_keys
from tests.conftest import PAYLOAD_KEYS, Stack
from tests.service.office import PASSWORD, serve_office, with_password
from tests.ui.browser import Browser
from tests.workflows.case_flow import new_case, open_journeys, start_case

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
EMPLOYER = "Bäckerei Sonnenschein Lehrte GmbH"


async def test_storage_holds_ciphertext_and_the_ui_shows_the_case_decoded(
    encrypted: Stack, stack: Stack, ui_url: str
) -> None:
    with_password(encrypted, "m.koch")
    case = new_case(positions=1, employer={"name": EMPLOYER, "contact": "Frau Sommer, Personal"})
    handle = await start_case(encrypted.client, encrypted.settings.task_queue, case)
    (journey,) = await open_journeys(encrypted.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()

    # What Temporal stores, read without the key: no payload in plaintext.
    raw = await stack.client.get_workflow_handle(handle.id).fetch_history()
    stored = b"".join(event.SerializeToString() for event in raw.events)
    assert EMPLOYER.encode() not in stored and b"Frau Sommer" not in stored
    started = raw.events[0]
    assert started.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
    payload = started.workflow_execution_started_event_attributes.input.payloads[0]
    assert payload.metadata["encoding"] == ENCODING
    assert payload.metadata[KEY_ID] == f"case/{case.case_id}".encode()  # the case's own key
    assert started.user_metadata.summary.metadata["encoding"] == ENCODING

    # Through the office service, signed in: the Web UI decodes it with the service's codec.
    run_id = (await handle.describe()).run_id
    page = f"/ui/namespaces/default/workflows/{handle.id}/{run_id}/history"
    async with serve_office(encrypted, ui_upstream_url=ui_url.removesuffix("/ui")) as office:
        async with Browser() as browser:
            await browser.open(office + page)
            await browser.wait_for_text("Sign in", "Password")  # not signed in: the login, no case
            await browser.screenshot(ARTIFACTS / "office-login.png")
            await browser.sign_in(office, "m.koch", PASSWORD)
            await browser.open(office + page)
            await browser.wait_for_text(EMPLOYER, "Frau Sommer")
            await browser.screenshot(ARTIFACTS / "encrypted-case-decoded.png")
        # The Web UI's own port, without the service: nothing to decode with.
        async with Browser() as browser:
            await browser.open(ui_url + page.removeprefix("/ui"))
            text = await browser.wait_for_text(handle.id)
            assert EMPLOYER not in text and "Frau Sommer" not in text

    # Crypto-shredding: with the case's key destroyed nothing of it can be read again.
    await handle.terminate("test over: its key goes")
    codec = encrypted.client.data_converter.payload_codec
    assert isinstance(codec, CaseKeyCodec)
    assert CaseKeys(encrypted.settings.database_url, *parse_keys(PAYLOAD_KEYS)).destroy(case.case_id)
    with pytest.raises(PayloadKeyError, match="destroyed"):
        await CaseKeyCodec(
            *parse_keys(PAYLOAD_KEYS), CaseKeys(encrypted.settings.database_url, *parse_keys(PAYLOAD_KEYS))
        ).decode([payload])
