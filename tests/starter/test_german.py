"""German by default (#16 point 4), end to end: a worker and a starter without
WC_LANGUAGE; the advisor's commands answer in German, `status` reads German with German
dates, and the emails arrive in German. German legal terms stay as they are."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from email.header import decode_header, make_header

import pytest_asyncio

from core.i18n import Text
from models import clock
from starter.cli import EXIT_REJECTED, main
from tests.conftest import Stack
from tests.starter.test_cli import NEW_CASE
from tests.support import eventually
from worker import build_worker


@pytest_asyncio.fixture(loop_scope="session")
async def german(stack: Stack) -> AsyncIterator[Stack]:
    """The stack with the office's default language: a worker of its own on its own queue."""
    settings = stack.settings.model_copy(update={"language": "de", "task_queue": f"{stack.settings.task_queue}-de"})
    assert type(settings).model_fields["language"].default == "de"
    with ThreadPoolExecutor(max_workers=settings.activity_threads) as executor:
        worker = build_worker(stack.client, settings, stack.engine, executor)
        async with worker:
            yield Stack(stack.client, settings, stack.engine, stack.smtp, worker)


async def ok(stack: Stack, *argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = await main(list(argv), client=stack.client, settings=stack.settings, out=out, err=err)
    assert code == 0, (argv, err.getvalue())
    return out.getvalue()


async def test_commands_status_and_emails_speak_german(german: Stack) -> None:
    case_id = (await ok(german, *NEW_CASE)).strip()
    # A step out of order is refused by the workflow's validator, in German.
    refused, err = io.StringIO(), io.StringIO()
    argv = ["select-candidates", case_id, "--advisor", "m.koch", "--candidate", "THAMM-4711:TN"]
    assert await main(argv, client=german.client, settings=german.settings, out=refused, err=err) == EXIT_REJECTED
    assert err.getvalue() == (
        f"abgelehnt: select-candidates: Fall {case_id} ist in der Phase 'consultation', "
        "zuerst die Erstberatung abschließen\n"
    )
    out = await ok(german, "complete-consultation", case_id, "--advisor", "m.koch", "--wage-meets-local-standard")
    assert out.startswith(f"{case_id}: Erstberatung abgeschlossen, Lohn nach §39(2) geprüft")
    assert out.rstrip().endswith("(Phase: candidate_selection)")
    await ok(german, "select-candidates", case_id, "--advisor", "m.koch", "--candidate", "THAMM-4711:TN")

    today = Text("de").date(clock.today())
    status = await ok(german, "status", case_id)
    assert f"Fall {case_id}   Phase: journeys   (offen)" in status
    assert "  Arbeitgeber: Pflegeheim Linden gGmbH, Kontakt hr@pflegeheim-linden.example" in status
    assert "  Verlauf 1: Kandidat/in THAMM-4711 (TN)   Phase: contract" in status
    assert "Fall eröffnet für Pflegeheim Linden gGmbH" in status and f"  Eröffnet:    {today}" in status
    assert "Verlauf 1 begonnen für Kandidat/in THAMM-4711 (TN)" in status
    assert "Frist:" in status and "    Nächste Schritte: record-contract" in status
    assert "    Offen:          contract: Arbeits- oder Ausbildungsvertrag unterschrieben" in status

    def emails() -> list[tuple[str, str]]:
        found = []
        for message in german.smtp.messages:
            subject = str(make_header(decode_header(str(message["Subject"]))))
            if case_id in subject:
                payload = message.get_payload(decode=True)
                body = payload.decode() if isinstance(payload, bytes) else str(message.get_payload())
                found.append((subject, body))
        return found

    await eventually(lambda: len(emails()) >= 3, timeout=60)
    subjects = [subject for subject, _ in emails()]
    opened = (
        "Fall eröffnet für Pflegeheim Linden gGmbH: Pflegefachfrau/Pflegefachmann, §18a AufenthG, Verfahren regulär"
    )
    assert f"[{case_id}] {opened}" in subjects  # the occupation by its name, the procedure in words (#24)
    _, body = next(e for e in emails() if "Erstberatung abgeschlossen" in e[0])
    assert f"Fall {case_id} (Pflegeheim Linden gGmbH, nurse, §18a AufenthG)" in body
    assert "Schritt: consultation_completed durch m.koch" in body and "Was geschah: Erstberatung" in body
