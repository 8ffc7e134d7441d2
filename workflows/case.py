"""CaseWorkflow: one durable workflow per Welcome Center case.

Stages: consultation -> candidate selection -> Agentur für Arbeit handoff -> visa
-> arrival -> closed. Advisors move the case with Updates; each has a validator, so
an action out of order or with bad data is rejected before anything is written.
The handler applies the change at once (state, audit entry, search attributes) and
returns when the records database has the event. Emails go out from the main loop,
in order, so a slow mail server never holds an advisor's command.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from models.case import (
        BaConsentRecord,
        CaseEvent,
        CaseState,
        CompleteConsultation,
        ConsentDecision,
        NewCase,
        Outcome,
        RecordArrival,
        RecordBaConsent,
        RecordVisaDecision,
        SelectCandidates,
        Stage,
        VisaDecision,
        VisaRecord,
        Withdraw,
    )
    from models.records import (
        RECORD_CASE_TRANSITION,
        SEND_NOTIFICATION,
        CaseTransitionRecord,
        Notification,
        RecipientRole,
    )
    from workflows import case_rules

# Status writes are small and must land: short timeouts, retried until the database is back.
RECORD_TIMEOUT = timedelta(seconds=15)
RECORD_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Mail may be down for a while; after a day of retries the case goes on without that email.
NOTIFY_TIMEOUT = timedelta(seconds=60)
NOTIFY_GIVE_UP_AFTER = timedelta(days=1)
NOTIFY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=10), non_retryable_error_types=["RecipientRefused"]
)


@dataclass
class _PendingEmail:
    notification: Notification
    event_seq: int = field(default=0)


@workflow.defn
class CaseWorkflow:
    @workflow.init
    def __init__(self, new_case: NewCase) -> None:
        self._state = CaseState(
            case_id=new_case.case_id,
            stage=Stage.CONSULTATION,
            advisor=new_case.advisor,
            employer=new_case.employer,
            occupation=new_case.occupation,
            positions=new_case.positions,
            route=new_case.route,
            procedure=new_case.procedure,
            origin_programme=new_case.origin_programme,
            opened_at=workflow.now(),
        )
        self._recorded_seq = 0
        self._records: deque[CaseTransitionRecord] = deque()
        self._emails: deque[Notification] = deque()
        # Opened here, not in run(): an update delivered with the start must find
        # the opening already in the audit trail.
        self._transition(
            action="case_opened",
            advisor=new_case.advisor,
            to_stage=Stage.CONSULTATION,
            summary=(
                f"Case opened for {new_case.employer.name}: {new_case.occupation}, "
                f"{new_case.route.label}, procedure {new_case.procedure.value}"
            ),
        )

    # --- main loop ------------------------------------------------------------------

    @workflow.run
    async def run(self, new_case: NewCase) -> CaseState:
        while True:
            await workflow.wait_condition(
                lambda: bool(self._records or self._emails) or self._state.stage is Stage.CLOSED
            )
            if self._records:
                record = self._records.popleft()
                await workflow.execute_activity(
                    RECORD_CASE_TRANSITION,
                    record,
                    start_to_close_timeout=RECORD_TIMEOUT,
                    retry_policy=RECORD_RETRY,
                    summary=f"record {record.event.action}",
                )
                self._recorded_seq = record.event.seq
            elif self._emails:
                await self._send(self._emails.popleft())
            elif workflow.all_handlers_finished():
                break
            else:
                await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    async def _send(self, notification: Notification) -> None:
        try:
            await workflow.execute_activity(
                SEND_NOTIFICATION,
                notification,
                start_to_close_timeout=NOTIFY_TIMEOUT,
                schedule_to_close_timeout=NOTIFY_GIVE_UP_AFTER,
                retry_policy=NOTIFY_RETRY,
                summary=f"email {notification.recipient_role.value}",
            )
        except ActivityError as err:
            # A lost email must not stop the case; the failure stays visible in the history.
            workflow.logger.warning(
                "notification failed for good",
                extra={
                    "case_id": self._state.case_id,
                    "key": notification.idempotency_key,
                    "cause": str(err.cause),
                },
            )

    def _transition(
        self,
        *,
        action: str,
        advisor: str,
        to_stage: Stage,
        summary: str,
        note: str | None = None,
    ) -> int:
        """Apply one event: state, audit entry, search attributes, queued side effects.

        Runs synchronously, so no other handler can interleave with a half-applied change.
        """
        from_stage = self._state.stage if self._state.history else None
        event = CaseEvent(
            seq=len(self._state.history) + 1,
            occurred_at=workflow.now(),
            action=action,
            advisor=advisor,
            from_stage=from_stage,
            to_stage=to_stage,
            summary=summary,
            note=note,
        )
        self._state.stage = to_stage
        self._state.history.append(event)
        if to_stage is Stage.CLOSED:
            self._state.closed_at = event.occurred_at
        self._upsert_search_attributes()
        self._records.append(CaseTransitionRecord(case=self._state.model_copy(deep=True), event=event))
        self._emails.append(
            Notification(
                idempotency_key=f"{self._state.case_id}/{event.seq}/advisor",
                case_id=self._state.case_id,
                recipient_role=RecipientRole.ADVISOR,
                advisor=self._state.advisor,
                subject=f"[{self._state.case_id}] {summary}"[:180],
                body=self._email_body(event),
            )
        )
        workflow.logger.info(
            "case transition",
            extra={"case_id": self._state.case_id, "action": action, "stage": to_stage.value},
        )
        return event.seq

    def _email_body(self, event: CaseEvent) -> str:
        s = self._state
        lines = [
            f"Case {s.case_id} ({s.employer.name}, {s.occupation}, {s.route.label})",
            f"Action: {event.action} by {event.advisor}",
            f"Stage: {event.from_stage or '-'} -> {event.to_stage}",
            f"What happened: {event.summary}",
        ]
        if event.note:
            lines.append(f"Note: {event.note}")
        if s.outcome:
            lines.append(f"Outcome: {s.outcome.value} ({s.outcome_reason})")
        return "\n".join(lines)

    def _upsert_search_attributes(self) -> None:
        s = self._state
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.CASE_ID.value_set(s.case_id),
            sa.CASE_STAGE.value_set(s.stage.value),
            sa.RESIDENCE_ROUTE.value_set(s.route.value),
            sa.PROCEDURE.value_set(s.procedure.value),
            sa.OCCUPATION.value_set(s.occupation),
            sa.ADVISOR.value_set(s.advisor),
        ]
        if s.origin_countries:
            updates.append(sa.ORIGIN_COUNTRIES.value_set(s.origin_countries))
        if s.outcome:
            updates.append(sa.CASE_OUTCOME.value_set(s.outcome.value))
        workflow.upsert_search_attributes(updates)

    async def _until_recorded(self, seq: int) -> None:
        # The advisor's command returns once the event is in the records database.
        await workflow.wait_condition(lambda: self._recorded_seq >= seq)

    def _today(self):  # noqa: ANN202 - a date, kept short for the validators
        return workflow.now().date()

    # --- query ----------------------------------------------------------------------

    @workflow.query
    def status(self) -> CaseState:
        return self._state

    # --- advisor actions --------------------------------------------------------------

    @workflow.update
    async def complete_consultation(self, action: CompleteConsultation) -> CaseState:
        case_rules.check_complete_consultation(self._state, action)
        seq = self._transition(
            action="consultation_completed",
            advisor=action.advisor,
            to_stage=Stage.CANDIDATE_SELECTION,
            summary="Consultation completed, wage checked against §39(2); candidate selection open",
            note=action.note,
        )
        await self._until_recorded(seq)
        return self._state

    @complete_consultation.validator
    def _validate_complete_consultation(self, action: CompleteConsultation) -> None:
        case_rules.check_complete_consultation(self._state, action)

    @workflow.update
    async def select_candidates(self, action: SelectCandidates) -> CaseState:
        case_rules.check_select_candidates(self._state, action)
        self._state.candidates = list(action.candidates)
        seq = self._transition(
            action="candidates_selected",
            advisor=action.advisor,
            to_stage=Stage.BA_HANDOFF,
            summary=(
                f"{len(action.candidates)} candidate(s) selected "
                f"({', '.join(self._state.origin_countries)}); handed to the Agentur für Arbeit"
            ),
            note=action.note,
        )
        await self._until_recorded(seq)
        return self._state

    @select_candidates.validator
    def _validate_select_candidates(self, action: SelectCandidates) -> None:
        case_rules.check_select_candidates(self._state, action)

    @workflow.update
    async def record_ba_consent(self, action: RecordBaConsent) -> CaseState:
        case_rules.check_record_ba_consent(self._state, action, self._today())
        self._state.ba_consents.append(
            BaConsentRecord(
                decision=action.decision,
                path=action.path,
                decided_on=action.decided_on,
                refusal_grounds=action.refusal_grounds,
            )
        )
        if action.decision is ConsentDecision.GRANTED:
            seq = self._transition(
                action="ba_consent_granted",
                advisor=action.advisor,
                to_stage=Stage.VISA,
                summary=f"BA consent granted on {action.decided_on} ({action.path.value})",
                note=action.note,
            )
        else:
            # A refusal names grounds; the employer fixes them and the case re-applies.
            seq = self._transition(
                action="ba_consent_refused",
                advisor=action.advisor,
                to_stage=Stage.BA_HANDOFF,
                summary=f"BA consent refused on {action.decided_on}: {action.refusal_grounds}",
                note=action.note,
            )
        await self._until_recorded(seq)
        return self._state

    @record_ba_consent.validator
    def _validate_record_ba_consent(self, action: RecordBaConsent) -> None:
        case_rules.check_record_ba_consent(self._state, action, self._today())

    @workflow.update
    async def record_visa_decision(self, action: RecordVisaDecision) -> CaseState:
        case_rules.check_record_visa_decision(self._state, action, self._today())
        self._state.visa_decisions.append(
            VisaRecord(
                decision=action.decision,
                decided_on=action.decided_on,
                valid_until=action.valid_until,
            )
        )
        if action.decision is VisaDecision.ISSUED:
            seq = self._transition(
                action="visa_issued",
                advisor=action.advisor,
                to_stage=Stage.ARRIVAL,
                summary=f"Visa issued on {action.decided_on}, valid until {action.valid_until}",
                note=action.note,
            )
        else:
            # No remonstration since 1 Jul 2025: a new application (or a lawsuit) follows.
            seq = self._transition(
                action="visa_refused",
                advisor=action.advisor,
                to_stage=Stage.VISA,
                summary=f"Visa refused on {action.decided_on}; new application or lawsuit",
                note=action.note,
            )
        await self._until_recorded(seq)
        return self._state

    @record_visa_decision.validator
    def _validate_record_visa_decision(self, action: RecordVisaDecision) -> None:
        case_rules.check_record_visa_decision(self._state, action, self._today())

    @workflow.update
    async def record_arrival(self, action: RecordArrival) -> CaseState:
        case_rules.check_record_arrival(self._state, action, self._today())
        self._state.arrived_on = action.arrived_on
        self._state.outcome = Outcome.PLACED
        self._state.outcome_reason = f"arrived on {action.arrived_on}"
        seq = self._transition(
            action="arrival_recorded",
            advisor=action.advisor,
            to_stage=Stage.CLOSED,
            summary=f"Arrived on {action.arrived_on}; case closed as placed",
            note=action.note,
        )
        await self._until_recorded(seq)
        return self._state

    @record_arrival.validator
    def _validate_record_arrival(self, action: RecordArrival) -> None:
        case_rules.check_record_arrival(self._state, action, self._today())

    @workflow.update
    async def withdraw(self, action: Withdraw) -> CaseState:
        case_rules.check_withdraw(self._state, action)
        from_stage = self._state.stage
        self._state.outcome = action.party.outcome
        self._state.outcome_reason = action.reason
        seq = self._transition(
            action="case_withdrawn",
            advisor=action.advisor,
            to_stage=Stage.CLOSED,
            summary=f"Withdrawn by the {action.party.value.replace('_', ' ')} in stage {from_stage}",
            note=action.note,
        )
        await self._until_recorded(seq)
        return self._state

    @withdraw.validator
    def _validate_withdraw(self, action: Withdraw) -> None:
        case_rules.check_withdraw(self._state, action)
