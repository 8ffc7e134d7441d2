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

from temporalio.client import WorkflowHandle

from core import search_attributes as sa
from models.case import CaseState, CompleteConsultation, Procedure, ResidenceRoute
from models.clocks import ClockName, DeadlineStatus, Rung
from models.journey import ExtendRecognitionClock, JourneyStage, PauseRecognitionClock, ResumeRecognitionClock
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, TODAY, new_case, open_journeys, start_case
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


async def test_a_new_appointment_date_moves_the_running_timer(stack: Stack, tmp_path: Path) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=0.5) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1, procedure=Procedure.ACCELERATED_81A))
        (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await journey.to_vorabzustimmung()
        await journey.vorabzustimmung(valid_days=90)
        await journey.visa_appointment(on=TODAY + timedelta(days=30))
        view = await journey.view()
        first = next(d for d in view.state.deadlines if d.clock is ClockName.VISA_DECISION_81A)
        assert first.due_on >= TODAY + timedelta(days=51)  # 3 weeks after the appointment (§31a(2) AufenthV)

        # The embassy moves the appointment forward: the decision is due in a few days now,
        # and the moved timer fires its reminder.
        await journey.visa_appointment(on=TODAY - timedelta(days=17))

        async def reminded() -> Any:
            view = await journey.view()
            clock = next(d for d in view.state.deadlines if d.clock is ClockName.VISA_DECISION_81A)
            notices = [e for e in view.state.history if e.action == "deadline_reminder" and "Visa decided" in e.summary]
            return (clock, notices) if notices else None

        clock, notices = await until(reminded)
        assert clock.generation == 2
        assert clock.due_on < first.due_on
        assert str(clock.due_on) in notices[0].summary


async def test_the_recognition_clock_pauses_resumes_and_extends_once(stack: Stack, tmp_path: Path) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=86400) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1))
        (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await journey.contract()
        view = await journey.hand_in_documents(TODAY)

        def clock(view: Any) -> Any:
            return next(d for d in view.state.deadlines if d.clock is ClockName.RECOGNITION_DECISION)

        started = clock(view)
        assert started.status is DeadlineStatus.RUNNING
        assert started.due_on >= TODAY + timedelta(days=89)  # 3 months, §6 BQFG
        view = await journey.do(JourneyWorkflow.pause_recognition_clock, PauseRecognitionClock, reason="Doubts")
        assert clock(view).status is DeadlineStatus.PAUSED
        view = await journey.do(JourneyWorkflow.resume_recognition_clock, ResumeRecognitionClock)
        assert (clock(view).status, clock(view).due_on) == (DeadlineStatus.RUNNING, started.due_on)
        until_date = started.due_on + timedelta(days=30)
        view = await journey.do(
            JourneyWorkflow.extend_recognition_clock, ExtendRecognitionClock, until=until_date, reason="Expert opinion"
        )
        assert (clock(view).due_on, clock(view).extended, clock(view).generation) == (until_date, True, 3)
        try:
            await journey.do(
                JourneyWorkflow.extend_recognition_clock,
                ExtendRecognitionClock,
                until=until_date + timedelta(days=30),
                reason="Again",
            )
        except Exception as err:  # noqa: BLE001 - the update's failure carries the rule
            assert "only once" in str(getattr(err, "cause", err))
        else:
            raise AssertionError("a second extension was accepted")


async def test_ba_consent_is_deemed_given_when_the_period_runs_out(stack: Stack, tmp_path: Path) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=0.25) as queue:
        case = new_case(positions=1, route=ResidenceRoute.SECTION_16A, qualification_level="trainee")
        handle = await start_case(stack.client, queue, case)
        (journey,) = await open_journeys(stack.client, handle, [("ANAPEC-77", "MA")])
        view = await journey.contract()
        assert view.state.stage is JourneyStage.BA_CONSENT  # §16a: no recognition

        async def deemed() -> Any:
            view = await journey.view()
            return view if view.state.stage is JourneyStage.VISA else None

        view = await until(deemed)
        event = next(e for e in view.state.history if e.action == "ba_consent_deemed")
        assert event.advisor == "system"
        assert "§36(2) BeschV" in event.summary
        assert view.state.ba_decisions[-1]["decision"] == "deemed_granted"
        fiction = next(d for d in view.state.deadlines if d.clock is ClockName.BA_CONSENT_FICTION)
        assert fiction.status is DeadlineStatus.MET

        def told() -> Any:
            return [m for m in stack.smtp.for_case(case.case_id) if "deemed given on" in m["Subject"]]

        (mail,) = await until(told)
        assert mail["To"] == f"{ADVISOR}@{stack.settings.staff_email_domain}"


async def test_an_expired_vorabzustimmung_sends_the_journey_back_by_itself(stack: Stack, tmp_path: Path) -> None:
    async with scaled_worker(stack, tmp_path, day_seconds=0.5) as queue:
        handle = await start_case(stack.client, queue, new_case(positions=1, procedure=Procedure.ACCELERATED_81A))
        (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
        await journey.to_vorabzustimmung()
        view = await journey.vorabzustimmung(valid_days=3)  # runs out in about 1.5 s
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
