"""Named case stories for the replay and fingerprint tests.

Each scenario drives a case (and its journeys) to the end against the dev server and
returns the handles of every workflow it ran, in a fixed order. Recorded once as
histories (``WC_RECORD_HISTORIES=1``), they must replay against every later version
of the workflows; run fresh, their command fingerprints must match the recorded ones
unless a ``workflow.patched`` guard explains the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from models.case import AddCaseNote, CloseCase, Procedure, Withdraw
from models.digest import WeeklyDigestInput, iso_week
from models.journey import (
    ApplyForRecognition,
    BaAnswersSent,
    BaInformationRequested,
    ConfirmRecognitionReceipt,
    FileVisaLawsuit,
    NewVisaApplication,
    PauseRecognitionClock,
    RecordRecognition,
    RecordVisaApplication,
    RecordVisaDecision,
    RequestBaConsent,
    ResumeRecognitionClock,
    WithdrawCandidate,
)
from models.records import ResendEmail, RetentionInput
from records.schema import cases
from tests.conftest import Stack, own_worker
from tests.support import eventually, on_or_before_the_28th, shift_months, start_smtp_server
from tests.workflows.case_flow import ADVISOR, TODAY, day, new_case, open_journeys, select_candidates, start_case
from tests.workflows.scaled import scaled_worker
from workflows.case import CaseWorkflow
from workflows.digest import WeeklyDigestWorkflow
from workflows.mail import UndeliverableEmailWorkflow, undeliverable_workflow_id
from workflows.retention import RetentionWorkflow

Scenario = Callable[[Stack, Path], Awaitable[list[tuple[str, WorkflowHandle[Any, Any]]]]]


async def placed_18a(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """§18a, regular: every milestone to a placement; late facts escalate at once."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.to_probation()
    await journey.probation_passed()
    await handle.result()
    return [("case", handle), ("journey1", journey.handle)]


