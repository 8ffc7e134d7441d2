"""The case workflow end to end against the real dev server, database and SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from core.config import Settings
from models.case import (
    CaseState,
    CompleteConsultation,
    Outcome,
    RecordBaConsent,
    RecordVisaDecision,
    SelectCandidates,
    SelectedCandidate,
    Stage,
    Withdraw,
)
from records.schema import case_events, cases
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import (
    ADVISOR,
    TODAY,
    advance_to_visa,
    arrival,
    new_case,
    start_case,
    visa_issued,
)
from workflows.case import CaseWorkflow


def _events(stack: Stack, case_id: str) -> list[dict]:
    with stack.engine.connect() as conn:
        rows = conn.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        )
        return [dict(r._mapping) for r in rows]


def _case_row(stack: Stack, case_id: str) -> dict | None:
    with stack.engine.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.case_id == case_id)).first()
        return dict(row._mapping) if row else None


async def test_case_runs_through_every_stage_to_closed(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    case_id = (await handle.query(CaseWorkflow.status)).case_id

    await advance_to_visa(handle)
    assert (await handle.query(CaseWorkflow.status)).stage is Stage.VISA
    await visa_issued(handle)
    assert (await handle.query(CaseWorkflow.status)).stage is Stage.ARRIVAL
    await arrival(handle)

    result: CaseState = await handle.result()
    assert result.stage is Stage.CLOSED
    assert result.outcome is Outcome.PLACED
    assert result.arrived_on == TODAY - timedelta(days=1)
    actions = [e.action for e in result.history]
    assert actions == [
        "case_opened",
        "consultation_completed",
        "candidates_selected",
        "ba_consent_granted",
        "visa_issued",
        "arrival_recorded",
    ]
    assert [e.to_stage for e in result.history] == [
        Stage.CONSULTATION,
        Stage.CANDIDATE_SELECTION,
        Stage.BA_HANDOFF,
        Stage.VISA,
        Stage.ARRIVAL,
        Stage.CLOSED,
    ]

    # The records database has every transition once, by whom, and the closed case.
    events = _events(stack, case_id)
    assert [e["action"] for e in events] == actions
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert {e["advisor"] for e in events} == {ADVISOR}
    assert events[3]["from_stage"] == "ba_handoff" and events[3]["to_stage"] == "visa"
    row = _case_row(stack, case_id)
    assert row is not None
    assert row["stage"] == "closed"
    assert row["outcome"] == "placed"
    assert row["origin_countries"] == "MA,TN"
    assert row["last_event_seq"] == 6
    assert row["closed_at"] is not None

    # One email per transition reached the SMTP server, addressed to the advisor.
    mails = await eventually(lambda: (m := stack.smtp.for_case(case_id)) and len(m) >= 6 and m)
    assert len(mails) == 6
    assert {m["To"] for m in mails} == {f"{ADVISOR}@{stack.settings.staff_email_domain}"}
    assert any("Visa issued" in m["Subject"] for m in mails)
    assert "Outcome: placed" in mails[-1].get_payload()


async def test_rejected_updates_change_nothing(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    before = await handle.query(CaseWorkflow.status)

    # Out of order: a visa decision while the case is still in consultation.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.record_visa_decision,
            RecordVisaDecision(
                advisor=ADVISOR, decision="issued", decided_on=TODAY, valid_until=TODAY + timedelta(days=90)
            ),
        )
    assert "stage 'consultation'" in str(err.value.cause)

    # Invalid data for the right stage: the wage fails the §39(2) check.
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.complete_consultation,
            CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=False),
        )
    assert "wage_meets_local_standard" in str(err.value.cause)

    after = await handle.query(CaseWorkflow.status)
    assert after == before

    # Too many candidates for the positions, a decision dated in the future,
    # and a §81a-only path in a regular procedure: each rejected with its reason.
    await handle.execute_update(
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(
            CaseWorkflow.select_candidates,
            SelectCandidates(
                advisor=ADVISOR,
                candidates=[
                    SelectedCandidate(candidate_ref=f"THAMM-{i}00", origin_country="EG") for i in range(3)
                ],
            ),
        )
    assert "3 selected for 2 position(s)" in str(err.value.cause)
    await handle.execute_update(
        CaseWorkflow.select_candidates,
        SelectCandidates(
            advisor=ADVISOR, candidates=[SelectedCandidate(candidate_ref="THAMM-100", origin_country="EG")]
        ),
    )
    mid = await handle.query(CaseWorkflow.status)
    for bad, expected in [
        (
            RecordBaConsent(
                advisor=ADVISOR, decision="granted", path="embassy", decided_on=TODAY + timedelta(days=1)
            ),
            "decided_on",
        ),
        (
            RecordBaConsent(advisor=ADVISOR, decision="granted", path="abh_81a", decided_on=TODAY),
            "only possible in the §81a procedure",
        ),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as err:
            await handle.execute_update(CaseWorkflow.record_ba_consent, bad)
        assert expected in str(err.value.cause)
    assert await handle.query(CaseWorkflow.status) == mid

    # Rejected updates leave no trace in the workflow history either.
    history = await handle.fetch_history()
    accepted = [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert len(accepted) == 2
    assert [e["action"] for e in _events(stack, mid.case_id)] == [
        "case_opened",
        "consultation_completed",
        "candidates_selected",
    ]


async def test_ba_refusal_keeps_the_case_in_handoff_until_consent(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    await handle.execute_update(
        CaseWorkflow.complete_consultation,
        CompleteConsultation(advisor=ADVISOR, wage_meets_local_standard=True),
    )
    await handle.execute_update(
        CaseWorkflow.select_candidates,
        SelectCandidates(
            advisor=ADVISOR, candidates=[SelectedCandidate(candidate_ref="ANAPEC-77", origin_country="MA")]
        ),
    )
    state = await handle.execute_update(
        CaseWorkflow.record_ba_consent,
        RecordBaConsent(
            advisor=ADVISOR,
            decision="refused",
            path="vorabzustimmung",
            decided_on=TODAY - timedelta(days=3),
            refusal_grounds="Wage below the local standard (§39(2))",
        ),
    )
    assert state.stage is Stage.BA_HANDOFF
    state = await handle.execute_update(
        CaseWorkflow.record_ba_consent,
        RecordBaConsent(advisor=ADVISOR, decision="granted", path="vorabzustimmung", decided_on=TODAY),
    )
    assert state.stage is Stage.VISA
    assert [c.decision.value for c in state.ba_consents] == ["refused", "granted"]


async def test_withdrawal_closes_the_case_with_outcome_and_reason(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue)
    await advance_to_visa(handle)

    state = await handle.execute_update(
        CaseWorkflow.withdraw,
        Withdraw(advisor="a.yilmaz", party="employer", reason="Vacancy filled locally"),
    )
    assert state.stage is Stage.CLOSED
    result: CaseState = await handle.result()
    assert result.outcome is Outcome.WITHDRAWN_BY_EMPLOYER
    assert result.outcome_reason == "Vacancy filled locally"
    last = result.history[-1]
    assert (last.action, last.advisor, last.from_stage) == ("case_withdrawn", "a.yilmaz", Stage.VISA)

    row = _case_row(stack, result.case_id)
    assert row is not None
    assert (row["stage"], row["outcome"], row["outcome_reason"]) == (
        "closed",
        "withdrawn_by_employer",
        "Vacancy filled locally",
    )

    # A closed case takes no further actions: its workflow has completed.
    with pytest.raises(RPCError) as rpc_err:
        await visa_issued(handle)
    assert "already completed" in rpc_err.value.message


async def test_search_attributes_follow_the_stage(stack: Stack) -> None:
    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await advance_to_visa(handle)
    query = f"CaseId = '{case.case_id}' AND CaseStage = 'visa' AND OriginCountries = 'TN'"

    async def found() -> list:
        return [wf async for wf in stack.client.list_workflows(query)]

    assert len(await eventually(found)) == 1


def test_settings_default_to_the_embedded_setup() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url.startswith("sqlite:///")
    assert s.temporal_address == "localhost:7233"
