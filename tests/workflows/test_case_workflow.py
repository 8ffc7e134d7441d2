"""The case and its candidate journeys end to end, against the real dev server,
database and SMTP server."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.service import RPCError

from core.config import Settings
from models import clock
from models.case import (
    AddCaseNote,
    CaseState,
    CompleteConsultation,
    Outcome,
    SelectCandidates,
    SelectedCandidate,
    Stage,
    Withdraw,
)
from models.journey import JourneyStage, RecordContract
from records.schema import case_events, cases, journey_events, journeys
from starter.inputs import rejection_reason
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, case_update, day, new_case, open_journeys, select_candidates, start_case
from workflows.case import CaseWorkflow


def _rows(stack: Stack, table, **where) -> list[dict]:  # type: ignore[no-untyped-def]
    query = select(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with stack.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


async def test_two_candidates_through_every_stage_to_a_placed_case(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    case_id = (await handle.query(CaseWorkflow.status)).case_id
    tunisia, morocco = await open_journeys(stack.client, handle)
    assert (await handle.query(CaseWorkflow.status)).stage is Stage.JOURNEYS

    view = await tunisia.contract()
    # Recognition ran beside the contract from the start; it is what is left open now.
    assert view.state.stage is JourneyStage.RECOGNITION
    assert view.state.open_milestones == ["recognition"]
    assert "apply-for-recognition" in view.next_steps
    await tunisia.recognition()
    await tunisia.ba_consent()
    await tunisia.visa_appointment()
    view = await tunisia.visa_application()
    assert view.state.visa_applications == 1
    await tunisia.visa()
    view = await tunisia.arrival()
    # After arrival three tracks run side by side.
    assert view.state.open_milestones == ["anmeldung", "residence_permit", "job_start"]
    view = await tunisia.settle_in()
    assert view.state.stage is JourneyStage.PROBATION
    view = await tunisia.probation_passed()
    assert (view.state.stage, view.state.outcome) == (JourneyStage.FINISHED, "placed")

    # The case waits for the second journey.
    assert (await handle.query(CaseWorkflow.status)).stage is Stage.JOURNEYS
    await morocco.to_probation()
    await morocco.probation_passed()

    result: CaseState = await handle.result()
    assert (result.stage, result.outcome) == (Stage.CLOSED, Outcome.PLACED)
    assert result.outcome_reason == "2 of 2 position(s) filled"
    assert [j.outcome for j in result.journeys] == ["placed", "placed"]
    assert [e.action for e in result.history if not e.action.startswith("deadline_")] == [
        "case_opened",
        "consultation_completed",
        "candidates_selected",
        "journey_finished",
        "journey_finished",
        "case_closed",
    ]

    # The records database: the case, both journeys, every event once.
    (case_row,) = _rows(stack, cases, case_id=case_id)
    assert (case_row["stage"], case_row["outcome"], case_row["origin_countries"]) == (
        "closed",
        "placed",
        "MA,TN",
    )
    journey_rows = sorted(_rows(stack, journeys, case_id=case_id), key=lambda r: r["number"])
    assert [(r["origin_country"], r["stage"], r["outcome"]) for r in journey_rows] == [
        ("TN", "finished", "placed"),
        ("MA", "finished", "placed"),
    ]
    tn_events = sorted(_rows(stack, journey_events, journey_id=journey_rows[0]["journey_id"]), key=lambda r: r["seq"])
    tn_actions = [
        e["action"]
        for e in tn_events
        if e["action"] != "documents_recorded" and not e["action"].startswith("deadline_")
    ]
    assert tn_actions == [
        "journey_started",
        "contract_signed",
        "recognition_applied",
        "recognition_receipt_confirmed",
        "recognition_full",
        "ba_consent_requested",
        "ba_consent_granted",
        "visa_appointment_booked",
        "visa_applied",
        "visa_issued",
        "arrived",
        "job_started",
        "moved_in",
        "anmeldung_recorded",
        "permit_applied",
        "permit_granted",
        "probation_passed",
        "integration_course_recorded",
    ]
    assert [e["seq"] for e in tn_events] == list(range(1, len(tn_events) + 1))
    case_event_rows = _rows(stack, case_events, case_id=case_id)
    assert len(case_event_rows) == len(result.history)

    # Emails: one per case event and per journey event: steps to the advisor; facts recorded
    # late (arrival long ago, Anmeldung overdue) also escalated up the ladder.
    all_events = case_event_rows + _rows(stack, journey_events, case_id=case_id)
    mails = await eventually(lambda: (m := stack.smtp.for_case(case_id)) and len(m) >= len(all_events) and m)
    assert len(mails) == len(all_events)
    advisor = f"{ADVISOR}@{stack.settings.staff_email_domain}"
    steps = [e for e in all_events if not e["action"].startswith("deadline_")]
    assert len([m for m in mails if m["To"] == advisor]) >= len(steps)
    assert {m["To"] for m in mails} <= {advisor, stack.settings.team_lead_email, stack.settings.operations_email}
    assert any("Visa issued" in m["Subject"] and "THAMM-4711" in m["Subject"] for m in mails)


async def test_rejected_updates_change_nothing(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    # Once the case has read its deadline policy, only advisor actions change it.
    before = await eventually(lambda: _with_deadlines(handle))

    # Invalid data for the right stage: the wage fails the §39(2) check.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.complete_consultation,
            CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=False),
        )
    assert "wage_meets_local_standard" in str(err.value.cause)
    # Out of order: candidates before the consultation is done.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.select_candidates,
            SelectCandidates(
                advisor=ADVISOR, candidates=[SelectedCandidate(candidate_ref="R-100", origin_country="EG")]
            ),
        )
    assert "stage 'consultation'" in str(err.value.cause)
    assert await handle.query(CaseWorkflow.status) == before

    await handle.execute_update(
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    (journey,) = await select_candidates(stack.client, handle, [("ANETI-31", "TN")])
    # The same candidate twice: rejected (a replacement is another candidate).
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.select_candidates,
            SelectCandidates(
                advisor=ADVISOR, candidates=[SelectedCandidate(candidate_ref="ANETI-31", origin_country="TN")]
            ),
        )
    assert "already selected in this case: ANETI-31" in str(err.value.cause)

    # A journey step without its documents: the rejection names the missing ones.
    journey_before = await journey.view()
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.do(RecordContract, signed_on=day(1), starts_on=day(200))
    message = str(err.value.cause)
    assert "documents missing for contract: employment_contract, erklaerung_beschaeftigungsverhaeltnis" in message
    # A step of a later stage, and a date in the future.
    await journey.hand_in_documents(day(0))
    mid = await journey.view()
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.arrival()
    assert "stage 'contract'" in str(err.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.do(RecordContract, signed_on=day(999), starts_on=day(999))
    assert "signed_on" in str(err.value.cause) and "in the future" in str(err.value.cause)
    assert await journey.view() == mid
    assert len(mid.state.history) == len(journey_before.state.history) + 1  # only the documents

    # Rejected updates leave no trace in the workflow histories either.
    for h, accepted_count in ((handle, 2), (journey.handle, 1)):
        history = await h.fetch_history()
        accepted = [
            e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
        assert len(accepted) == accepted_count


async def _with_deadlines(handle) -> CaseState | None:  # type: ignore[no-untyped-def]
    state = await handle.query(CaseWorkflow.status)
    return state if state.deadlines else None


async def test_withdrawal_before_candidates_closes_the_case(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    await handle.execute_update(CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Called the employer back"))
    state = await case_update(
        handle, CaseWorkflow.withdraw, Withdraw(advisor="a.yilmaz", party="employer", reason_code="filled_otherwise")
    )
    assert state.stage is Stage.CLOSED
    result: CaseState = await handle.result()
    assert (result.outcome, result.outcome_reason) == (
        Outcome.WITHDRAWN_BY_EMPLOYER,
        "vacancy filled otherwise",
    )
    assert [(e.action, e.advisor, e.note) for e in result.history[1:] if e.advisor != "system"] == [
        ("note_added", ADVISOR, "Called the employer back"),
        ("case_withdrawn", "a.yilmaz", None),
    ]
    (row,) = _rows(stack, cases, case_id=result.case_id)
    assert (row["stage"], row["outcome"], row["outcome_reason"]) == (
        "closed",
        "withdrawn_by_employer",
        "vacancy filled otherwise",
    )
    notes = _rows(stack, case_events, case_id=result.case_id, action="note_added")
    assert [n["note"] for n in notes] == ["Called the employer back"]

    # A closed case takes no further actions: its workflow has completed.
    with pytest.raises(RPCError) as rpc_err:
        await handle.execute_update(
            CaseWorkflow.complete_consultation,
            CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
        )
    assert "already completed" in rpc_err.value.message


async def test_search_attributes_follow_case_and_journeys(stack: Stack) -> None:
    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    tunisia, _ = await open_journeys(stack.client, handle)
    await tunisia.contract()

    async def found(query: str) -> list:
        return [wf.id async for wf in stack.client.list_workflows(query)]

    case_query = f"WorkflowType = 'CaseWorkflow' AND CaseId = '{case.case_id}' AND CaseStage = 'journeys'"
    assert len(await eventually(lambda: found(case_query))) == 1
    journey_query = (
        f"WorkflowType = 'JourneyWorkflow' AND CaseId = '{case.case_id}' "
        "AND CaseStage = 'recognition' AND OriginCountries = 'TN'"
    )
    assert await eventually(lambda: found(journey_query)) == [tunisia.handle.id]


def test_settings_default_to_the_embedded_setup() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url.startswith("sqlite:///")
    assert s.temporal_address == "localhost:7233"


async def test_hostile_text_from_any_client_is_refused_by_the_workflows(stack: Stack) -> None:
    """Not only the starter: a raw client's payload meets the same models in the validators."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    case_before = await handle.query(CaseWorkflow.status)
    journey_before = await journey.view()
    hostile = {"advisor": ADVISOR, "note": "Anruf\x00 um 9"}
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.handle.execute_update("add_note", hostile, result_type=dict)
    assert "note" in str(err.value.cause) and "U+0000" in str(err.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("add_note", {"advisor": ADVISOR, "note": "rechts\u202enach links"})
    # The case's typed Updates are refused while decoding: the cause names model, field and reason.
    assert "AddCaseNote: note: contains a control or format character (U+202E)" in rejection_reason(err.value)
    # Personal data and the reserved handle: refused by the validators, naming the field.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("add_note", {"advisor": ADVISOR, "note": "Rückruf a.benali@example.com"})
    assert rejection_reason(err.value).startswith("note: looks like an e-mail address")
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.handle.execute_update(
            "record_documents",
            {"advisor": "system", "documents": [{"code": "employment_contract", "reference": "Pass C01X00T47",
                                                  "received_on": clock.today().isoformat()}]},
            result_type=dict,
        )  # fmt: skip
    assert rejection_reason(err.value).split("; ") == [
        "advisor: 'system' is reserved for the entries the workflows make themselves",
        "documents.0.reference: looks like a passport or ID number: keep names, contacts and identity numbers "
        "out of the case (keep them in the document store and reference the document by its code)",
    ]
    # A candidate reference in the case's programme's format (config/programmes.yaml).
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            "select_candidates",
            {"advisor": ADVISOR, "candidates": [{"candidate_ref": "BENALI-AHMED", "origin_country": "TN"}]},
        )
    assert rejection_reason(err.value).startswith("candidates.0.candidate_ref: 'BENALI-AHMED' is not a THAMM Plus")
    # Only the staff list's people act (the worker loaded config/staff.yaml).
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("add_note", {"advisor": "n.unknown", "note": "Hallo"})
    assert rejection_reason(err.value) == "advisor: 'n.unknown' is not on the staff list"
    # Reasons for ends are codes: a free-text reason (here health data) alone is refused.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await journey.handle.execute_update(
            "withdraw_candidate", {"advisor": ADVISOR, "reason": "Family illness"}, result_type=dict
        )
    assert rejection_reason(err.value).startswith("reason_code: required: say why with a code (other_offer,")
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("withdraw", {"advisor": ADVISOR, "party": "employer", "reason": "Krankheit"})
    assert rejection_reason(err.value).startswith("reason_code: required")
    assert await handle.query(CaseWorkflow.status) == case_before
    assert await journey.view() == journey_before


async def test_a_case_started_by_any_client_with_refused_input_fails_at_once_recording_nothing(
    stack: Stack,
) -> None:
    """A start has no validator: the case checks its input itself on the first run."""
    case = new_case(positions=1, occupation="Pflegefachkraft Frau Benali", advisor="n.unknown")
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    with pytest.raises(WorkflowFailureError) as err:
        await handle.result()
    message = str(err.value.cause)
    assert "advisor: 'n.unknown' is not on the staff list" in message
    assert "occupation: not an occupation code of the list; use one of: cnc_machinist, shk_installer" in message
    assert "Benali" not in message  # the refusal names field and reason, not the value
    history = await handle.fetch_history()
    commands = {e.event_type for e in history.events} - {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    }
    assert commands == set()  # no record, no email, no search attribute
    assert _rows(stack, cases, case_id=case.case_id) == []