async def accelerated_deemed_lapsed_replaced(
    stack: Stack, tmp_path: Path
) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """§81a with real timers (scaled days): the BA's consent deemed given by the law, the
    Vorabzustimmung lapsing by itself, a withdrawal, a replacement, and the case closed."""
    clocks = {"ba_consent_fiction": {"by_procedure": {"81a": {"days": 1}}}}
    async with scaled_worker(stack, tmp_path, day_seconds=0.5, clocks=clocks) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1, procedure=Procedure.ACCELERATED_81A))
        (first,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await first.contract()
        await first.accelerated_procedure()
        await first.recognition()
        # Asked long enough ago that the fiction's period has run out: the law has consented.
        await first.do(RequestBaConsent, path="abh_81a", requested_on=TODAY - timedelta(days=10))

        async def stage_is(journey: Any, stage: str) -> bool:
            return (await journey.stage()).value == stage

        await eventually(lambda: stage_is(first, "vorabzustimmung"), timeout=40)
        await first.vorabzustimmung(valid_days=1)  # a real timer lets it lapse
        await eventually(lambda: stage_is(first, "vorabzustimmung"), timeout=40)
        await first.vorabzustimmung(valid_days=60)
        await first.visa_appointment(on=TODAY + timedelta(days=5))
        await first.hand_in_documents(TODAY)
        await first.do(RecordVisaApplication, applied_on=TODAY)
        await first.do(WithdrawCandidate, reason_code="other_offer")

        async def case_stage_is(stage: str) -> bool:
            return (await handle.query(CaseWorkflow.status)).stage.value == stage

        await eventually(lambda: case_stage_is("candidate_selection"), timeout=40)
        (second,) = await select_candidates(stack.client, handle, [("THAMM-5150", "EG")])
        await second.do(WithdrawCandidate, reason_code="language_requirements")
        await eventually(lambda: case_stage_is("candidate_selection"), timeout=40)
        await handle.execute_update(
            CaseWorkflow.close_case, CloseCase(advisor=ADVISOR, reason_code="no_suitable_candidates")
        )
        await handle.result()
        return [("case", handle), ("journey1", first.handle), ("journey2", second.handle)]


async def undeliverable_resent(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """An email the mail server refuses: kept as an UndeliverableEmailWorkflow, a resend
    refused while the address still is, then sent by the second resend."""
    controller, smtp = start_smtp_server()
    smtp.refuse_recipients = True
    try:
        # Records of its own: the session's mail relay must not send this case's email.
        async with own_worker(
            stack,
            tmp_path,
            f"mail-{uuid.uuid4().hex[:6]}",
            smtp,
            smtp_host=controller.hostname,
            smtp_port=controller.port,
        ) as own:
            handle = await start_case(stack.client, own.settings.task_queue, new_case(positions=1))
            await handle.execute_update(CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Anruf Montag"))
            key = f"{handle.id.removeprefix('case-')}/2/advisor"
            mail = stack.client.get_workflow_handle(undeliverable_workflow_id(key))

            async def waiting() -> bool:
                try:
                    return (await mail.describe()).status is WorkflowExecutionStatus.RUNNING
                except RPCError:
                    return False

            await eventually(waiting, timeout=60)
            with contextlib.suppress(WorkflowUpdateFailedError):
                await mail.execute_update(UndeliverableEmailWorkflow.resend, ResendEmail(advisor="ops.lead"))
            smtp.refuse_recipients = False
            await mail.execute_update(UndeliverableEmailWorkflow.resend, ResendEmail(advisor="ops.lead"))
            await mail.result()
            await handle.execute_update(
                CaseWorkflow.withdraw,
                Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise"),
            )
            await handle.result()
    finally:
        controller.stop()
    return [("mail", mail)]


async def retention_erases(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """The retention run erasing one closed case."""
    closed = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    await closed.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise")
    )
    await closed.result()
    case_id = closed.id.removeprefix("case-")

    def recorded_closed() -> bool:
        with stack.engine.connect() as conn:
            return conn.execute(select(cases.c.stage).where(cases.c.case_id == case_id)).scalar() == "closed"

    await eventually(recorded_closed)
    # The policy's cutoff (#25): a policy day of a millisecond lets the 730 days pass.
    async with scaled_worker(stack, tmp_path, day_seconds=0.001) as queue:
        await asyncio.sleep(1.0)
        handle = await stack.client.start_workflow(
            RetentionWorkflow.run,
            RetentionInput(case_ids=[case_id]),
            id=f"retention-scenario-{uuid.uuid4()}",
            task_queue=queue,
        )
        assert (await handle.result()).erased == [case_id]
    return [("retention", handle)]


async def weekly_digest_sent(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """The Monday digest of a week ahead (so no test's own week): an overdue clock, escalated
    at once, in the advisor's digest and the team lead's."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    await journey.do(ApplyForRecognition, applied_on=day(5), body="Handwerkskammer Hannover")
    week = iso_week(TODAY + timedelta(days=7))
    digest = await stack.client.start_workflow(
        WeeklyDigestWorkflow.run,
        WeeklyDigestInput(week=week),
        id=f"digest-scenario-{uuid.uuid4()}",
        task_queue=stack.settings.task_queue,
    )
    assert (await digest.result()).sent == [f"digest/{ADVISOR}/{week}", f"digest/t.lead/{week}"]
    return [("digest", digest)]


async def imported_running_and_placed(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """#16: a case imported from a file: one journey placed before the import, one working
    with its probation clock's past rungs recorded quietly; then a live step, and the case
    withdrawn by the employer."""
    from models.case import workflow_id_for
    from models.journey import JourneyView, RecordProbationPassed
    from starter.cli import main
    from starter.importing import imported_case_id

    ref = f"SCN-{uuid.uuid4().hex[:8]}"
    # Dated from today as recorded: the first journey's probation (six months) fell due three
    # weeks ago, so its reminder, due and team-lead rungs lie before the import and its
    # operations rung a week after; the second journey was placed long before.
    started = shift_months(on_or_before_the_28th(TODAY - timedelta(days=21)), -6)
    advised, started2 = started - timedelta(days=234), started - timedelta(days=147)
    file = tmp_path / "scenario.csv"
    file.write_text(
        "case_ref;employer_name;advised_on;occupation;route;origin_programme;candidate_ref;origin_country;"
        "contract_signed_on;arrived_on;job_started_on;probation_passed_on\n"
        f"{ref};Firma Szenario GmbH;{advised};cnc_machinist;18a;THAMM Plus;ANETI-9001;TN;"
        f"{started - timedelta(days=182)};{started - timedelta(days=7)};{started};\n"
        f"{ref};Firma Szenario GmbH;{advised};cnc_machinist;18a;THAMM Plus;ANETI-9002;TN;"
        f"{started2 - timedelta(days=68)};{started2 - timedelta(days=7)};{started2};{started2 + timedelta(days=182)}\n",
        encoding="utf-8",
    )
    assert await main(["import", str(file), "--advisor", ADVISOR], client=stack.client, settings=stack.settings) == 0
    handle = stack.client.get_workflow_handle(workflow_id_for(imported_case_id(ref)))
    journeys = [stack.client.get_workflow_handle(f"{handle.id}-j{n}") for n in (1, 2)]

    async def rungs_recorded() -> bool:
        with contextlib.suppress(RPCError):
            view = await journeys[0].query("status", result_type=JourneyView)
            return sum(e.action.startswith("deadline_") for e in view.state.history) == 3
        return False

    await eventually(rungs_recorded, timeout=60)
    await journeys[0].execute_update(
        "record_probation_passed", RecordProbationPassed(advisor=ADVISOR, passed_on=TODAY - timedelta(days=20))
    )
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="vacancy_cancelled")
    )
    await handle.result()
    return [("case", handle), ("journey1", journeys[0]), ("journey2", journeys[1])]


async def late_facts_side_by_side(stack: Stack, tmp_path: Path) -> list[tuple[str, WorkflowHandle[Any, Any]]]:
    """Process version 4 (#24): a paused recognition period resumed (§193 BGB), a BA request
    recorded after its fiction ran out (deemed at once) and the BA's question recorded late
    (the deemed consent taken back), then a visa refusal answered by a new application and a
    lawsuit side by side: the court's loss leaves the application, whose visa settles it."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    await journey.hand_in_documents(day(4))
    await journey.do(ApplyForRecognition, applied_on=day(5), body="Handwerkskammer Hannover")
    await journey.do(ConfirmRecognitionReceipt, confirmed_on=day(12), complete_on=day(12))
    await journey.do(PauseRecognitionClock, paused_on=day(20), reason_code="missing_documents", reason="Syllabus")
    await journey.do(ResumeRecognitionClock, resumed_on=day(25))
    await journey.do(RecordRecognition, decision="full", decided_on=day(60))
    await journey.visa_appointment()
    await journey.visa_application(on=day(90))
    await journey.do(RequestBaConsent, path="embassy", requested_on=day(92))

    async def deemed() -> bool:
        return any(e.action == "ba_consent_deemed" for e in (await journey.view()).state.history)

    await eventually(deemed, timeout=40)
    await journey.do(BaInformationRequested, asked_on=day(100))
    await journey.do(BaAnswersSent, received_on=TODAY - timedelta(days=1))
    await journey.ba_consent(path="embassy", decided_on=TODAY)
    await journey.visa("refused", on=TODAY)
    await journey.do(NewVisaApplication)
    await journey.do(FileVisaLawsuit, filed_on=TODAY)
    await journey.visa_application(on=TODAY)
    lost = {"decision": "refused", "decided_on": TODAY, "notified_on": TODAY}
    await journey.do(RecordVisaDecision, by_court=True, **lost)
    await journey.visa(on=TODAY, valid_until=TODAY + timedelta(days=365))
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="vacancy_cancelled")
    )
    await handle.result()
    return [("case", handle), ("journey1", journey.handle)]


SCENARIOS: dict[str, Scenario] = {
    "placed_18a": placed_18a,
    "accelerated_deemed_lapsed_replaced": accelerated_deemed_lapsed_replaced,
    "undeliverable_resent": undeliverable_resent,
    "retention_erases": retention_erases,
    "weekly_digest_sent": weekly_digest_sent,
    "imported_running_and_placed": imported_running_and_placed,
    "late_facts_side_by_side": late_facts_side_by_side,
}
