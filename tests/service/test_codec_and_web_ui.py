"""The codec endpoint and the Web UI behind the office service (#25 points 2, 5, 7): payloads
are decoded only for a person signed in whose role may read them, every decode is in the
access log, an erased case's key is refused within seconds, and the Web UI's write actions
are operations' only, refused at the service for everyone else."""

from __future__ import annotations

import base64
import json

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import WorkflowExecutionStatus

from core.case_keys import KEEP_SECONDS, CaseKeys
from core.codec import ENCODING, EncryptionCodec, parse_keys
from records import accounts
from tests.conftest import PAYLOAD_KEYS, UI_PORT, Stack
from tests.service.office import WebSession, serve_office, with_password
from tests.support import eventually
from tests.workflows.case_flow import new_case, start_case

EMPLOYER = "Tischlerei Gruenwald Wunstorf KG"


async def _case_payload(encrypted: Stack) -> tuple[str, str, bytes]:
    """A started case: its id, workflow id, and its first payload as the Web UI posts it."""
    case = new_case(positions=1, employer={"name": EMPLOYER, "contact": "Herr Gruenwald"})
    handle = await start_case(encrypted.client, encrypted.settings.task_queue, case)
    history = await handle.fetch_history()
    payload = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    assert payload.metadata["encoding"] == ENCODING and EMPLOYER.encode() not in payload.data
    body = json.dumps(json_format.MessageToDict(Payloads(payloads=[payload]))).encode()
    return case.case_id, handle.id, body


def _decoded(answer_body: bytes) -> str:
    payloads = json_format.Parse(answer_body, Payloads()).payloads
    return b"".join(p.data for p in payloads).decode()


async def test_the_codec_decodes_for_people_signed_in_and_logs_each_case_read(encrypted: Stack) -> None:
    case_id, _, body = await _case_payload(encrypted)
    with_password(encrypted, "m.koch", "ops.lead")
    async with serve_office(encrypted) as url:
        stranger = WebSession(url)
        refused = await stranger.request("POST", "/codec/decode", body=body, Content_Type="application/json")
        assert refused.status == 401 and EMPLOYER not in refused.text

        advisor = WebSession(url)
        await advisor.sign_in("m.koch")
        other_site = await advisor.request("POST", "/codec/decode", body=body, Origin="http://evil.example")
        assert other_site.status == 403 and "access-control-allow-origin" not in {k.lower() for k in other_site.headers}
        answer = await advisor.request("POST", "/codec/decode", body=body, Content_Type="application/json")
        assert answer.status == 200 and EMPLOYER in _decoded(answer.body)
        reads = [(r.handle, r.what) for r in accounts.accesses(encrypted.engine, case_id)]
        assert reads == [("m.koch", "decode (Web UI)")]
        await advisor.request("POST", "/codec/decode", body=body)
        assert len(accounts.accesses(encrypted.engine, case_id)) == 1  # one record per view, not per payload

        # Payloads sealed outside a case (the office's own workflows) and encoding (the UI's
        # write actions) are not an advisor's.
        sealed = await EncryptionCodec(*parse_keys(PAYLOAD_KEYS)).encode([Payload(data=b'"digest"')])
        office = json.dumps(json_format.MessageToDict(Payloads(payloads=sealed))).encode()
        assert (await advisor.request("POST", "/codec/decode", body=office)).status == 403
        plain = json.dumps({"payloads": [{"data": base64.b64encode(b'"x"').decode()}]}).encode()
        assert (await advisor.request("POST", "/codec/encode", body=plain)).status == 403
        operations = WebSession(url)
        await operations.sign_in("ops.lead")
        assert (await operations.request("POST", "/codec/decode", body=office)).status == 200
        assert (await operations.request("POST", "/codec/encode", body=plain)).status == 200


async def test_an_erased_cases_key_is_refused_within_seconds(encrypted: Stack) -> None:
    case_id, _, body = await _case_payload(encrypted)
    with_password(encrypted, "m.koch")
    async with serve_office(encrypted) as url:
        advisor = WebSession(url)
        await advisor.sign_in("m.koch")
        assert (await advisor.request("POST", "/codec/decode", body=body)).status == 200  # its key now held

        # The erasure runs in a worker: another process destroys the key in the records.
        assert CaseKeys(encrypted.settings.database_url, *parse_keys(PAYLOAD_KEYS)).destroy(case_id)

        async def refused() -> bool:
            answer = await advisor.request("POST", "/codec/decode", body=body)
            return answer.status == 400 and EMPLOYER not in answer.text

        await eventually(refused, timeout=KEEP_SECONDS + 5)


async def test_the_web_ui_is_behind_the_login_and_writes_are_operations_only(encrypted: Stack) -> None:
    _, workflow_id, _ = await _case_payload(encrypted)
    with_password(encrypted, "m.koch", "ops.lead")
    async with serve_office(encrypted, ui_upstream_url=f"http://127.0.0.1:{UI_PORT}") as url:
        stranger = await WebSession(url).request("GET", "/ui/namespaces/default/workflows")
        assert stranger.status == 303 and stranger.headers["location"] == "/login?next=/ui/namespaces/default/workflows"
        assert (await WebSession(url).request("GET", "/ui/api/v1/settings")).status == 401

        advisor = WebSession(url)
        await advisor.sign_in("m.koch")
        page = await advisor.request("GET", "/ui/namespaces/default/workflows")
        assert page.status == 200 and "/ui/_app/" in page.text
        settings = (await advisor.request("GET", "/ui/api/v1/settings")).json()
        assert settings["Codec"]["Endpoint"] == url + "/codec" and settings["DisableWriteActions"] is True
        terminate = f"/ui/api/v1/namespaces/default/workflows/{workflow_id}/terminate"
        refused = await advisor.request(
            "POST", terminate, body=b'{"reason":"x"}', Content_Type="application/json", Origin=url
        )
        assert refused.status == 403
        # A query's path with a '..' segment would reach the UI server as a workflow start.
        dotted = f"/ui/api/v1/namespaces/default/workflows/{workflow_id}/query/%2e%2e"
        sneaked = await advisor.request("POST", dotted, body=b"{}", Content_Type="application/json", Origin=url)
        assert sneaked.status == 400
        running = (await encrypted.client.get_workflow_handle(workflow_id).describe()).status
        assert running == WorkflowExecutionStatus.RUNNING

        operations = WebSession(url)
        await operations.sign_in("ops.lead")
        assert (await operations.request("GET", "/ui/api/v1/settings")).json()["DisableWriteActions"] is False
        await encrypted.client.get_workflow_handle(workflow_id).terminate("test over")
