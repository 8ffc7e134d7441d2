"""Every route walked through the process definition to a placement: no server.

A walker takes, at each point, the first step ``status`` would offer that the route's
script knows, until nothing is left open. Each route's rows say which milestones it
passes, which it never sees and what its checklists ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from models import journey as J
from models.case import Procedure, ResidenceRoute, SelectedCandidate
from models.clocks import ClockName
from models.counting import add_months
from models.deadlines import DEFAULT_POLICY_FILE, load_policy
from models.documents import DocumentCode, DocumentStep
from models.door import refusals
from models.journey import DocumentReceipt, JourneyOutcome, JourneyState, Milestone
from process import engine
from process.definition import COMMANDS
from process.refusal import Refusal

T = date(2026, 11, 26)
P = load_policy(DEFAULT_POLICY_FILE, today=T)
M, D = Milestone, DocumentCode
R = ResidenceRoute


def act(model: type, **fields: Any) -> Any:
    return model(advisor="m.koch", **fields)


def script(today: date) -> dict[str, Callable[[JourneyState], Any]]:
    """What an advisor does when a step is offered (the first offered step the script knows is
    taken); facts dated in the 400 days before ``today``."""

    def day(n: int) -> date:
        return today - timedelta(days=400) + timedelta(days=n)

    return {
        "record-contract": lambda s: act(J.RecordContract, signed_on=day(1), starts_on=day(200)),
        "start-accelerated-procedure": lambda s: act(
            J.StartAcceleratedProcedure, agreement_signed_on=day(2), fee_paid_on=day(2)
        ),
        "apply-for-recognition": lambda s: act(J.ApplyForRecognition, applied_on=day(5), body="HWK Hannover"),
        "confirm-recognition-receipt": lambda s: act(
            J.ConfirmRecognitionReceipt, confirmed_on=day(9), complete_on=day(9)
        ),
        "record-recognition": lambda s: act(J.RecordRecognition, decision="full", decided_on=day(60)),
        "record-comparability": lambda s: act(
            J.RecordComparability, evidence="anabin", reference="AN-1", checked_on=day(5)
        ),
        "record-professional-experience": lambda s: act(
            J.RecordProfessionalExperience,
            state_recognised_qualification=True,
            training_years=2.5,
            experience_years=4,
            experience_within_last_five_years=True,
        ),
        "request-ba-consent": lambda s: act(
            J.RequestBaConsent,
            path="abh_81a" if s.procedure is Procedure.ACCELERATED_81A else "vorabzustimmung",
            # Recent on the fiction's path, so that the law does not consent before the BA answers.
            requested_on=today - timedelta(days=3) if s.procedure is Procedure.ACCELERATED_81A else day(65),
        ),
        "record-ba-decision": lambda s: act(
            J.RecordBaDecision, decision="granted", decided_on=max(day(70), s.ba_requested_on or day(70))
        ),
        "record-vorabzustimmung": lambda s: act(
            J.RecordVorabzustimmung,
            issued_on=s.ba_decided_on or day(72),
            valid_until=today + timedelta(60),
            latest_start_on=today + timedelta(120),
        ),
        "book-visa-appointment": lambda s: act(J.BookVisaAppointment, appointment_on=day(80), mission="Tunis"),
        "record-visa-application": lambda s: act(
            J.RecordVisaApplication, applied_on=max(day(80), s.vorabzustimmung_issued_on or day(80))
        ),
        "record-visa-decision": lambda s: act(
            J.RecordVisaDecision,
            decision="issued",
            decided_on=max(day(95), s.visa_applied_on or day(95), s.ba_decided_on or day(95)),
            valid_until=today + timedelta(60),
        ),
        "record-arrival": lambda s: act(J.RecordArrival, arrived_on=max(day(150), s.visa_issued_on or day(150))),
        "record-job-start": lambda s: act(J.RecordJobStart, started_on=s.arrived_on),
        "record-moving-in": lambda s: act(J.RecordMovingIn, moved_in_on=s.arrived_on),
        "record-anmeldung": lambda s: act(J.RecordAnmeldung, registered_on=s.moved_in_on),
        "record-permit-application": lambda s: act(J.RecordPermitApplication, applied_on=s.registered_on),
        "record-permit-decision": lambda s: act(
            J.RecordPermitDecision, decision="granted", decided_on=s.permit_applied_on, valid_until=day(1600)
        ),
        "record-probation-passed": lambda s: act(J.RecordProbationPassed, passed_on=today),
        "record-integration-course": lambda s: act(J.RecordIntegrationCourse, status="registered", recorded_on=today),
        "apply-for-follow-up-recognition": lambda s: act(
            J.ApplyForFollowUpRecognition, applied_on=s.arrived_on, body="IHK FOSA"
        ),
        "record-follow-up-recognition": lambda s: act(J.RecordFollowUpRecognition, decision="full", decided_on=today),
    }


SCRIPT = script(T)
DAY0 = T - timedelta(days=400)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def journey(route: ResidenceRoute, procedure: Procedure = Procedure.REGULAR, **fields: Any) -> JourneyState:
    fields.setdefault("process_version", 2)
    state = JourneyState(
        case_id="WC-0000000042", number=1, workflow_id="case-WC-0000000042-j1",
        candidate=SelectedCandidate(candidate_ref="THAMM-1", origin_country="TN"), advisor="m.koch",
        employer_name="X GmbH", occupation="cook", route=route, original_route=route, procedure=procedure,
        stage=J.JourneyStage.CONTRACT, started_at=datetime(2025, 6, 1, tzinfo=UTC), **fields,
    )  # fmt: skip
    engine.start(state, DAY0)
    return state


def walk(state: JourneyState, until: str | None = None) -> tuple[list[str], list[DocumentCode]]:
    """Take the offered steps (each once), handing in what they ask for, to the end (or until
    ``until`` is offered); returns the commands taken and every document asked for."""
    taken: list[str] = []
    asked: list[DocumentCode] = []
    for _ in range(60):
        if state.stage is J.JourneyStage.FINISHED or until in engine.next_steps(state):
            return taken, asked
        missing = engine.open_documents(state)
        if missing:
            asked += missing
            receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=day(0)) for c in missing]
            engine.apply(state, act(J.RecordDocuments, documents=receipts), T, P)
        command = next(c for c in engine.next_steps(state) if c in SCRIPT and c not in taken)
        engine.apply(state, SCRIPT[command](state), T, P)
        taken.append(command)
    raise AssertionError(f"not finished: {state.open_milestones}")


ROUTES = [
    # route, procedure, journey fields, milestones passed, milestones never seen, documents asked
    pytest.param(R.SECTION_18B, Procedure.REGULAR, {"regulated_profession": False},
                 {M.COMPARABILITY, M.BA_CONSENT}, {M.RECOGNITION, M.EXPERIENCE}, {D.DEGREE_CERTIFICATE},
                 id="18b-comparability"),
    pytest.param(R.SECTION_18B, Procedure.REGULAR, {"regulated_profession": True},
                 {M.RECOGNITION, M.BA_CONSENT}, {M.COMPARABILITY}, {D.RECOGNITION_APPLICATION}, id="18b-regulated"),
    pytest.param(R.SECTION_18G, Procedure.REGULAR, {"regulated_profession": False, "ba_consent_required": False},
                 {M.COMPARABILITY}, {M.BA_CONSENT, M.RECOGNITION}, {D.DEGREE_CERTIFICATE}, id="18g-general"),
    pytest.param(R.SECTION_18G, Procedure.ACCELERATED_81A, {"regulated_profession": False,
                 "ba_consent_required": False}, {M.COMPARABILITY, M.VORABZUSTIMMUNG}, {M.BA_CONSENT},
                 {D.VORABZUSTIMMUNG}, id="18g-81a-no-ba"),
    pytest.param(R.SECTION_18G, Procedure.REGULAR, {"regulated_profession": False},
                 {M.COMPARABILITY, M.BA_CONSENT}, {M.RECOGNITION}, set(), id="18g-shortage-with-ba"),
    pytest.param(R.SECTION_19C2, Procedure.REGULAR, {}, {M.EXPERIENCE, M.BA_CONSENT}, {M.RECOGNITION},
                 {D.WORK_EXPERIENCE_PROOF, D.QUALIFICATION_TRANSLATED}, id="19c2"),
    # #24: §81a for §19c(2) with §6 BeschV, the craft and gastronomy route from the Maghreb
    pytest.param(R.SECTION_19C2, Procedure.ACCELERATED_81A, {}, {M.EXPERIENCE, M.BA_CONSENT, M.VORABZUSTIMMUNG},
                 {M.RECOGNITION}, {D.WORK_EXPERIENCE_PROOF, D.VORABZUSTIMMUNG}, id="19c2-81a"),
    pytest.param(R.SECTION_16A, Procedure.ACCELERATED_81A, {}, {M.BA_CONSENT, M.VORABZUSTIMMUNG}, {M.RECOGNITION},
                 {D.TRAINING_CONTRACT, D.B1_CERTIFICATE, D.HEALTH_INSURANCE}, id="16a-81a"),
    pytest.param(R.SECTION_16D1, Procedure.REGULAR, {}, {M.BA_CONSENT}, {M.RECOGNITION},
                 {D.DEFIZITBESCHEID, D.QUALIFIZIERUNGSPLAN, D.ZUSATZBLATT_A}, id="16d1-direct"),
    pytest.param(R.SECTION_16D3, Procedure.REGULAR, {}, {M.BA_CONSENT}, {M.RECOGNITION},
                 {D.A2_CERTIFICATE, D.PARTNERSHIP_AGREEMENT, D.HEALTH_INSURANCE}, id="16d3"),
    pytest.param(R.SECTION_18A, Procedure.REGULAR, {"pension_proof_needed": "45 or older"},
                 {M.RECOGNITION, M.BA_CONSENT}, set(), {D.PENSION_PROVISION_PROOF}, id="18a-45plus"),
]  # fmt: skip


ENTITLED = {R.SECTION_18A, R.SECTION_18B, R.SECTION_18G, R.SECTION_19C2}  # §44(1) S.1 Nr.1a AufenthG


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize(("route", "procedure", "fields", "passed", "never", "documents"), ROUTES)
def test_every_route_reaches_a_placement(
    route: ResidenceRoute,
    procedure: Procedure,
    fields: dict[str, Any],
    passed: set[Milestone],
    never: set[Milestone],
    documents: set[DocumentCode],
    version: int,
) -> None:
    state = journey(route, procedure, **fields, process_version=version)
    taken, asked = walk(state)
    assert state.outcome is JourneyOutcome.PLACED
    assert passed <= set(state.done_milestones)
    assert not never & set(state.done_milestones)
    # Version 3 (#24): the integration course only where §44 gives an entitlement.
    course = version == 2 or route in ENTITLED
    assert (M.INTEGRATION_COURSE in state.done_milestones) is course
    assert ("record-integration-course" in taken) is course
    assert documents <= set(asked)
    if route is not R.SECTION_16A:
        assert D.TRAINING_CONTRACT not in asked
    assert D.HEALTH_INSURANCE in asked  # every route: cover from entry until the job starts
    assert len(asked) == len(set(asked))  # nothing is asked for twice


def test_a_16a_trainee_in_81a_is_never_asked_for_an_employment_contract() -> None:
    state = journey(R.SECTION_16A, Procedure.ACCELERATED_81A)
    _, asked = walk(state)
    assert D.EMPLOYMENT_CONTRACT not in asked


def test_the_45_plus_rejection_says_what_would_satisfy_it() -> None:
    reason = "45 or older at the first title: 37,200 EUR a year is below 55,770.00 EUR gross a year in 2026"
    state = journey(R.SECTION_18A, pension_proof_needed=reason)

    def hand_in(*keep_back: DocumentCode) -> None:
        codes = [c for c in engine.open_documents(state) if c not in keep_back]
        if codes:
            receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=day(0)) for c in codes]
            engine.apply(state, act(J.RecordDocuments, documents=receipts), T, P)

    for command in ("record-contract", "apply-for-recognition", "confirm-recognition-receipt", "record-recognition"):
        hand_in(D.PENSION_PROVISION_PROOF)
        engine.apply(state, SCRIPT[command](state), T, P)
    hand_in(D.PENSION_PROVISION_PROOF)
    before = state.model_copy(deep=True)
    with pytest.raises(Refusal) as err:
        engine.apply(state, SCRIPT["record-visa-application"](state), T, P)
    assert "pension_provision_proof" in err.value.message and reason in err.value.message
    assert state == before


def test_route_commands_are_offered_on_their_routes() -> None:
    comparability = journey(R.SECTION_18B, regulated_profession=False)
    assert "record-comparability" in engine.next_steps(comparability)
    assert "apply-for-recognition" not in engine.next_steps(comparability)
    experience = journey(R.SECTION_19C2)
    assert "record-professional-experience" in engine.next_steps(experience)
    assert {c.command for c in COMMANDS} >= {"record-comparability", "record-professional-experience"}


def test_german_names_for_every_document() -> None:
    assert all(code.german for code in DocumentCode)
    assert D.WOHNUNGSGEBERBESTAETIGUNG.german == "Wohnungsgeberbestätigung"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state_recognised_qualification": True, "training_years": 1.5, "experience_years": 3}, "training_years"),
        ({"state_recognised_qualification": True, "training_years": 2, "experience_years": 1}, "experience_years"),
        ({"state_recognised_qualification": False, "training_years": 3, "experience_years": 3}, "state_recognised"),
        (
            {"state_recognised_qualification": True, "training_years": 3, "experience_years": 3,
             "experience_within_last_five_years": False},
            "experience_within_last_five_years: §6 BeschV counts only the experience of the five years",
        ),
    ],
)  # fmt: skip
def test_19c2_requirements_name_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        act(J.RecordProfessionalExperience, **fields)


def test_the_five_year_window_is_asked_of_every_new_entry_and_old_entries_still_load() -> None:
    # #24: an entry recorded before the question loads (None); the door asks it of new ones.
    old = J.RecordProfessionalExperience.model_validate(
        {"advisor": "m.koch", "state_recognised_qualification": True, "training_years": 3, "experience_years": 3}
    )
    assert old.experience_within_last_five_years is None
    assert [str(f) for f in refusals(old)] == ["experience_within_last_five_years: required"]
    new = old.model_copy(update={"experience_within_last_five_years": True})
    assert refusals(new) == []


def test_the_comparability_checklist() -> None:
    from models.checklists import required_documents

    docs = required_documents(DocumentStep.COMPARABILITY, R.SECTION_18B, Procedure.REGULAR)
    assert D.DEGREE_CERTIFICATE in docs


def test_journeys_started_before_the_route_requirements_keep_their_process() -> None:
    """process_version 1 (no workflow.patched marker): 18b through recognition, the old checklists."""
    old = journey(R.SECTION_18B, regulated_profession=None)
    old.process_version = 1
    old.open_milestones, old.done_milestones = [], []
    engine.start(old, DAY0)
    assert M.RECOGNITION in old.open_milestones and M.COMPARABILITY not in old.open_milestones
    _, asked = walk(old)
    assert D.HEALTH_INSURANCE not in asked and D.DEGREE_CERTIFICATE not in asked
    assert old.outcome is JourneyOutcome.PLACED


def test_a_recognition_partnership_applies_after_entry_and_ends_on_18a() -> None:
    state = journey(R.SECTION_16D3)
    taken, _ = walk(state)
    assert taken.index("apply-for-follow-up-recognition") > taken.index("record-arrival")
    assert (state.route, state.original_route) == (R.SECTION_18A, R.SECTION_16D3)
    assert M.FOLLOW_UP_RECOGNITION in state.done_milestones


def test_the_clock_after_entry_runs_from_the_arrival_in_a_partnership_only() -> None:
    for route, runs in ((R.SECTION_16D3, True), (R.SECTION_16D1, False), (R.SECTION_18A, False)):
        state = journey(route)
        steps = SCRIPT
        walk(state, until="record-arrival")
        step = engine.apply(state, steps["record-arrival"](state), T, P)
        started = [
            c for c in step.clocks if c.kind == "start" and c.clock and c.clock.value == "recognition_after_entry"
        ]
        assert bool(started) is runs, route
        if runs:
            assert started[0].on == state.arrived_on
            arrived = state.arrived_on
            assert arrived is not None
            assert started[0].due_on == P.due_on(ClockName.RECOGNITION_AFTER_ENTRY, arrived, route, Procedure.REGULAR)


def test_an_arrival_after_the_agreed_start_needs_the_new_start() -> None:
    state = journey(R.SECTION_16A)
    walk(state, until="delay-arrival")
    late = T + timedelta(days=10)  # the contract starts on day(200), long before
    before = state.model_copy(deep=True)
    with pytest.raises(Refusal) as err:
        engine.apply(state, act(J.DelayArrival, expected_on=late, reason="Exam retaken"), T, P)
    assert err.value.message.startswith("new_start_on:") and str(day(200)) in err.value.message
    assert state == before
    step = engine.apply(
        state, act(J.DelayArrival, expected_on=late, reason="Exam retaken", new_start_on=late + timedelta(1)), T, P
    )
    assert state.contract_starts_on == late + timedelta(1) and "start of employment moved" in step.summary


def test_a_vorabzustimmung_names_its_latest_start() -> None:
    state = journey(R.SECTION_18A, Procedure.ACCELERATED_81A)
    walk(state, until="record-vorabzustimmung")
    without = act(J.RecordVorabzustimmung, issued_on=state.ba_decided_on, valid_until=T + timedelta(60))
    with pytest.raises(Refusal, match="latest_start_on: required"):
        engine.apply(state.model_copy(deep=True), without, T, P)


@pytest.mark.parametrize(
    ("field", "value"),
    [("signed_on", date(9999, 12, 31)), ("signed_on", date(1900, 1, 1)), ("starts_on", date(2099, 1, 1))],
)
def test_dates_outside_the_policys_window_are_refused(field: str, value: date) -> None:
    state = journey(R.SECTION_16A)
    fields = {"signed_on": day(1), "starts_on": day(200), field: value}
    receipts = [DocumentReceipt(code=c, reference="DMS-1", received_on=day(0)) for c in engine.open_documents(state)]
    engine.apply(state, act(J.RecordDocuments, documents=receipts), T, P)
    before = state.model_copy(deep=True)
    with pytest.raises(Refusal) as err:
        engine.apply(state, act(J.RecordContract, **fields), T, P)
    assert err.value.message.startswith(
        f"{field}: {value} is outside the dates a case takes (2016-11-26 to 2036-11-26)"
    )
    assert state == before
    old_document = [DocumentReceipt(code=D.PASSPORT, reference="DMS-1", received_on=date(1950, 1, 1))]
    with pytest.raises(Refusal, match="documents.passport.received_on"):
        engine.apply(state, act(J.RecordDocuments, documents=old_document), T, P)


@pytest.mark.parametrize(
    ("route", "months", "refusal"),
    [
        (R.SECTION_18A, None, None),  # the policy's 6 months
        (R.SECTION_18A, 3, None),  # agreed shorter in the contract
        (R.SECTION_18A, 6, None),
        (R.SECTION_16A, None, None),  # a trainee: the policy's 4 months
        (R.SECTION_16A, 2, None),
        (R.SECTION_16A, 5, "probation_months: 5 is more than the 4 months the law allows on §16a AufenthG"),
    ],
)
def test_the_probation_runs_for_the_agreed_months_from_its_first_day(
    route: ResidenceRoute, months: int | None, refusal: str | None
) -> None:
    state = journey(route)
    walk(state, until="record-job-start")
    started_on = state.arrived_on
    assert started_on is not None
    job_start = act(J.RecordJobStart, started_on=started_on, probation_months=months)
    if refusal:
        before = state.model_copy(deep=True)
        with pytest.raises(Refusal) as err:
            engine.apply(state, job_start, T, P)
        assert err.value.message == refusal and state == before
        return
    step = engine.apply(state, job_start, T, P)
    clock = next(c for c in step.clocks if c.kind == "start" and c.clock is ClockName.PROBATION)
    default = 4 if route is R.SECTION_16A else 6
    # §187(2), §188(2) BGB: from the first day to the day before the same date, never moved (§193)
    last = add_months(started_on, months or default) - timedelta(days=1)
    assert (clock.on, clock.due_on) == (started_on, last)


def test_a_timely_permit_application_is_recorded_without_its_documents_from_version_3() -> None:
    # §81(4) S.1 AufenthG: the application alone keeps the status; the Meldebescheinigung of an
    # Anmeldung weeks later follows. Version 2 (running journeys) refused it for missing documents.
    for version, refused in ((2, True), (3, False)):
        state = journey(R.SECTION_18A, process_version=version)
        walk(state, until="record-permit-application")
        assert (D.MELDEBESCHEINIGUNG in engine.open_documents(state)) is refused  # v3: asked with the decision
        application = act(J.RecordPermitApplication, applied_on=state.arrived_on)
        if refused:
            with pytest.raises(Refusal, match="documents missing for residence_permit"):
                engine.apply(state, application, T, P)
            continue
        engine.apply(state, application, T, P)
        assert state.permit_applied_on == state.arrived_on
        # The documents follow: still open, and needed before the decision is recorded.
        assert D.MELDEBESCHEINIGUNG in engine.open_documents(state)
        decision = act(J.RecordPermitDecision, decision="granted", decided_on=state.arrived_on, valid_until=day(1600))
        with pytest.raises(Refusal, match="record_permit_decision: documents missing for residence_permit"):
            engine.apply(state, decision, T, P)


def test_the_permit_says_when_the_course_entitlement_lapses_only_where_there_is_one() -> None:
    # #24: §16a and §16d give no entitlement (§44(1) S.1 Nr.1a AufenthG) from process version 3.
    for route, version, says in ((R.SECTION_18A, 3, True), (R.SECTION_16A, 3, False), (R.SECTION_16A, 2, True)):
        state = journey(route, process_version=version)
        walk(state, until="record-permit-decision")
        receipts = [
            DocumentReceipt(code=c, reference="DMS-1", received_on=day(0)) for c in engine.open_documents(state)
        ]
        if receipts:  # v3: the application's documents, handed in after it
            engine.apply(state, act(J.RecordDocuments, documents=receipts), T, P)
        step = engine.apply(state, SCRIPT["record-permit-decision"](state), T, P)
        assert ("integration course entitlement lapses" in step.summary) is says, (route, version)
