"""JourneyWorkflow: one selected candidate's way from contract to integration.

A child of the case's workflow, id ``case-<CASE_ID>-j<N>``. The process is the definition
in ``process/definition.py``; this class only applies it. Every advisor action arrives
as an Update named after its action (``record_contract``, ``request_ba_consent`` …),
handled by one dynamic handler: the validator runs the process engine on a copy of the
state, the handler on the real state, so a rejected action changes nothing. The clock
changes the engine returns are carried out without naming any action. The whole journey
(state, open milestones, documents, next steps) is answered by the ``status`` query; the
journey returns its outcome to the case.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from core.versions import CODE_VERSION, CURRENT_PROCESS_VERSION, LATE_FACTS, LEGAL_REVIEW, MOVE_AT_MILESTONES
    from models.berlin import local_instant
    from models.case import SYSTEM_HANDLE, ActionReply
    from models.clocks import Deadline, Rung
    from models.deadlines import DeadlinePolicy
    from models.journey import (
        CARRIED_NOTES,
        EndJourney,
        JourneyEvent,
        JourneyInput,
        JourneyResult,
        JourneyStage,
        JourneyState,
        JourneyView,
        OfferedWageChanged,
        carried,
    )
    from models.mail import EmailContent, Notification, RecipientRole
    from models.records import RECORD_JOURNEY_TRANSITION, JourneyRow, JourneyTransitionRecord
    from models.said import Said, say
    from models.summaries import journey_current_details
    from process import engine
    from process.conditions import process_version_at_milestone
    from process.definition import BY_UPDATE, STATUTORY_EFFECTS
    from process.refusal import Refusal
    from workflows.attributes import LEAN_UPSERTS, SearchAttributeSync
    from workflows.case_rules import CaseRuleViolation, check_door
    from workflows.deadlines import DeadlineClocks
    from workflows.outbox import LOCAL_RECORDS, MAIL_APART, MAIL_RELAY, Outbox
    from workflows.shared import CaseOrJourney

# workflow.patched ids. Journeys started before a patch keep the process they started with.
ROUTE_REQUIREMENTS = "route-requirements"  # #11: routes' own requirements, checklists fixed (process_version 2)
CONTINUE_AS_NEW = "continue-as-new"  # #12: a long journey goes on in a fresh run
PATCHES = (
    ROUTE_REQUIREMENTS,
    MAIL_APART,
    CONTINUE_AS_NEW,
    LEAN_UPSERTS,
    LOCAL_RECORDS,
    MOVE_AT_MILESTONES,
    LEGAL_REVIEW,
    LATE_FACTS,
    MAIL_RELAY,
)


@workflow.defn
class JourneyWorkflow(CaseOrJourney):
    @workflow.init
    def __init__(self, journey: JourneyInput) -> None:
        if journey.resume is not None:  # the same journey, continued as new
            self._state = journey.resume
        else:
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
                ba_consent_required=journey.ba_consent_required,
                regulated_profession=journey.regulated_profession,
                pension_proof_needed=journey.pension_proof_needed,
                offered_wage=journey.offered_wage,
                stage=JourneyStage.CONTRACT,
                started_at=workflow.now(),
            )
            if workflow.patched(ROUTE_REQUIREMENTS):
                self._state.process_version = 2
            if workflow.patched(LEGAL_REVIEW):  # retire: core/versions.py
                self._state.process_version = 3
            if workflow.patched(LATE_FACTS):  # retire: core/versions.py
                self._state.process_version = 4
        self._policy = journey.policy
        self._case_token = journey.case_token  # #25: None accepts unsigned signals (see JourneyInput)
        self._outbox = Outbox(
            RECORD_JOURNEY_TRANSITION,
            mail_apart=workflow.patched(MAIL_APART),
            local_records=workflow.patched(LOCAL_RECORDS),
            relay=workflow.patched(MAIL_RELAY),  # retire: core/versions.py
        )
        self._outbox.on_incident = self._report_incident
        self._may_continue_as_new = workflow.patched(CONTINUE_AS_NEW)
        self._attributes = SearchAttributeSync(
            lean=workflow.patched(LEAN_UPSERTS), current=self._search_attributes, details=self._set_current_details
        )
        self._clocks = DeadlineClocks(
            self._state.deadlines,
            journey.policy,
            route=lambda: self._state.route,
            procedure=journey.procedure,
            on_rung=self._on_rung,
            on_change=self._upsert_search_attributes,
            on_fault=self._on_clock_fault,
            on_past_rung=self._on_past_rung if journey.imported else None,
        )
        self._incident = journey.incident
        self._code_version = journey.code_version  # core/versions.py; None: started before version 10
        self._move_on = False  # on older code and a milestone done: continue as new on the current code
        self._ended_before_import = False  # an imported journey whose file row had ended it
        if journey.resume is not None:
            self._upsert_search_attributes()
            return
        imported = journey.imported
        start_day = imported.selected_on if imported else self._today()
        with self._attributes.step():
            changes = engine.start(self._state, start_day)
            self._clocks.apply(changes)
            self._record(
                _said_step(
                    "journey_started",
                    self._state.stage,
                    say(
                        "Journey {number} started for candidate {ref} ({country}): {open}",
                        number=journey.number,
                        ref=journey.candidate.candidate_ref,
                        country=journey.candidate.origin_country,
                        open=", ".join(m.value for m in self._state.open_milestones),
                    ),
                    happened_on=start_day if imported else None,
                ),
                advisor=journey.advisor,
            )
        if imported is not None:
            # Its history is the file's: recorded with the historic days, nothing emailed; the
            # clocks still open count from the last of them (past rungs: recorded, not sent).
            self._apply(imported)
            self._ended_before_import = self._state.stage is JourneyStage.FINISHED

    @workflow.run
    async def run(self, journey: JourneyInput) -> JourneyResult:
        asyncio.create_task(self._clocks.run())
        self._outbox.hand_over(journey.unsent_emails)
        finished = lambda: self._state.stage is JourneyStage.FINISHED  # noqa: E731
        await self._outbox.drain_until(
            finished, hand_over=lambda: not finished() and (self._move_on or self._history_long(journey))
        )
        if not finished():
            # Every handler has finished and every record is written: the journey goes on
            # in a fresh run of the same id, its clocks re-armed from the state, its
            # undelivered emails delivered there.
            resume = carried_state(self._state)
            if self._move_on:  # onto the current code and its process version (core/versions.py)
                resume.process_version = process_version_at_milestone(resume, CURRENT_PROCESS_VERSION)
            carried = {
                "resume": resume,
                "incident": self._incident,
                "unsent_emails": self._outbox.unsent(),
                "code_version": CODE_VERSION if self._move_on else self._code_version,
            }
            workflow.continue_as_new(
                journey.model_copy(update=carried),
                # Explicitly: the inherited ones fail to decode in the new run (a Datetime attribute).
                search_attributes=workflow.info().typed_search_attributes,
            )
        s = self._state
        assert s.outcome is not None
        return JourneyResult(
            number=s.number,
            candidate_ref=s.candidate.candidate_ref,
            origin_country=s.candidate.origin_country,
            outcome=s.outcome,
            reason=s.outcome_reason or "",
            finished_at=s.finished_at if self._ended_before_import else None,
        )

    def _history_long(self, journey: JourneyInput) -> bool:
        """Far from Temporal's limits (51,200 events, 50 MB): continue as new when the server
        suggests it (thousands of events; a placed journey has about 400) or at the input's threshold."""
        if not self._may_continue_as_new:
            return False
        info = workflow.info()
        limit = journey.continue_as_new_after_events
        return info.is_continue_as_new_suggested() or (limit is not None and info.get_current_history_length() >= limit)

    # --- applying actions ---------------------------------------------------------------

    def _apply(self, action: Any) -> int:
        """Apply one action (advisor's or the law's) to the real state: event, clocks."""
        done_before = len(self._state.done_milestones)
        with self._attributes.step():
            step = _applied(self._state, action, self._today(), self._policy)
            seq = self._record(step, advisor=action.advisor)
            self._clocks.apply(step.clocks)
        if len(self._state.done_milestones) > done_before:
            self._at_milestone()
        if step.clocks:
            # The row written with this event shows the clocks after it (next due date),
            # as the search attributes do: the records never lag the workflow.
            self._outbox.refresh_row(seq, JourneyRow.model_validate(self._state.summary_fields()))
        return seq

    def _at_milestone(self) -> None:
        """A milestone is done: a journey that follows older code moves onto the current code
        (and process version) here, in a fresh run, instead of keeping it for its lifetime."""
        if (
            not self._move_on  # once per run: two milestones done before the run hands over
            and self._code_version != CODE_VERSION
            and self._state.stage is not JourneyStage.FINISHED
            and workflow.patched(MOVE_AT_MILESTONES)
        ):
            self._move_on = True
            self._record(
                _said_step(
                    "moved_to_current_rules",
                    self._state.stage,
                    say(
                        "A milestone is done: the journey continues on the current rules (code version {code}, "
                        "process version {process})",
                        code=CODE_VERSION,
                        process=process_version_at_milestone(self._state, CURRENT_PROCESS_VERSION),
                    ),
                ),
                advisor=SYSTEM_HANDLE,
                recipient=None,
            )

    def _record(self, step: engine.Step, advisor: str, recipient: RecipientRole | None = RecipientRole.ADVISOR) -> int:
        """One audit event, its records and (unless ``recipient`` is None or the step records
        the past) its email."""
        s = self._state
        event = JourneyEvent(
            seq=len(s.history) + 1,
            occurred_at=local_instant(step.happened_on, time(0, 0)) if step.happened_on else workflow.now(),
            action=step.action,
            advisor=advisor,
            from_stage=s.history[-1].to_stage if s.history else None,
            to_stage=step.to_stage,
            summary=step.summary,
            note=step.note,
            says=step.says,
        )
        s.stage = step.to_stage
        s.history.append(event)
        if step.to_stage is JourneyStage.FINISHED:
            s.finished_at = event.occurred_at
        self._upsert_search_attributes()
        notification = None
        if recipient is not None and step.happened_on is None:
            notification = Notification(
                idempotency_key=f"{s.workflow_id}/{event.seq}/{recipient.value}",
                case_id=s.case_id,
                recipient_role=recipient,
                advisor=s.advisor,
                subject=f"[{s.case_id} / {s.candidate.candidate_ref}] {step.summary}"[:180],
                body="",  # written from the content where it is queued (#16)
                content=self._email_content(),
            )
        self._outbox.queue(
            JourneyTransitionRecord(
                event=event, row=JourneyRow.model_validate(s.summary_fields()), notification=notification
            ),
            notification,
        )
        workflow.logger.info(
            "journey transition",
            extra={"case_id": s.case_id, "journey": s.number, "action": step.action, "stage": s.stage.value},
        )
        return event.seq

    def _email_content(self) -> EmailContent:
        s = self._state
        return EmailContent(
            about=f"{s.employer_name}, {s.occupation}, {s.route.label}",
            journey=s.number,
            candidate=f"{s.candidate.candidate_ref} ({s.candidate.origin_country})",
            open_documents=[c.value for c in engine.open_documents(s)],
            outcome=s.outcome.value if s.outcome else None,
            outcome_reason=s.outcome_reason,
        )

    def _upsert_search_attributes(self) -> None:
        self._attributes.changed()

    def _search_attributes(self) -> list[SearchAttributeUpdate[Any]]:
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
            code_version=self._code_version,
        )
        return self._with_clocks_and_incident(updates, self._clocks)

    def _set_current_details(self) -> None:
        s = self._state
        workflow.set_current_details(journey_current_details(s, engine.open_documents(s), engine.next_steps(s)))

    def _system_entry(self, action: str, said: Said, recipient: RecipientRole | None) -> int:
        return self._record(_said_step(action, self._state.stage, said), advisor=SYSTEM_HANDLE, recipient=recipient)

    def _on_rung(self, deadline: Deadline, rung: Rung) -> None:
        """A rung of a clock's ladder is due: its notice, or the law's own effect."""
        effect = STATUTORY_EFFECTS.get(deadline.clock)
        if rung is Rung.DUE and effect is not None:
            action = effect(deadline.due_on)
            try:
                _applied(self._state.trial_copy(), action, self._today(), self._policy)
            except CaseRuleViolation as err:
                workflow.logger.info("statutory effect not applicable", extra={"why": err.message})
            except Exception:  # noqa: BLE001 - the deadline loop must go on; the notice follows
                workflow.logger.exception("statutory effect failed", extra={"case_id": self._state.case_id})
            else:
                self._apply(action)
                return
        self._rung_notice(deadline, rung)

    # --- query, signal and the advisor actions ------------------------------------------------

    @workflow.query
    def status(self) -> JourneyView:
        s = self._state
        return JourneyView(
            state=s,
            open_documents=engine.open_documents(s),
            next_steps=engine.next_steps(s),
            milestones=engine.open_milestones(s),
        )

    @workflow.signal
    def end_journey(self, action: EndJourney) -> None:
        """From the case: the vacancy is withdrawn or the Welcome Center ends the case."""
        if not self._from_case(action.case_token, "end_journey"):
            return
        try:
            _applied(self._state.trial_copy(), action, self._today(), self._policy)
        except CaseRuleViolation as err:
            # Already finished by its own last step: nothing left to end.
            workflow.logger.info("end_journey ignored", extra={"case_id": self._state.case_id, "why": err.message})
            return
        self._apply(action)

    @workflow.signal
    def offered_wage_changed(self, action: OfferedWageChanged) -> None:
        """From the case: the employer changed the offer; the 45+ proof may change with it."""
        if not self._from_case(action.case_token, "offered_wage_changed"):
            return
        try:
            _applied(self._state.trial_copy(), action, self._today(), self._policy)
        except CaseRuleViolation as err:  # finished meanwhile: the case's history has the change
            workflow.logger.info(
                "offered_wage_changed ignored", extra={"case_id": self._state.case_id, "why": err.message}
            )
            return
        self._apply(action)

    def _from_case(self, token: str | None, signal: str) -> bool:
        """A signal only the case may send: without the case's token it changes nothing (#25)."""
        if self._case_token is None or token == self._case_token:
            return True
        workflow.logger.warning(f"{signal} refused: not from its case", extra={"case_id": self._state.case_id})
        return False

    def _action(self, name: str, args: Sequence[RawValue]) -> Any:
        spec = BY_UPDATE.get(name)
        if spec is None or spec.system:
            raise CaseRuleViolation(f"{name}: not an advisor action of a journey")
        if len(args) != 1:
            raise CaseRuleViolation(f"{name}: expects one input ({spec.model.__name__})")
        try:
            return workflow.payload_converter().from_payload(args[0].payload, spec.model)
        except Exception as err:  # noqa: BLE001 - bad input is the client's, never the journey's, fault
            raise CaseRuleViolation(f"{name}: {err}") from None  # names model, field and reason

    @workflow.update(dynamic=True)
    async def act(self, name: str, args: Sequence[RawValue]) -> ActionReply:
        """Every advisor action: the Update's name is the action's (process/definition.py).
        Answers the step and what is open now (the whole journey is the status query)."""
        seq = self._apply(self._action(name, args))
        await self._outbox.until_recorded(seq)
        s = self._state
        event = s.history[seq - 1]
        return ActionReply(
            workflow_id=s.workflow_id,
            seq=seq,
            action=event.action,
            stage=s.stage.value,
            summary=event.summary,
            open_documents=engine.open_documents(s),
            next_steps=engine.next_steps(s),
            says=event.says,
        )

    @act.validator
    def _check(self, name: str, args: Sequence[RawValue]) -> None:
        action = self._action(name, args)
        check_door(action)
        _applied(self._state.trial_copy(), action, self._today(), self._policy)


def _applied(state: JourneyState, action: Any, today: date, policy: DeadlinePolicy) -> engine.Step:
    """The engine's step; its refusal becomes the workflow's, at this one door."""
    try:
        return engine.apply(state, action, today, policy)
    except Refusal as refusal:
        raise CaseRuleViolation(refusal.reason) from None


def carried_state(state: JourneyState) -> JourneyState:
    """The state a continued run starts from (models/journey.carried, CARRIED_NOTES notes)."""
    return carried(state, CARRIED_NOTES)


def _said_step(action: str, stage: JourneyStage, said: Said, happened_on: date | None = None) -> engine.Step:
    return engine.Step(action, stage, said.english(), happened_on=happened_on, says=said)
