"""Named case stories for the replay and fingerprint tests.

Each scenario drives a case (and its journeys) to the end against the dev server and
returns the handles of every workflow it ran, in a fixed order. Recorded once as
histories (``WC_RECORD_HISTORIES=1``), they must replay against every later version
of the workflows; run fresh, their command fingerprints must match the recorded ones
unless a ``workflow.patched`` guard explains the difference.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

from models.case import CloseCase, Procedure
from models.journey import RecordVisaApplication, RequestBaConsent, WithdrawCandidate
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, TODAY, new_case, open_journeys, select_candidates, start_case
from tests.workflows.scaled import scaled_worker
from workflows.case import CaseWorkflow

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


SCENARIOS: dict[str, Scenario] = {
    "placed_18a": placed_18a,
    "accelerated_deemed_lapsed_replaced": accelerated_deemed_lapsed_replaced,
}
