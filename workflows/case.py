"""CaseWorkflow: one durable workflow per Welcome Center case.

Stages: consultation -> candidate selection -> journeys -> closed. Selecting the
candidates starts one JourneyWorkflow (a child) per candidate, which carries that
person from contract to probation; the case closes when every journey has finished,
with an outcome that sums them up. Advisors move the case with Updates; each has a
validator, so an action out of order or with bad data is rejected before anything
is written. The handler applies the change at once (state, audit entry, search
attributes) and returns when the records database has the event.

Replacements: while journeys run, or once every journey has ended with fewer people
placed than positions, the advisor may select further candidates (the next THAMM Plus
profile); the positions limit placements, not selections. With nobody left to select,
``close_case`` closes the case with what was placed.
"""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ChildWorkflowError, FailureError
from temporalio.workflow import ChildWorkflowHandle

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from core.versions import CODE_VERSION
    from models.berlin import local_date, local_instant
    from models.case import (
        SYSTEM_HANDLE,
        ActionReply,
        AddCaseNote,
        CaseEvent,
        CaseState,
        ChangeOfferedWage,
        CloseCase,
        CompleteConsultation,
        ImportedCase,
        JourneySummary,
        NewCase,
        Outcome,
        SelectCandidates,
        SelectedCandidate,
        Stage,
        Withdraw,
        WithdrawingParty,
    )
    from models.clocks import ClockName
    from models.deadlines import DeadlinePolicy
    from models.journey import (
        EndJourney,
        ImportJourney,
        JourneyInput,
        JourneyOutcome,
        JourneyResult,
        OfferedWageChanged,
        journey_workflow_id,
    )
    from models.mail import EmailContent, Notification, RecipientRole
    from models.reasons import stated
    from models.records import LOAD_DEADLINE_POLICY, RECORD_CASE_TRANSITION, CaseRow, CaseTransitionRecord
    from models.said import Said, english, say
    from models.summaries import case_current_details, journey_static_details, journey_static_summary
    from workflows import case_rules
    from workflows.attributes import LEAN_UPSERTS, SearchAttributeSync
    from workflows.deadlines import DeadlineClocks
    from workflows.journey import JourneyWorkflow
    from workflows.outbox import LOCAL_RECORDS, MAIL_APART, MAIL_RELAY, Outbox
    from workflows.shared import CaseOrJourney

# workflow.patched ids: every behavioural change for running cases gets one
# (tests/workflows/test_replay.py replays the histories recorded before each).
WAGE_THRESHOLDS = "wage-thresholds"  # #11: the consultation waits for the policy's wage thresholds
# #25: the case gives its journeys a secret its signals carry (JourneyInput.case_token).
CASE_TOKENS = "case-tokens"  # retire: core/versions.py
PATCHES: tuple[str, ...] = (WAGE_THRESHOLDS, MAIL_APART, LEAN_UPSERTS, LOCAL_RECORDS, MAIL_RELAY, CASE_TOKENS)
# Clocks of the case itself, met when it leaves their stage.
CASE_STAGE_CLOCKS = {
    Stage.CONSULTATION: ClockName.CONSULTATION_FOLLOW_UP,
    Stage.CANDIDATE_SELECTION: ClockName.CANDIDATE_SELECTION,
}


