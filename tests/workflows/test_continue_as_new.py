"""A long journey continues as new (#12): same id, the whole journey carried over, its
clocks re-armed. (A case awaits its journeys as children: Temporal follows the chain.)"""

from __future__ import annotations

from temporalio.client import WorkflowExecutionStatus

from activities.deadlines import DeadlinePolicyActivities
from activities.notifications import message_id
from core.versions import CODE_VERSION
from models import clock
from models.case import SelectedCandidate
from models.clocks import DeadlineStatus
from models.journey import AddNote, JourneyEvent, JourneyInput, JourneyStage
from tests.conftest import Stack
from tests.records.test_record_activities import journey_record
from tests.support import SmtpRecorder, eventually
from tests.workflows.case_flow import ADVISOR, Journey
from tests.workflows.conftest import outbox_rows
from workflows import journey as journey_module
from workflows.journey import JourneyWorkflow, carried_state


async def test_a_long_journey_continues_as_new_with_everything_carried(stack: Stack) -> None:
    policy = DeadlinePolicyActivities(stack.settings).load()
    journey_input = JourneyInput(
        case_id="WC-CONTINUE01",
        number=1,
        candidate=SelectedCandidate(candidate_ref="THAMM-4711", origin_country="TN"),
        advisor=ADVISOR,
        employer_name="Gastro Nord GmbH",
        occupation="cook",
        route="18a",
        procedure="regular",
        policy=policy,
        continue_as_new_after_events=60,
        code_version=CODE_VERSION,  # as its case starts it
    )
    handle = await stack.client.start_workflow(
        JourneyWorkflow.run, journey_input, id="case-WC-CONTINUE01-j1", task_queue=stack.settings.task_queue
    )
    first_run = handle.result_run_id
    journey = Journey(stack.client.get_workflow_handle(handle.id))
    for n in range(12):  # about a dozen events per note: past the threshold
        await journey.do(AddNote, note=f"call {n}")
    await eventually(lambda: _continued(stack, handle.id, first_run))

    view = await journey.view()
    assert [e.seq for e in view.state.history] == list(range(1, 14))  # nothing lost, nothing twice
    assert [e.note for e in view.state.history[1:]] == [f"call {n}" for n in range(12)]
    contract_clock = next(d for d in view.state.deadlines if d.clock.value == "contract")
    assert contract_clock.status is DeadlineStatus.RUNNING
    # The continued run goes on: the contract meets the clock started by the first run.
    view = await journey.contract()
    assert [e.seq for e in view.state.history] == list(range(1, len(view.state.history) + 1))
    assert view.state.history[-1].action == "contract_signed" and view.state.stage is not JourneyStage.CONTRACT
    met = next(d for d in view.state.deadlines if d.clock.value == "contract")
    assert met.status is DeadlineStatus.MET


async def _continued(stack: Stack, workflow_id: str, first_run: str | None) -> bool:
    described = await stack.client.get_workflow_handle(workflow_id, run_id=first_run).describe()
    return described.status is WorkflowExecutionStatus.CONTINUED_AS_NEW


def test_only_the_newest_notes_are_carried_and_the_rest_point_to_the_records() -> None:
    state = journey_record(1, JourneyStage.CONTRACT).journey
    assert state is not None
    events = [
        JourneyEvent(
            seq=n, occurred_at=clock.now(), action="note_added", advisor=ADVISOR,
            from_stage="contract", to_stage="contract", summary="Note added", note=f"n{n}",
        )
        for n in range(1, journey_module.CARRIED_NOTES + 11)
    ]  # fmt: skip
    state.history = events
    carried = carried_state(state)
    assert [e.seq for e in carried.history if e.note_in_records] == list(range(1, 11))
    assert all(e.note for e in carried.history[10:]) and events[0].note == "n1"  # the original is untouched


async def test_emails_not_yet_delivered_go_on_in_the_continued_run(
    mail_stack: tuple[Stack, SmtpRecorder],
) -> None:
    stack, smtp = mail_stack
    smtp.refuse_next = 10_000  # the mail server is down while the journey continues as new
    policy = DeadlinePolicyActivities(stack.settings).load()
    journey_input = JourneyInput(
        case_id="WC-CONTINUE02", number=1, candidate=SelectedCandidate(candidate_ref="THAMM-4712", origin_country="TN"),
        advisor=ADVISOR, employer_name="Gastro Nord GmbH", occupation="cook", route="18a", procedure="regular",
        policy=policy, continue_as_new_after_events=40, code_version=CODE_VERSION,
    )  # fmt: skip
    handle = await stack.client.start_workflow(
        JourneyWorkflow.run, journey_input, id="case-WC-CONTINUE02-j1", task_queue=stack.settings.task_queue
    )
    journey = Journey(stack.client.get_workflow_handle(handle.id))
    for n in range(8):
        await journey.do(AddNote, note=f"call {n}")
    await eventually(lambda: _continued(stack, handle.id, handle.result_run_id))
    assert smtp.for_case("WC-CONTINUE02") == []

    smtp.refuse_next = 0
    rows = await eventually(
        lambda: (r := outbox_rows(stack, "WC-CONTINUE02")) and set(r.values()) == {"sent"} and r, timeout=60
    )
    assert len(rows) == 9  # the start and eight notes
    assert sorted(smtp.message_ids("WC-CONTINUE02")) == sorted(message_id(key) for key in rows)
