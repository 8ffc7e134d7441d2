"""A lawsuit and a new visa application side by side against the real dev server (#24,
§74(2) VwGO): the employer applies again and sues within the month; the court's loss leaves
the new application running, and the mission's visa settles the journey."""

from __future__ import annotations

from datetime import timedelta

from models.journey import FileVisaLawsuit, JourneyStage, Milestone, NewVisaApplication
from tests.conftest import Stack
from tests.starter.test_import import _run as run_starter
from tests.workflows.case_flow import ADVISOR, day, last_step, new_case, open_journeys, start_case

S, M = JourneyStage, Milestone


async def test_a_new_application_and_a_lawsuit_run_side_by_side(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.to_visa_stage()
    await journey.visa_appointment()
    await journey.visa_application()
    await journey.visa("refused", on=day(100))
    view = await journey.do(NewVisaApplication)
    assert "a lawsuit is still possible until" in last_step(view.state.history).summary
    lawsuit_clock = next(d for d in view.state.deadlines if d.clock == "visa_lawsuit")
    assert lawsuit_clock.open  # the month runs on beside the new application
    assert "file-visa-lawsuit" in view.next_steps

    view = await journey.do(FileVisaLawsuit, filed_on=day(115))
    assert view.state.open_milestones == [M.VISA, M.VISA_LAWSUIT]
    await journey.visa_appointment(on=day(116))
    await journey.visa_application(on=day(116))
    # The court's decision, as the advisor gives it on the command line.
    case_id = journey.handle.id.removeprefix("case-").rsplit("-j", 1)[0]
    code, _, told = await run_starter(
        stack, "record-visa-decision", case_id, "--advisor", ADVISOR, "--decision", "refused",
        "--decided-on", str(day(130)), "--notified-on", str(day(131)), "--by-court",
    )  # fmt: skip
    assert code == 0, told
    view = await journey.view()
    assert (view.state.stage, view.state.open_milestones) == (S.VISA, [M.VISA])
    assert "the new visa application goes on" in last_step(view.state.history).summary
    view = await journey.visa(on=day(140), valid_until=day(140) + timedelta(days=365))
    assert (view.state.stage, view.state.visa_issued_on) == (S.ARRIVAL, day(140))
