"""An activity error that no retry can fix becomes a visible incident, never an endless
retry (#12): the records refuse an event for good (a data error)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.records import CaseRecordActivities
from core import search_attributes as sa
from core.i18n import Text
from core.operations_views import OPERATIONS_VIEWS
from models.case import AddCaseNote
from models.records import RECORD_CASE_TRANSITION, CaseTransitionRecord
from records.schema import case_events
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, case_update, start_case
from worker import build_worker
from workflows.case import CaseWorkflow

INCIDENT_VIEW = next(v for v in OPERATIONS_VIEWS if v.query.startswith("Incident"))
POISON = "refused by the database"


async def test_an_event_the_records_refuse_for_good_is_an_incident(stack: Stack) -> None:
    records = CaseRecordActivities(stack.engine, Text(stack.settings.language))  # as the worker builds it
    attempts: list[int] = []

    @activity.defn(name=RECORD_CASE_TRANSITION)
    def record_case_transition(record: CaseTransitionRecord) -> bool:
        # As PostgreSQL refuses a value it cannot store (the activity's own DataError).
        if record.event.note == POISON:
            attempts.append(activity.info().attempt)
            raise ApplicationError("the records database refused the values", type="DataError", non_retryable=True)
        return records.record_case_transition(record)

    settings = stack.settings.model_copy(update={"task_queue": stack.settings.task_queue + "-poison"})
    task_queue = settings.task_queue
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(
            stack.client, settings, stack.engine, executor, replacing={RECORD_CASE_TRANSITION: record_case_transition}
        ):
            handle = await start_case(stack.client, task_queue)
            state = await case_update(handle, CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note=POISON))
            case_id = state.case_id
            # The command returns; the next one works as ever.
            state = await case_update(handle, CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="fine"))

            incident = next(e for e in state.history if e.action == "record_incident")
            assert "refused event 2 (note_added)" in incident.summary and incident.advisor == "system"
            assert attempts == [1]  # not retried
            assert (await handle.describe()).typed_search_attributes.get(sa.INCIDENT) is True

            async def listed() -> bool:
                query = f"{INCIDENT_VIEW.query} AND CaseId = '{case_id}'"
                return handle.id in [wf.id async for wf in stack.client.list_workflows(query)]

            await eventually(listed)
            mails = await eventually(
                lambda: [m for m in stack.smtp.for_case(case_id) if "refused event 2" in m["Subject"]]
            )
            assert mails[0]["To"] == stack.settings.operations_email

            def recorded() -> list[int]:
                with stack.engine.connect() as conn:
                    return list(
                        conn.execute(select(case_events.c.seq).where(case_events.c.case_id == case_id)).scalars()
                    )

            # Everything but the refused event is in the records.
            await eventually(lambda: sorted(recorded()) == [1, 3, 4])
