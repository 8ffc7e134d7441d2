"""A journey takes its end and a changed offer from its case only (#25 point 3): a client
that reaches Temporal and signals a journey directly, naming any actor, changes nothing;
the case's own withdrawal still ends it. Real server."""

from __future__ import annotations

import asyncio

import pytest

from models.case import Withdraw
from models.journey import EndJourney, JourneyOutcome, JourneyStage
from tests.conftest import Stack
from tests.workflows.case_flow import ADVISOR, case_update, new_case, open_journeys, start_case
from workflows.case import CaseWorkflow
from workflows.journey import JourneyWorkflow


@pytest.mark.parametrize("token", [None, "guessed"])
async def test_a_journey_takes_its_end_from_its_case_only(stack: Stack, token: str | None) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    before = await journey.view()
    forged = EndJourney(
        advisor="system", outcome=JourneyOutcome.ENDED_BY_WELCOME_CENTER, reason="forged", case_token=token
    )
    await journey.handle.signal(JourneyWorkflow.end_journey, forged)
    await asyncio.sleep(1.0)  # the signal is in the history; its handler has run
    after = await journey.view()
    assert after.state.stage is before.state.stage is not JourneyStage.FINISHED
    assert after.state.history == before.state.history

    # The case's own end carries its token: the journey ends, recorded as the advisor's.
    await case_update(
        handle, CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise")
    )
    await journey.handle.result()
    ended = await journey.view()
    assert ended.state.outcome is JourneyOutcome.VACANCY_WITHDRAWN and ended.state.history[-1].advisor == ADVISOR