@workflow.defn
class CaseWorkflow(CaseOrJourney):
    @workflow.init
    def __init__(self, new_case: NewCase) -> None:
        if not workflow.unsafe.is_replaying():
            # A start has no validator: the door checks the input on the first run (never on
            # replay, so a rule made stricter never breaks a running case). Refused, the case
            # fails before it records or emails anything.
            case_rules.check_door(new_case)
            if new_case.imported is not None:
                case_rules.check_import(new_case.imported, new_case.origin_programme, local_date(workflow.now()))
        self._imported = new_case.imported
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
            local_abh=new_case.local_abh,
            qualification_level=new_case.qualification_level,
            monthly_gross_wage_eur=new_case.monthly_gross_wage_eur,
            regulated_profession=new_case.regulated_profession,
            shortage_occupation_or_career_starter=new_case.shortage_occupation_or_career_starter,
            collective_agreement=new_case.collective_agreement,
            opened_at=local_instant(self._imported.advised_on, time(0, 0)) if self._imported else workflow.now(),
        )
        self._outbox = Outbox(
            RECORD_CASE_TRANSITION,
            mail_apart=workflow.patched(MAIL_APART),
            local_records=workflow.patched(LOCAL_RECORDS),
            relay=workflow.patched(MAIL_RELAY),  # retire: core/versions.py
        )
        self._attributes = SearchAttributeSync(
            lean=workflow.patched(LEAN_UPSERTS),
            current=self._search_attributes,
            details=lambda: workflow.set_current_details(case_current_details(self._state)),
        )
        self._outbox.on_incident = self._report_incident
        self._started: set[str] = set()  # journey workflows whose child has started
        # #25: the secret of this case's signals to its journeys. Decided here, with the other
        # guards: a patch first asked for later (inside an Update) is not found again on replay.
        self._case_token = str(workflow.uuid4()) if workflow.patched(CASE_TOKENS) else None
        self._incident = False  # the deadline clocks hit an error
        self._policy: DeadlinePolicy | None = None
        self._clocks: DeadlineClocks | None = None
        self._deadlines_ready = False
        # Opened here, not in run(): an update delivered with the start must find
        # the opening already in the audit trail.
        opened = say(
            "Case opened for {employer}: {occupation}, {route}, procedure {procedure}",
            employer=new_case.employer.name,
            occupation=new_case.occupation,
            route=new_case.route.label,
            procedure=new_case.procedure.value,
        )
        if self._imported is None:
            self._transition(
                action="case_opened", advisor=new_case.advisor, to_stage=Stage.CONSULTATION, summary=opened
            )
        else:
            i = self._imported
            rows = ", ".join(str(r) for r in i.rows)
            self._transition(
                action="case_opened",
                advisor=new_case.advisor,
                to_stage=Stage.CONSULTATION,
                summary=say(
                    "Imported by {advisor} on {day} from {file}, row(s) {rows} (case number {ref}): {opened}",
                    advisor=i.by or new_case.advisor,
                    day=local_date(workflow.now()),
                    file=i.file,
                    rows=rows,
                    ref=i.case_ref,
                    opened=opened,
                ),
                happened_on=i.advised_on,
            )

    @workflow.run
    async def run(self, new_case: NewCase) -> CaseState:
        self._policy = await workflow.execute_local_activity(
            LOAD_DEADLINE_POLICY,
            result_type=DeadlinePolicy,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            summary="load the deadline policy",
        )
        self._clocks = DeadlineClocks(
            self._state.deadlines,
            self._policy,
            route=lambda: self._state.route,
            procedure=self._state.procedure,
            on_rung=self._on_rung,
            on_change=self._upsert_search_attributes,
            on_fault=self._on_clock_fault,
            on_past_rung=self._on_past_rung if self._imported else None,
        )
        clock = CASE_STAGE_CLOCKS.get(self._state.stage)
        if clock is not None:
            self._clocks.start(clock, local_date(self._state.opened_at))
        asyncio.create_task(self._clocks.run())
        self._deadlines_ready = True
        if self._imported is not None and self._imported.journeys:
            await self._import_journeys(self._imported, self._imported.by or new_case.advisor)
        elif self._imported is not None and self._imported.ended_on is not None:
            self._import_end(self._imported, self._imported.by or new_case.advisor)
        await self._outbox.drain_until(lambda: self._state.stage is Stage.CLOSED)
        return self._state

    # --- transitions --------------------------------------------------------------------

    def _transition(
        self,
        *,
        action: str,
        advisor: str,
        to_stage: Stage,
        summary: str | Said,
        note: str | None = None,
        recipient: RecipientRole | None = RecipientRole.ADVISOR,
        happened_on: date | None = None,
    ) -> int:
        """Apply one event: state, audit entry, search attributes, queued side effects.

        Runs synchronously, so no other handler can interleave with a half-applied change.
        ``happened_on``: an event of an imported past (its day; no email); ``recipient`` None:
        recorded, not emailed.
        """
        from_stage = self._state.stage if self._state.history else None
        event = CaseEvent(
            seq=len(self._state.history) + 1,
            occurred_at=local_instant(happened_on, time(0, 0)) if happened_on else workflow.now(),
            action=action,
            advisor=advisor,
            from_stage=from_stage,
            to_stage=to_stage,
            summary=english(summary),
            note=note,
            says=summary if isinstance(summary, Said) else None,
        )
        self._state.stage = to_stage
        self._state.history.append(event)
        if to_stage is Stage.CLOSED:
            self._state.closed_at = event.occurred_at
        with self._attributes.step():
            if self._clocks is not None and from_stage is not to_stage:
                self._sync_clocks(from_stage, to_stage, happened_on or self._today())
            self._upsert_search_attributes()
        notification = None
        if recipient is not None and happened_on is None:
            notification = Notification(
                idempotency_key=f"{self._state.case_id}/{event.seq}/{recipient.value}",
                case_id=self._state.case_id,
                recipient_role=recipient,
                advisor=self._state.advisor,
                subject=f"[{self._state.case_id}] {event.summary}"[:180],
                body="",  # written from the content where it is queued (#16)
                content=self._email_content(),
            )
        self._outbox.queue(
            CaseTransitionRecord(
                event=event, row=CaseRow.model_validate(self._state.summary_fields()), notification=notification
            ),
            notification,
        )
        workflow.logger.info(
            "case transition",
            extra={"case_id": self._state.case_id, "action": action, "stage": to_stage.value},
        )
        return event.seq

    def _email_content(self) -> EmailContent:
        s = self._state
        return EmailContent(
            about=f"{s.employer.name}, {s.occupation}, {s.route.label}",
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
            origin_countries=s.origin_countries,
            outcome=s.outcome.value if s.outcome else None,
        )
        return self._with_clocks_and_incident(updates, self._clocks)

    def _sync_clocks(self, from_stage: Stage | None, to_stage: Stage, day: date) -> None:
        assert self._clocks is not None
        if to_stage is Stage.CLOSED:
            self._clocks.stop_all()
            return
        if from_stage in CASE_STAGE_CLOCKS:
            self._clocks.stop(CASE_STAGE_CLOCKS[from_stage])
        if to_stage in CASE_STAGE_CLOCKS:
            self._clocks.start(CASE_STAGE_CLOCKS[to_stage], day)

    def _system_entry(self, action: str, said: Said, recipient: RecipientRole | None) -> int:
        return self._transition(
            action=action, advisor=SYSTEM_HANDLE, to_stage=self._state.stage, summary=said, recipient=recipient
        )

    def _token(self) -> str | None:
        """The secret of this case's signals to its journeys (#25); None before the patch."""
        return self._case_token

    def _reply(self, seq: int) -> ActionReply:
        event = self._state.history[seq - 1]
        return ActionReply(
            workflow_id=workflow.info().workflow_id,
            seq=event.seq,
            action=event.action,
            stage=self._state.stage.value,
            summary=event.summary,
            says=event.says,
        )

    # --- query ----------------------------------------------------------------------------

    @workflow.query
    def status(self) -> CaseState:
        return self._state

    # --- advisor actions --------------------------------------------------------------------

    @workflow.update
    async def complete_consultation(self, action: CompleteConsultation) -> ActionReply:
        # A case this new may still be reading its policy (the wage thresholds): the handler
        # waits for it; rejecting then changes nothing either.
        # (The patch is asked every time, so that every new case records its marker alike.)
        if workflow.patched(WAGE_THRESHOLDS) and not self._deadlines_ready:
            await workflow.wait_condition(lambda: self._deadlines_ready)
        check = case_rules.check_complete_consultation(self._state, action, self._policy, self._today())
        self._state.ba_consent_required = check.ba_consent_required
        self._state.wage_check = english(check.finding) if check.finding else None
        self._state.wage_check_says = check.finding
        finding = say("; {finding}", finding=check.finding) if check.finding else None
        seq = self._transition(
            action="consultation_completed",
            advisor=action.advisor,
            to_stage=Stage.CANDIDATE_SELECTION,
            summary=say(
                "Consultation completed, wage checked against §39(2){finding}; candidate selection open",
                finding=finding,
            ),
            note=action.note,
        )
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    @complete_consultation.validator
    def _validate_complete_consultation(self, action: CompleteConsultation) -> None:
        case_rules.check_door(action)
        if self._policy is not None:  # else the handler checks, once the policy is read
            case_rules.check_complete_consultation(self._state, action, self._policy, self._today())
        else:
            case_rules.check_complete_consultation(self._state, action, None, self._today(), wage=False)

    @workflow.update
    async def select_candidates(self, action: SelectCandidates) -> ActionReply:
        case_rules.check_select_candidates(self._state, action)
        replacing = " as replacement(s)" if self._state.journeys else ""
        new = self._add_journeys(list(action.candidates))
        seq = self._transition(
            action="candidates_selected",
            advisor=action.advisor,
            to_stage=Stage.JOURNEYS,
            summary=say(
                "{n} candidate(s) selected{replacing} ({countries}); one journey each",
                n=len(action.candidates),
                replacing=say(" as replacement(s)") if replacing else None,
                countries=", ".join(sorted({c.origin_country for c in action.candidates})),
            ),
            note=action.note,
        )
        if not self._deadlines_ready:  # a case this new is still reading its deadline policy
            await workflow.wait_condition(lambda: self._deadlines_ready)
        await self._start_journeys(new, list(action.candidates))
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    def _add_journeys(self, candidates: list[SelectedCandidate]) -> list[JourneySummary]:
        self._state.candidates += candidates
        first = len(self._state.journeys) + 1
        new = [
            JourneySummary(
                number=number,
                workflow_id=journey_workflow_id(self._state.case_id, number),
                candidate_ref=candidate.candidate_ref,
                origin_country=candidate.origin_country,
            )
            for number, candidate in enumerate(candidates, start=first)
        ]
        self._state.journeys += new
        return new

    async def _start_journeys(
        self,
        new: list[JourneySummary],
        candidates: list[SelectedCandidate],
        imported: list[ImportJourney] | None = None,
    ) -> None:
        assert self._policy is not None
        for i, (journey, candidate) in enumerate(zip(new, candidates, strict=True)):
            journey_input = JourneyInput(
                code_version=CODE_VERSION,
                case_id=self._state.case_id,
                number=journey.number,
                candidate=candidate,
                advisor=self._state.advisor,
                employer_name=self._state.employer.name,
                occupation=self._state.occupation,
                route=self._state.route,
                procedure=self._state.procedure,
                policy=self._policy,
                ba_consent_required=self._state.ba_consent_required,
                regulated_profession=self._state.regulated_profession,
                pension_proof_needed=case_rules.pension_proof_needed(
                    self._state, candidate, self._policy, self._today()
                ),
                offered_wage=case_rules.wage_offer(self._state),
                imported=imported[i] if imported else None,
                case_token=self._token(),
            )
            handle = await workflow.start_child_workflow(
                JourneyWorkflow.run,
                journey_input,
                id=journey.workflow_id,
                static_summary=journey_static_summary(journey_input),
                static_details=journey_static_details(journey_input),
            )
            self._started.add(journey.workflow_id)
            asyncio.create_task(self._await_journey(journey, handle))

    def _import_end(self, imported: ImportedCase, advisor: str) -> None:
        """An imported case that ended before any candidate was selected: closed on its day
        (before its clocks' loop runs: no past rungs for a case that had ended)."""
        self._state.outcome = Outcome.WITHDRAWN_BY_EMPLOYER
        self._state.outcome_reason = imported.end_reason_code.value if imported.end_reason_code else None
        self._transition(
            action="case_withdrawn",
            advisor=advisor,
            to_stage=Stage.CLOSED,
            summary=say(
                "Imported: ended on {day} before any candidate was selected ({code})",
                day=imported.ended_on,
                code=self._state.outcome_reason,
            ),
            happened_on=imported.ended_on,
        )

    async def _import_journeys(self, imported: ImportedCase, advisor: str) -> None:
        """An imported case's candidates: consultation and selection as the file has them
        (recorded with the first consultation's day, nothing emailed), then one imported
        journey each, which places itself at its milestone."""
        day = imported.advised_on
        self._transition(
            action="consultation_completed",
            advisor=advisor,
            to_stage=Stage.CANDIDATE_SELECTION,
            summary=say("Imported: consultation completed (the §39(2) wage check is not in the file)"),
            happened_on=day,
        )
        candidates = [j.candidate for j in imported.journeys]
        new = self._add_journeys(candidates)
        self._transition(
            action="candidates_selected",
            advisor=advisor,
            to_stage=Stage.JOURNEYS,
            summary=say("Imported: {n} candidate(s) selected; one journey each", n=len(candidates)),
            happened_on=day,
        )
        actions = [
            ImportJourney(advisor=advisor, file=imported.file, selected_on=day, imported=j) for j in imported.journeys
        ]
        await self._start_journeys(new, candidates, actions)

    @select_candidates.validator
    def _validate_select_candidates(self, action: SelectCandidates) -> None:
        case_rules.check_door(action)
        case_rules.check_select_candidates(self._state, action)
        case_rules.check_candidate_refs(self._state.origin_programme, action)

    async def _await_journey(self, journey: JourneySummary, handle: ChildWorkflowHandle[Any, JourneyResult]) -> None:
        happened_on = None  # an imported journey that had ended before the import: its day
        try:
            result = await handle
            journey.outcome, journey.reason = result.outcome.value, result.reason
            happened_on = local_date(result.finished_at) if result.finished_at else None
        except ChildWorkflowError as err:
            # A journey terminated by hand in the UI: the case must still come to an end.
            journey.outcome = JourneyOutcome.ENDED_BY_WELCOME_CENTER.value
            journey.reason = f"journey workflow ended abnormally: {err.cause or err}"
        self._transition(
            action="journey_finished",
            advisor=SYSTEM_HANDLE,
            to_stage=Stage.JOURNEYS,
            summary=say(
                "Journey {number} ({ref}, {country}) finished: {outcome} ({reason})",
                number=journey.number,
                ref=journey.candidate_ref,
                country=journey.origin_country,
                outcome=str(journey.outcome),
                reason=str(journey.reason),
            ),
            happened_on=happened_on,
        )
        if any(j.outcome is None for j in self._state.journeys):
            return
        placed = case_rules.placed(self._state)
        if self._state.withdrawing or placed >= self._state.positions:
            self._close_after_journeys(
                advisor=SYSTEM_HANDLE, why=say("Every journey has finished"), happened_on=happened_on
            )
        else:
            # Fewer placed than positions: the next candidate may follow (or close-case).
            self._transition(
                action="replacement_open",
                advisor=SYSTEM_HANDLE,
                to_stage=Stage.CANDIDATE_SELECTION,
                summary=say(
                    "Every journey has finished with {placed} of {positions} position(s) filled: "
                    "select replacement candidates, or close the case",
                    placed=placed,
                    positions=self._state.positions,
                ),
                happened_on=happened_on,
            )

    def _close_after_journeys(
        self, advisor: str, why: Said, note: str | None = None, happened_on: date | None = None
    ) -> int:
        outcome, reason = case_rules.outcome_of(self._state)
        self._state.outcome, self._state.outcome_reason = outcome, reason
        return self._transition(
            action="case_closed",
            advisor=advisor,
            to_stage=Stage.CLOSED,
            summary=say("{why}: {outcome}, {reason}", why=why, outcome=outcome.value, reason=reason),
            note=note,
            happened_on=happened_on,
        )

    @workflow.update
    async def close_case(self, action: CloseCase) -> ActionReply:
        case_rules.check_close_case(self._state, action)
        seq = self._close_after_journeys(
            advisor=action.advisor, why=say("Closed: {reason}", reason=stated(action)), note=action.note
        )
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    @close_case.validator
    def _validate_close_case(self, action: CloseCase) -> None:
        case_rules.check_door(action)
        case_rules.check_close_case(self._state, action)

    @workflow.update
    async def withdraw(self, action: Withdraw) -> ActionReply:
        case_rules.check_withdraw(self._state, action)
        from_stage = self._state.stage
        if any(j.outcome is None for j in self._state.journeys):
            return await self._withdraw_from_journeys(action)
        if self._state.journeys:
            # Waiting for a replacement: what the journeys achieved is the outcome.
            party = action.party.value.replace("_", " ")
            why = say("Withdrawn by the {party}: {reason}", party=party, reason=stated(action))
            seq = self._close_after_journeys(action.advisor, why, action.note)
            await self._outbox.until_recorded(seq)
            return self._reply(seq)
        self._state.outcome = action.party.outcome
        self._state.outcome_reason = stated(action)
        seq = self._transition(
            action="case_withdrawn",
            advisor=action.advisor,
            to_stage=Stage.CLOSED,
            summary=say(
                "Withdrawn by the {party} in stage {stage}",
                party=action.party.value.replace("_", " "),
                stage=from_stage.value,
            ),
            note=action.note,
        )
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    async def _withdraw_from_journeys(self, action: Withdraw) -> ActionReply:
        # Every open journey ends with the reason; the case closes when they all have.
        outcome = (
            JourneyOutcome.VACANCY_WITHDRAWN
            if action.party is WithdrawingParty.EMPLOYER
            else JourneyOutcome.ENDED_BY_WELCOME_CENTER
        )
        open_journeys = [j for j in self._state.journeys if j.outcome is None]
        reason = stated(action)
        self._state.withdrawing = True
        seq = self._transition(
            action="vacancy_withdrawn" if outcome is JourneyOutcome.VACANCY_WITHDRAWN else "case_ended",
            advisor=action.advisor,
            to_stage=Stage.JOURNEYS,
            summary=say(
                "Withdrawn by the {party}: {reason}; ending {n} open journey(s)",
                party=action.party.value.replace("_", " "),
                reason=reason,
                n=len(open_journeys),
            ),
            note=action.note,
        )
        # A journey selected a moment ago may not have started yet: signal it once it has.
        await workflow.wait_condition(lambda: all(j.workflow_id in self._started for j in open_journeys))
        end = EndJourney(advisor=action.advisor, outcome=outcome, reason=reason or None, case_token=self._token())
        for journey in open_journeys:
            await workflow.get_external_workflow_handle(journey.workflow_id).signal(JourneyWorkflow.end_journey, end)
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    @withdraw.validator
    def _validate_withdraw(self, action: Withdraw) -> None:
        case_rules.check_door(action)
        case_rules.check_withdraw(self._state, action)

    @workflow.update
    async def change_offered_wage(self, action: ChangeOfferedWage) -> ActionReply:
        check = case_rules.check_change_offered_wage(self._state, action, self._policy, self._today())
        s = self._state
        was, s.monthly_gross_wage_eur = s.monthly_gross_wage_eur, action.monthly_gross_wage_eur
        running = [j for j in s.journeys if j.outcome is None]
        if check is not None:
            s.wage_check, s.wage_check_says = (english(check.finding) if check.finding else None), check.finding
            if not running:
                s.ba_consent_required = check.ba_consent_required
            elif s.ba_consent_required and not check.ba_consent_required:  # they keep the BA step they started with
                kept = say("{finding}; the running journeys keep their BA step", finding=check.finding)
                s.wage_check, s.wage_check_says = english(kept), kept
        seq = self._transition(
            action="offered_wage_changed",
            advisor=action.advisor,
            to_stage=s.stage,
            summary=say(
                "Offered wage changed on {day}{was} to {monthly_eur} EUR a month: {reason}{finding}",
                day=action.changed_on,
                was=say(" from {was_eur} EUR", was_eur=str(was)) if was else None,
                monthly_eur=str(action.monthly_gross_wage_eur),
                reason=action.reason,
                finding=say("; {finding}", finding=check.finding) if check and check.finding else None,
            ),
            note=action.note,
        )
        # A journey selected a moment ago may not have started yet: signal it once it has.
        await workflow.wait_condition(lambda: all(j.workflow_id in self._started for j in running))
        offer, policy = case_rules.wage_offer(s), self._policy
        by_ref = {c.candidate_ref: c for c in s.candidates}
        for journey in running:
            # Journeys run only once the policy is read; a wage was just set, so there is an offer.
            if offer is None or policy is None:
                break
            changed = OfferedWageChanged(
                advisor=action.advisor,
                case_token=self._token(),
                offer=offer,
                changed_on=action.changed_on,
                pension_proof_needed=case_rules.pension_proof_needed(
                    s, by_ref[journey.candidate_ref], policy, self._today()
                ),
            )
            try:
                await workflow.get_external_workflow_handle(journey.workflow_id).signal(
                    JourneyWorkflow.offered_wage_changed, changed
                )
            except FailureError:  # finished a moment ago: its result is on its way; the others still hear
                workflow.logger.info("offered_wage_changed not delivered", extra={"case_id": s.case_id})
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    @change_offered_wage.validator
    def _validate_change_offered_wage(self, action: ChangeOfferedWage) -> None:
        case_rules.check_door(action)
        case_rules.check_change_offered_wage(self._state, action, self._policy, self._today())

    @workflow.update
    async def add_note(self, action: AddCaseNote) -> ActionReply:
        case_rules.check_add_note(self._state)
        seq = self._transition(
            action="note_added",
            advisor=action.advisor,
            to_stage=self._state.stage,
            summary=say("Note added"),
            note=action.note,
        )
        await self._outbox.until_recorded(seq)
        return self._reply(seq)

    @add_note.validator
    def _validate_add_note(self, action: AddCaseNote) -> None:
        case_rules.check_door(action)
        case_rules.check_add_note(self._state)
