"""Deadline clocks whose timers really fire, on the real dev server.

Each test runs a worker whose policy day lasts a fraction of a second
(WC_DEADLINE_DAY_SECONDS) and, where needed, shorter periods in the policy file.
Dates are still real dates, counted with §193 BGB; only the waiting is scaled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from core import search_attributes as sa
from core.versions import CODE_VERSION
from models.case import CaseState, CompleteConsultation, Procedure, ResidenceRoute, SelectedCandidate
from models.clocks import ClockName, DeadlineStatus, Rung
from models.deadlines import DEFAULT_POLICY_FILE, DeadlinePolicy, load_policy
from models.journey import (
    ApplyForRecognition,
    BaAnswersSent,
    BaInformationRequested,
    ConfirmRecognitionReceipt,
    ExtendRecognitionClock,
    JourneyInput,
    JourneyStage,
    PauseRecognitionClock,
    RecordRecognitionComplete,
    RequestBaConsent,
    ResumeRecognitionClock,
    journey_workflow_id,
)
from starter.cases import new_case_id
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, TODAY, Journey, new_case, open_journeys, start_case
from tests.workflows.scaled import scaled_worker
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow

LADDER = {"reminder_days_before": 2, "team_lead_after_days": 2, "operations_after_days": 4}


def actions(history: list[Any], prefix: str = "deadline_") -> list[str]:
    return [e.action for e in history if e.action.startswith(prefix)]


async def case_state(handle: WorkflowHandle) -> CaseState:
    return await handle.query(CaseWorkflow.status)


async def until(probe: Callable[[], Any], timeout: float = 40) -> Any:
    return await eventually(probe, timeout=timeout, interval=0.25)


async def test_an_overdue_step_climbs_the_whole_ladder(stack: Stack, tmp_path: Path) -> None:
    clocks = {"consultation_follow_up": {"period": {"days": 4}, "escalation": LADDER}}
    async with scaled_worker(stack, tmp_path, day_seconds=0.5, clocks=clocks) as queue:
        case = new_case()
        handle = await start_case(stack.client, queue, case)

        async def climbed() -> CaseState | None:
            state = await case_state(handle)
            return state if "deadline_operations" in actions(state.history) else None

        state = await until(climbed)
        assert actions(state.history) == [
            "deadline_reminder",
            "deadline_due",
            "deadline_team_lead",
            "deadline_operations",
        ]
        (clock,) = state.deadlines
        assert (clock.clock, clock.level, clock.status) == ("consultation_follow_up", 4, "running")
        assert "Overdue since" in state.history[-1].summary and "Service level" in state.history[-1].summary

        # Each rung is an email to the right person, once.
        s = stack.settings
        expected = {
            "Reminder": f"{ADVISOR}@{s.staff_email_domain}",
            "Due today": f"{ADVISOR}@{s.staff_email_domain}",
            "escalated to the team lead": s.team_lead_email,
            "escalated to operations": s.operations_email,
        }

        def ladder_mails() -> dict[str, str] | None:
            mails = [m for m in stack.smtp.for_case(case.case_id) if "[" in m["Subject"]]
            found = {k: m["To"] for k in expected for m in mails if k in m["Subject"]}
            return found if len(found) == len(expected) else None

        assert await until(ladder_mails) == expected

        # "Every overdue case" is one query in the UI.
        query = f"CaseId = '{case.case_id}' AND Overdue = true AND EscalationLevel = 4"

        async def listed() -> list[str]:
            return [wf.id async for wf in stack.client.list_workflows(query)]

        assert await until(listed) == [handle.id]
        described = await handle.describe()
        assert described.typed_search_attributes.get(sa.NEXT_DEADLINE) is not None


async def test_a_met_deadline_stops_its_ladder(stack: Stack, tmp_path: Path) -> None:
    # Four policy days (2 s) between the reminder and the due date leave time to act.
    ladder = {**LADDER, "reminder_days_before": 4}
    clocks = {"consultation_follow_up": {"period": {"days": 6}, "escalation": ladder}}
    async with scaled_worker(stack, tmp_path, day_seconds=0.5, clocks=clocks) as queue:
        handle = await start_case(stack.client, queue)

        async def reminded() -> CaseState | None:
            state = await case_state(handle)
            return state if actions(state.history) else None

        state = await until(reminded)
        assert actions(state.history) == ["deadline_reminder"]
        await handle.execute_update(
            CaseWorkflow.complete_consultation, CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True)
        )
        # Well past the would-be due date and both escalations (a policy day is 0.5 s).
        await asyncio.sleep(6)
        state = await case_state(handle)
        assert actions(state.history) == ["deadline_reminder"]
        consultation = next(d for d in state.deadlines if d.clock == "consultation_follow_up")
        assert (consultation.status, consultation.level) == ("met", Rung.REMINDER)
        selection = next(d for d in state.deadlines if d.clock == "candidate_selection")
        assert selection.status == "running"


async def test_the_recognition_clock_runs_from_complete_documents_pauses_resumes_and_extends_once(
    stack: Stack, tmp_path: Path
) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=86400) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1))
        (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await journey.contract()
        await journey.hand_in_documents(TODAY)
        view = await journey.do(ApplyForRecognition, applied_on=TODAY - timedelta(days=10), body="IHK FOSA")
        receipt = clock(view, ClockName.RECOGNITION_RECEIPT)
        assert (receipt.started_on, receipt.status) == (TODAY - timedelta(days=10), DeadlineStatus.RUNNING)
        view = await journey.do(ConfirmRecognitionReceipt, confirmed_on=TODAY - timedelta(days=3))
        assert clock(view, ClockName.RECOGNITION_RECEIPT, open_=False).status is DeadlineStatus.MET
        # The decision period counts from the day the body has the complete documents.
        view = await journey.do(RecordRecognitionComplete, complete_on=TODAY - timedelta(days=2))
        started = clock(view, ClockName.RECOGNITION_DECISION)
        assert started.started_on == TODAY - timedelta(days=2)
        assert started.due_on >= TODAY + timedelta(days=86)  # 3 months, §6 BQFG
        view = await journey.do(
            PauseRecognitionClock,
            paused_on=TODAY - timedelta(days=1),
            reason_code="missing_documents",
            reason="Syllabus",
        )
        assert clock(view, ClockName.RECOGNITION_DECISION).status is DeadlineStatus.PAUSED
        view = await journey.do(ResumeRecognitionClock, resumed_on=TODAY)
        resumed = clock(view, ClockName.RECOGNITION_DECISION)
        # The paused day added to the period, then §193 BGB (process version 4): the one period function.
        counted = load_policy(DEFAULT_POLICY_FILE).due_on(
            ClockName.RECOGNITION_DECISION, started.started_on, view.state.route, view.state.procedure, paused_days=1
        )
        assert (resumed.status, resumed.due_on, resumed.paused_days) == (DeadlineStatus.RUNNING, counted, 1)
        until_date = resumed.due_on + timedelta(days=30)
        view = await journey.do(ExtendRecognitionClock, until=until_date, reason="Expert opinion")
        extended = clock(view, ClockName.RECOGNITION_DECISION)
        assert (extended.due_on, extended.extended, extended.generation) == (until_date, True, 3)
        try:
            await journey.do(ExtendRecognitionClock, until=until_date + timedelta(days=30), reason="Again")
        except WorkflowUpdateFailedError as err:
            assert "only once" in str(err.cause)
        else:
            raise AssertionError("a second extension was accepted")


def clock(view: Any, name: ClockName, open_: bool = True) -> Any:
    return next(d for d in reversed(view.state.deadlines) if d.clock is name and (d.open or not open_))


async def test_the_ba_consent_fiction_stops_on_a_question_and_is_deemed_only_after_the_last_day(
    stack: Stack, tmp_path: Path
) -> None:
    day_seconds = 0.5
    fiction = {"ba_consent_fiction": {"period": {"days": 2}, "by_procedure": {}}}
    async with scaled_worker(stack, tmp_path, day_seconds=day_seconds, clocks=fiction) as queue:
        case = new_case(positions=1, route=ResidenceRoute.SECTION_16A, qualification_level="trainee")
        handle = await start_case(stack.client, queue, case)
        (journey,) = await open_journeys(stack.client, handle, [("ANAPEC-77", "MA")])
        view = await journey.contract()
        # §16a: no recognition; BA consent and visa are open side by side (path b: visa first).
        assert view.state.open_milestones == ["ba_consent", "visa"]
        await journey.visa_appointment(on=TODAY)
        await journey.visa_application(on=TODAY)
        view = await journey.do(RequestBaConsent, path="embassy", requested_on=TODAY)
        assert clock(view, ClockName.BA_CONSENT_FICTION).status is DeadlineStatus.RUNNING
        view = await journey.do(BaInformationRequested, asked_on=TODAY)
        assert clock(view, ClockName.BA_CONSENT_FICTION, open_=False).status is DeadlineStatus.INTERRUPTED
        # Well past the first period: no consent is invented while the BA waits for answers.
        await asyncio.sleep(6 * day_seconds * 2)
        view = await journey.view()
        assert view.state.stage is JourneyStage.BA_CONSENT
        assert "ba_consent_deemed" not in [e.action for e in view.state.history]

        view = await journey.do(BaAnswersSent, received_on=TODAY)
        restarted = clock(view, ClockName.BA_CONSENT_FICTION)
        answered_at = view.state.history[-1].occurred_at

        async def deemed() -> Any:
            view = await journey.view()
            return view if "ba_consent" not in view.state.open_milestones else None

        view = await until(deemed)
        event = next(e for e in view.state.history if e.action == "ba_consent_deemed")
        assert event.advisor == "system"
        assert f"no answer by the end of {restarted.due_on}" in event.summary and "§36(2) BeschV" in event.summary
        # Not during the last day: only once it has run out (scaled: due date + 1 day, 00:00).
        last_day_over = (restarted.due_on - TODAY).days + 1
        assert event.occurred_at - answered_at >= timedelta(seconds=(last_day_over - 1) * day_seconds)
        assert view.state.ba_requests[-1].decision == "deemed_granted"
        # Dated on the day the fiction took effect, the day after the last (process version 4).
        assert view.state.ba_decided_on == restarted.due_on + timedelta(days=1)
        assert f"deemed given on {restarted.due_on + timedelta(days=1)}" in event.summary
        assert clock(view, ClockName.BA_CONSENT_FICTION, open_=False).status is DeadlineStatus.MET

        def told() -> Any:
            return [m for m in stack.smtp.for_case(case.case_id) if "deemed given on" in m["Subject"]]

        (mail,) = await until(told)
        assert mail["To"] == f"{ADVISOR}@{stack.settings.staff_email_domain}"


async def test_an_expired_vorabzustimmung_sends_the_journey_back_by_itself(stack: Stack, tmp_path: Path) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=0.5) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1, procedure=Procedure.ACCELERATED_81A))
        (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await journey.to_vorabzustimmung()
        view = await journey.vorabzustimmung(valid_days=3)  # runs out after about 2 s
        assert view.state.stage is JourneyStage.VISA

        async def sent_back() -> Any:
            view = await journey.view()
            return view if view.state.stage is JourneyStage.VORABZUSTIMMUNG else None

        view = await until(sent_back)
        event = next(e for e in view.state.history if e.action == "vorabzustimmung_expired")
        assert event.advisor == "system"
        assert f"its validity ended on {TODAY + timedelta(days=3)}" in event.summary
        validity = next(d for d in view.state.deadlines if d.clock is ClockName.VORABZUSTIMMUNG_VALIDITY)
        assert validity.status is DeadlineStatus.LAPSED


async def test_a_clock_missing_from_the_cases_policy_is_not_run(stack: Stack) -> None:
    """A case keeps the policy it started with: a clock a later release adds is not run for it."""
    policy = load_policy(DEFAULT_POLICY_FILE)
    older = policy.model_copy(
        update={"clocks": {k: v for k, v in policy.clocks.items() if k is not ClockName.INTEGRATION_COURSE}}
    )
    stored = DeadlinePolicy.model_validate_json(older.model_dump_json())  # as the history holds it
    case_id = new_case_id()
    journey_input = JourneyInput(
        case_id=case_id, number=1, candidate=SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"),
        # §18a: a route with the course (§44(1) S.1 Nr.1a AufenthG; not §16a since process version 3)
        advisor=ADVISOR, employer_name="X GmbH", occupation="cook", route=ResidenceRoute.SECTION_18A,
        procedure=Procedure.REGULAR, policy=stored, code_version=CODE_VERSION,
    )  # fmt: skip
    handle = await stack.client.start_workflow(
        JourneyWorkflow.run, journey_input, id=journey_workflow_id(case_id, 1), task_queue=stack.settings.task_queue
    )
    journey = Journey(handle)
    view = await journey.to_probation()
    assert "integration_course" in view.state.open_milestones  # the milestone is there, its clock is not
    assert ClockName.INTEGRATION_COURSE not in {d.clock for d in view.state.deadlines}
    assert ClockName.PROBATION in {d.clock for d in view.state.deadlines}
    await journey.probation_passed()
    assert (await handle.result()).outcome == "placed"


def fail_loop_once(monkeypatch: Any, clock: ClockName, error: Exception) -> None:
    """Make the deadline loop raise ``error`` once, the first time ``clock`` is among its clocks
    (workflows.deadlines is passed through the sandbox, so the worker sees the patch). Once per
    clocks object, so that a replay (a query of the finished journey) fails at the same place."""
    from workflows import deadlines as deadline_module

    original = deadline_module.DeadlineClocks._fire_due_rungs

    def fail_once(self: Any) -> None:
        if not getattr(self, "_failed_once", False) and any(d.clock is clock for d in self._deadlines):
            self._failed_once = True
            raise error
        original(self)

    monkeypatch.setattr(deadline_module.DeadlineClocks, "_fire_due_rungs", fail_once)


async def test_an_error_in_the_deadline_loop_is_an_incident_not_a_silent_stop(
    stack: Stack, tmp_path: Path, monkeypatch: Any
) -> None:
    fail_loop_once(monkeypatch, ClockName.PROBATION, OverflowError("date value out of range (injected)"))
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.to_probation()  # the probation clock starts: the loop fails once

    async def incident() -> Any:
        view = await journey.view()
        return view if any(e.action == "clock_incident" for e in view.state.history) else None

    view = await until(incident)
    event = next(e for e in view.state.history if e.action == "clock_incident")
    assert "OverflowError" in event.summary and event.advisor == "system"
    described = await journey.handle.describe()
    assert described.typed_search_attributes.get(sa.INCIDENT) is True

    def told() -> Any:
        mails = [m for m in stack.smtp.for_case(view.state.case_id) if "Incident: the deadline clocks" in m["Subject"]]
        return mails or None

    (mail,) = await until(told)
    assert mail["To"] == stack.settings.operations_email
    # The clocks run on: the next step meets the probation clock as usual.
    await journey.probation_passed()
    probation = next(d for d in (await journey.view()).state.deadlines if d.clock is ClockName.PROBATION)
    assert probation.status is DeadlineStatus.MET


async def test_an_error_in_the_cases_deadline_loop_is_an_incident_too(stack: Stack, monkeypatch: Any) -> None:
    fail_loop_once(monkeypatch, ClockName.CONSULTATION_FOLLOW_UP, ValueError("injected"))
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))

    async def incident() -> Any:
        state = await case_state(handle)
        return state if any(e.action == "clock_incident" for e in state.history) else None

    state = await until(incident)
    event = next(e for e in state.history if e.action == "clock_incident")
    assert "ValueError: injected" in event.summary and event.advisor == "system"
    assert (await handle.describe()).typed_search_attributes.get(sa.INCIDENT) is True
