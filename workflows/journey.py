"""JourneyWorkflow: one selected candidate's way from contract to probation.

A child of the case's workflow, id ``case-<CASE_ID>-j<N>``. Every advisor action is
an Update whose validator runs the journey's rules (``journey_rules.apply``) on a
copy of the state; the handler runs the same rules on the real state, so a rejected
action changes nothing. The whole journey (state, open documents, next steps) is
answered by the ``status`` query. The journey returns its outcome to the case.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from models.case import Procedure
    from models.clocks import ClockName, Deadline, DeadlineStatus, Rung
    from models.deadlines import period_end
    from models.journey import (
        AddNote,
        BookVisaAppointment,
        DelayArrival,
        EndJourney,
        ExtendRecognitionClock,
        FileVisaLawsuit,
        JourneyEvent,
        JourneyInput,
        JourneyResult,
        JourneyStage,
        JourneyState,
        JourneyView,
        NewVisaApplication,
        PauseRecognitionClock,
        ReapplyBaConsent,
        RecordAnmeldung,
        RecordArrival,
        RecordBaDecision,
        RecordContract,
        RecordDocuments,
        RecordEmployerReport,
        RecordEmploymentEnded,
        RecordJobStart,
        RecordPermitApplication,
        RecordPermitDecision,
        RecordProbationPassed,
        RecordRecognition,
        RecordVisaDecision,
        RecordVorabzustimmung,
        ResumeRecognitionClock,
        StartAcceleratedProcedure,
        VorabzustimmungExpired,
        WithdrawCandidate,
    )
    from models.records import (
        RECORD_JOURNEY_TRANSITION,
        JourneyTransitionRecord,
        Notification,
        RecipientRole,
    )
    from models.summaries import journey_current_details
    from workflows import journey_rules
    from workflows.case_rules import CaseRuleViolation
    from workflows.deadlines import DeadlineClocks
    from workflows.outbox import Outbox

C = ClockName
S = JourneyStage
# Clocks met when the journey leaves their stage.
STAGE_CLOCKS: dict[JourneyStage, list[ClockName]] = {
    S.CONTRACT: [C.CONTRACT],
    S.RECOGNITION: [C.RECOGNITION_DECISION],
    S.BA_CONSENT: [C.BA_CONSENT_FICTION],
    S.VISA_REFUSED: [C.VISA_LAWSUIT],
    S.ANMELDUNG: [C.ANMELDUNG],
    S.PROBATION: [C.PROBATION],
    S.EMPLOYER_REPORT_DUE: [C.EMPLOYER_REPORT],
}
RUNG_RECIPIENT = {
    Rung.REMINDER: RecipientRole.ADVISOR,
    Rung.DUE: RecipientRole.ADVISOR,
    Rung.TEAM_LEAD: RecipientRole.TEAM_LEAD,
    Rung.OPERATIONS: RecipientRole.OPERATIONS,
}


@workflow.defn
class JourneyWorkflow:
    @workflow.init
    def __init__(self, journey: JourneyInput) -> None:
        self._state = JourneyState(
            case_id=journey.case_id,
            number=journey.number,
            workflow_id=workflow.info().workflow_id,
            candidate=journey.candidate,
            advisor=journey.advisor,
            employer_name=journey.employer_name,
            occupation=journey.occupation,
            route=journey.route,
            original_route=journey.route,
            procedure=journey.procedure,
            stage=JourneyStage.CONTRACT,
            started_at=workflow.now(),
        )
        self._outbox = Outbox(RECORD_JOURNEY_TRANSITION)
        self._clocks: DeadlineClocks | None = None
        if journey.policy is not None:
            self._clocks = DeadlineClocks(
                self._state.deadlines,
                journey.policy,
                route=lambda: self._state.route,
                procedure=journey.procedure,
                on_rung=self._on_rung,
                on_change=self._upsert_search_attributes,
                statutory=frozenset({C.BA_CONSENT_FICTION, C.VORABZUSTIMMUNG_VALIDITY}),
            )
            self._clocks.start(C.CONTRACT, workflow.now().date())
        self._record(
            journey_rules.Step(
                "journey_started",
                JourneyStage.CONTRACT,
                f"Journey {journey.number} started for candidate {journey.candidate.candidate_ref} "
                f"({journey.candidate.origin_country}): contract next",
            ),
            advisor=journey.advisor,
        )

    @workflow.run
    async def run(self, journey: JourneyInput) -> JourneyResult:
        if self._clocks is not None:
            asyncio.create_task(self._clocks.run())
        await self._outbox.drain_until(lambda: self._state.stage is JourneyStage.FINISHED)
        s = self._state
        assert s.outcome is not None
        return JourneyResult(
            number=s.number,
            candidate_ref=s.candidate.candidate_ref,
            origin_country=s.candidate.origin_country,
            outcome=s.outcome,
            reason=s.outcome_reason or "",
        )

    # --- applying actions ---------------------------------------------------------------

    def _check(self, action: Any) -> None:
        journey_rules.apply(self._state.model_copy(deep=True), action, workflow.now().date())

    async def _act(self, action: Any) -> JourneyView:
        from_stage = self._state.stage
        step = journey_rules.apply(self._state, action, workflow.now().date())
        seq = self._record(step, advisor=action.advisor)
        self._sync_clocks(from_stage, step, action)
        await self._outbox.until_recorded(seq)
        return self.status()

    def _record(self, step: journey_rules.Step, advisor: str, recipient: RecipientRole = RecipientRole.ADVISOR) -> int:
        s = self._state
        event = JourneyEvent(
            seq=len(s.history) + 1,
            occurred_at=workflow.now(),
            action=step.action,
            advisor=advisor,
            from_stage=s.stage if s.history else None,
            to_stage=step.to_stage,
            summary=step.summary,
            note=step.note,
        )
        s.stage = step.to_stage
        s.history.append(event)
        if step.to_stage is JourneyStage.FINISHED:
            s.finished_at = event.occurred_at
        self._upsert_search_attributes()
        self._outbox.queue(
            JourneyTransitionRecord(journey=s.model_copy(deep=True), event=event),
            Notification(
                idempotency_key=f"{s.workflow_id}/{event.seq}/{recipient.value}",
                case_id=s.case_id,
                recipient_role=recipient,
                advisor=s.advisor,
                subject=f"[{s.case_id} / {s.candidate.candidate_ref}] {step.summary}"[:180],
                body=self._email_body(event),
            ),
        )
        workflow.logger.info(
            "journey transition",
            extra={"case_id": s.case_id, "journey": s.number, "action": step.action, "stage": s.stage.value},
        )
        return event.seq

    def _email_body(self, event: JourneyEvent) -> str:
        s = self._state
        lines = [
            f"Case {s.case_id}, journey {s.number}: candidate {s.candidate.candidate_ref} "
            f"({s.candidate.origin_country}), {s.employer_name}, {s.occupation}, {s.route.label}",
            f"Action: {event.action} by {event.advisor}",
            f"Stage: {event.from_stage or '-'} -> {event.to_stage}",
            f"What happened: {event.summary}",
        ]
        if event.note:
            lines.append(f"Note: {event.note}")
        if open_docs := journey_rules.open_documents(s):
            lines.append("Open documents: " + ", ".join(open_docs))
        if s.outcome:
            lines.append(f"Outcome: {s.outcome.value} ({s.outcome_reason})")
        return "\n".join(lines)

    def _upsert_search_attributes(self) -> None:
        s = self._state
        updates = sa.case_attributes(
            case_id=s.case_id,
            stage=s.stage.value,
            route=s.route.value,
            procedure=s.procedure.value,
            occupation=s.occupation,
            advisor=s.advisor,
            origin_countries=[s.candidate.origin_country],
            outcome=s.outcome.value if s.outcome else None,
        )
        if self._clocks is not None:
            updates += self._clocks.search_attributes()
        workflow.upsert_search_attributes(updates)
        workflow.set_current_details(
            journey_current_details(s, journey_rules.open_documents(s), journey_rules.next_steps(s))
        )

    # --- deadlines ----------------------------------------------------------------------------

    def _sync_clocks(self, from_stage: JourneyStage, step: journey_rules.Step, action: Any = None) -> None:
        """Start, meet, move and stop the clocks after one applied step."""
        clocks = self._clocks
        if clocks is None:
            return
        s, today, to = self._state, workflow.now().date(), step.to_stage
        if to is S.FINISHED:
            clocks.stop_all()
            return
        if from_stage is not to:
            for clock in STAGE_CLOCKS.get(from_stage, []):
                clocks.stop(clock)
        a = step.action
        if to is S.BA_CONSENT and from_stage is not S.BA_CONSENT:
            clocks.start(C.BA_CONSENT_FICTION, today)
        if to is S.RECOGNITION and clocks.get(C.RECOGNITION_DECISION) is None:
            # The period runs from complete documents (§81a: the ABH filed them already).
            if not journey_rules.open_documents(s):
                clocks.start(C.RECOGNITION_DECISION, today)
        if a == "recognition_clock_paused":
            clocks.pause(C.RECOGNITION_DECISION, today)
        elif a == "recognition_clock_resumed":
            clocks.resume(C.RECOGNITION_DECISION, today)
        elif a == "recognition_clock_extended":
            extended = clocks.move(C.RECOGNITION_DECISION, action.until)
            if extended is not None:
                extended.extended = True
        elif a == "vorabzustimmung_issued":
            assert s.vorabzustimmung_valid_until is not None
            clocks.start(C.VORABZUSTIMMUNG_VALIDITY, today, due_on=s.vorabzustimmung_valid_until)
            clocks.start(C.EMBASSY_APPOINTMENT_81A, today)
        elif a == "visa_appointment_booked":
            clocks.stop(C.EMBASSY_APPOINTMENT_81A)
            if s.procedure is Procedure.ACCELERATED_81A and s.visa_appointment_on is not None:
                spec = self._policy_period(C.VISA_DECISION_81A)
                due = period_end(s.visa_appointment_on, spec)
                # A new appointment date moves the running clock.
                if clocks.get(C.VISA_DECISION_81A) is None:
                    clocks.start(C.VISA_DECISION_81A, s.visa_appointment_on, due_on=due)
                else:
                    clocks.move(C.VISA_DECISION_81A, due)
        elif a in ("visa_issued", "visa_refused", "visa_lawsuit_lost"):
            for clock in (C.VISA_DECISION_81A, C.VORABZUSTIMMUNG_VALIDITY, C.EMBASSY_APPOINTMENT_81A):
                clocks.stop(clock)
        elif a == "vorabzustimmung_expired":
            clocks.stop(C.VORABZUSTIMMUNG_VALIDITY, DeadlineStatus.LAPSED)
            clocks.stop(C.EMBASSY_APPOINTMENT_81A, DeadlineStatus.CLOSED)
            clocks.stop(C.VISA_DECISION_81A, DeadlineStatus.CLOSED)
        if to is S.VISA_REFUSED and from_stage is not S.VISA_REFUSED and s.visa_refused_on:
            clocks.start(C.VISA_LAWSUIT, s.visa_refused_on)
        if a == "arrived" and s.arrived_on:
            clocks.start(C.ANMELDUNG, s.arrived_on)
            if s.visa_valid_until:
                clocks.start(C.RESIDENCE_PERMIT_APPLICATION, s.arrived_on, due_on=s.visa_valid_until)
        elif a == "permit_applied":
            clocks.stop(C.RESIDENCE_PERMIT_APPLICATION)
        elif a == "job_started" and s.job_started_on:
            clocks.start(C.PROBATION, s.job_started_on)
        elif a == "employment_ended" and s.employment_ended_on:
            clocks.start(C.EMPLOYER_REPORT, s.employment_ended_on)

    def _policy_period(self, clock: ClockName) -> Any:
        assert self._clocks is not None
        return self._clocks.policy.clocks[clock].period_for(self._state.route, self._state.procedure)

    def _on_rung(self, deadline: Deadline, rung: Rung) -> None:
        """A rung of a clock's ladder is due: its notice, or the law's own effect."""
        s = self._state
        from_stage = s.stage
        if rung is Rung.DUE and deadline.clock is C.BA_CONSENT_FICTION and s.stage is S.BA_CONSENT:
            step = journey_rules.deemed_ba_consent(s, deadline.due_on)
            self._record(step, advisor="system")
            self._sync_clocks(from_stage, step)
            return
        if rung is Rung.DUE and deadline.clock is C.VORABZUSTIMMUNG_VALIDITY and s.stage is S.VISA:
            expired = VorabzustimmungExpired(advisor="system", reason=f"its validity ended on {deadline.due_on}")
            step = journey_rules.apply(s, expired, workflow.now().date())
            self._record(step, advisor="system")
            self._sync_clocks(from_stage, step)
            return
        self._record(
            journey_rules.Step(f"deadline_{rung.name.lower()}", s.stage, rung_summary(deadline, rung)),
            advisor="system",
            recipient=RUNG_RECIPIENT[rung],
        )

    # --- query and signal -------------------------------------------------------------------

    @workflow.query
    def status(self) -> JourneyView:
        return JourneyView(
            state=self._state,
            open_documents=journey_rules.open_documents(self._state),
            next_steps=journey_rules.next_steps(self._state),
        )

    @workflow.signal
    def end_journey(self, action: EndJourney) -> None:
        """From the case: the vacancy is withdrawn or the Welcome Center ends the case."""
        from_stage = self._state.stage
        try:
            step = journey_rules.apply(self._state, action, workflow.now().date())
        except CaseRuleViolation as err:
            # Already finished by its own last step: nothing left to end.
            workflow.logger.info("end_journey ignored", extra={"case_id": self._state.case_id, "why": err.message})
            return
        self._record(step, advisor=action.advisor)
        self._sync_clocks(from_stage, step)

    # --- advisor actions (one Update each, validator next to the handler) ---------------------

    @workflow.update
    async def record_documents(self, action: RecordDocuments) -> JourneyView:
        return await self._act(action)

    @record_documents.validator
    def _check_record_documents(self, action: RecordDocuments) -> None:
        self._check(action)

    @workflow.update
    async def record_contract(self, action: RecordContract) -> JourneyView:
        return await self._act(action)

    @record_contract.validator
    def _check_record_contract(self, action: RecordContract) -> None:
        self._check(action)

    @workflow.update
    async def start_accelerated_procedure(self, action: StartAcceleratedProcedure) -> JourneyView:
        return await self._act(action)

    @start_accelerated_procedure.validator
    def _check_start_accelerated_procedure(self, action: StartAcceleratedProcedure) -> None:
        self._check(action)

    @workflow.update
    async def record_recognition(self, action: RecordRecognition) -> JourneyView:
        return await self._act(action)

    @record_recognition.validator
    def _check_record_recognition(self, action: RecordRecognition) -> None:
        self._check(action)

    @workflow.update
    async def pause_recognition_clock(self, action: PauseRecognitionClock) -> JourneyView:
        return await self._act(action)

    @pause_recognition_clock.validator
    def _check_pause_recognition_clock(self, action: PauseRecognitionClock) -> None:
        self._check(action)

    @workflow.update
    async def resume_recognition_clock(self, action: ResumeRecognitionClock) -> JourneyView:
        return await self._act(action)

    @resume_recognition_clock.validator
    def _check_resume_recognition_clock(self, action: ResumeRecognitionClock) -> None:
        self._check(action)

    @workflow.update
    async def extend_recognition_clock(self, action: ExtendRecognitionClock) -> JourneyView:
        return await self._act(action)

    @extend_recognition_clock.validator
    def _check_extend_recognition_clock(self, action: ExtendRecognitionClock) -> None:
        self._check(action)

    @workflow.update
    async def record_ba_decision(self, action: RecordBaDecision) -> JourneyView:
        return await self._act(action)

    @record_ba_decision.validator
    def _check_record_ba_decision(self, action: RecordBaDecision) -> None:
        self._check(action)

    @workflow.update
    async def reapply_ba_consent(self, action: ReapplyBaConsent) -> JourneyView:
        return await self._act(action)

    @reapply_ba_consent.validator
    def _check_reapply_ba_consent(self, action: ReapplyBaConsent) -> None:
        self._check(action)

    @workflow.update
    async def record_vorabzustimmung(self, action: RecordVorabzustimmung) -> JourneyView:
        return await self._act(action)

    @record_vorabzustimmung.validator
    def _check_record_vorabzustimmung(self, action: RecordVorabzustimmung) -> None:
        self._check(action)

    @workflow.update
    async def vorabzustimmung_expired(self, action: VorabzustimmungExpired) -> JourneyView:
        return await self._act(action)

    @vorabzustimmung_expired.validator
    def _check_vorabzustimmung_expired(self, action: VorabzustimmungExpired) -> None:
        self._check(action)

    @workflow.update
    async def book_visa_appointment(self, action: BookVisaAppointment) -> JourneyView:
        return await self._act(action)

    @book_visa_appointment.validator
    def _check_book_visa_appointment(self, action: BookVisaAppointment) -> None:
        self._check(action)

    @workflow.update
    async def record_visa_decision(self, action: RecordVisaDecision) -> JourneyView:
        return await self._act(action)

    @record_visa_decision.validator
    def _check_record_visa_decision(self, action: RecordVisaDecision) -> None:
        self._check(action)

    @workflow.update
    async def new_visa_application(self, action: NewVisaApplication) -> JourneyView:
        return await self._act(action)

    @new_visa_application.validator
    def _check_new_visa_application(self, action: NewVisaApplication) -> None:
        self._check(action)

    @workflow.update
    async def file_visa_lawsuit(self, action: FileVisaLawsuit) -> JourneyView:
        return await self._act(action)

    @file_visa_lawsuit.validator
    def _check_file_visa_lawsuit(self, action: FileVisaLawsuit) -> None:
        self._check(action)

    @workflow.update
    async def delay_arrival(self, action: DelayArrival) -> JourneyView:
        return await self._act(action)

    @delay_arrival.validator
    def _check_delay_arrival(self, action: DelayArrival) -> None:
        self._check(action)

    @workflow.update
    async def record_arrival(self, action: RecordArrival) -> JourneyView:
        return await self._act(action)

    @record_arrival.validator
    def _check_record_arrival(self, action: RecordArrival) -> None:
        self._check(action)

    @workflow.update
    async def record_anmeldung(self, action: RecordAnmeldung) -> JourneyView:
        return await self._act(action)

    @record_anmeldung.validator
    def _check_record_anmeldung(self, action: RecordAnmeldung) -> None:
        self._check(action)

    @workflow.update
    async def record_permit_application(self, action: RecordPermitApplication) -> JourneyView:
        return await self._act(action)

    @record_permit_application.validator
    def _check_record_permit_application(self, action: RecordPermitApplication) -> None:
        self._check(action)

    @workflow.update
    async def record_permit_decision(self, action: RecordPermitDecision) -> JourneyView:
        return await self._act(action)

    @record_permit_decision.validator
    def _check_record_permit_decision(self, action: RecordPermitDecision) -> None:
        self._check(action)

    @workflow.update
    async def record_job_start(self, action: RecordJobStart) -> JourneyView:
        return await self._act(action)

    @record_job_start.validator
    def _check_record_job_start(self, action: RecordJobStart) -> None:
        self._check(action)

    @workflow.update
    async def record_probation_passed(self, action: RecordProbationPassed) -> JourneyView:
        return await self._act(action)

    @record_probation_passed.validator
    def _check_record_probation_passed(self, action: RecordProbationPassed) -> None:
        self._check(action)

    @workflow.update
    async def record_employment_ended(self, action: RecordEmploymentEnded) -> JourneyView:
        return await self._act(action)

    @record_employment_ended.validator
    def _check_record_employment_ended(self, action: RecordEmploymentEnded) -> None:
        self._check(action)

    @workflow.update
    async def record_employer_report(self, action: RecordEmployerReport) -> JourneyView:
        return await self._act(action)

    @record_employer_report.validator
    def _check_record_employer_report(self, action: RecordEmployerReport) -> None:
        self._check(action)

    @workflow.update
    async def withdraw_candidate(self, action: WithdrawCandidate) -> JourneyView:
        return await self._act(action)

    @withdraw_candidate.validator
    def _check_withdraw_candidate(self, action: WithdrawCandidate) -> None:
        self._check(action)

    @workflow.update
    async def add_note(self, action: AddNote) -> JourneyView:
        return await self._act(action)

    @add_note.validator
    def _check_add_note(self, action: AddNote) -> None:
        self._check(action)


def rung_summary(deadline: Deadline, rung: Rung) -> str:
    what = f"{deadline.label} ({deadline.basis})"
    if rung is Rung.REMINDER:
        return f"Reminder: due on {deadline.due_on}: {what}"
    if rung is Rung.DUE:
        return f"Due today ({deadline.due_on}): {what}"
    who = "the team lead" if rung is Rung.TEAM_LEAD else "operations"
    return f"Overdue since {deadline.due_on}, escalated to {who}: {what}"
