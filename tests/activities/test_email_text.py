"""Every kind of email the workflows send, in both languages (#16 point 4): German by
default with German dates, English on request; the English text is the audit trail's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from activities.email_text import render_email
from activities.records import CaseRecordActivities
from core.i18n import Text
from models import occupations
from models.case import Procedure
from models.clocks import ClockName, Deadline, Rung
from models.journey import JourneyEvent, JourneyStage, RecordContract
from models.mail import EmailContent, Notification, RecipientRole
from models.records import CaseRow
from models.said import Said, say
from process import engine
from records.database import create_records_engine, migrate
from records.schema import notifications
from tests.english import assert_german
from tests.process.test_engine import P, T, docs, journey
from tests.records.test_record_activities import case_record
from workflows.deadlines import incident_summary, past_rung_summary, rung_summary
from workflows.outbox import record_incident_summary

DEADLINE = Deadline(
    clock=ClockName.ANMELDUNG, label="Anmeldung after moving in", basis="§17(1) BMG (2 weeks)",
    started_on=date(2026, 5, 4), due_on=date(2026, 11, 4), anchor=datetime(2026, 5, 4, tzinfo=UTC),
    anchor_date=date(2026, 5, 4),
)  # fmt: skip


def contract_signed() -> Said:
    state = journey(Procedure.REGULAR)
    docs(state)
    step = engine.apply(
        state, RecordContract(advisor="m.koch", signed_on=date(2026, 11, 20), starts_on=date(2027, 3, 1)), T, P
    )
    assert step.says is not None and step.summary == step.says.english()
    return step.says


# kind, what the email says, German words it must carry (with German dates)
KINDS: list[tuple[str, Said, list[str]]] = [
    ("journey step", contract_signed(), ["Vertrag unterschrieben am 20.11.2026, Beginn 01.03.2027"]),
    (
        "case step",
        say(
            "Case opened for {employer}: {occupation}, {route}, procedure {procedure}",
            employer="Gastro Nord GmbH",
            occupation="cook",
            route="§18a AufenthG",
            procedure="regular",
        ),
        ["Fall eröffnet für Gastro Nord GmbH", "Verfahren regulär"],
    ),  # fmt: skip
    (
        "reminder",
        rung_summary(DEADLINE, Rung.REMINDER),
        ["Erinnerung: fällig am 04.11.2026", "Anmeldung nach dem Einzug", "§17(1) BMG (2 Wochen)"],
    ),
    ("due", rung_summary(DEADLINE, Rung.DUE), ["Heute fällig (04.11.2026)"]),
    ("team lead", rung_summary(DEADLINE, Rung.TEAM_LEAD), ["an die Teamleitung eskaliert"]),
    ("operations", rung_summary(DEADLINE, Rung.OPERATIONS), ["an den Betrieb eskaliert"]),
    ("before the import", past_rung_summary(DEADLINE, Rung.DUE), ["Vor dem Import (nicht versandt): Heute fällig"]),
    ("clock incident", incident_summary(ValueError("boom")), ["Störung: die Fristenüberwachung", "ValueError: boom"]),
    ("records incident", record_incident_summary(7, "contract_signed", ValueError("NUL")), ["endgültig abgelehnt"]),
]


def content(journey_number: int | None) -> EmailContent:
    return EmailContent(
        about="Gastro Nord GmbH, cook, §18a AufenthG", journey=journey_number,
        candidate="THAMM-4711 (TN)" if journey_number else None, open_documents=["recognition_application"],
    )  # fmt: skip


def event(what: Said) -> JourneyEvent:
    return JourneyEvent(
        seq=3, occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC), action="contract_signed", advisor="m.koch",
        from_stage=JourneyStage.CONTRACT, to_stage=JourneyStage.RECOGNITION, summary=what.english(), says=what,
        note="signed at the office",
    )  # fmt: skip


@pytest.mark.parametrize(("what", "german"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
@pytest.mark.parametrize("journey_number", [None, 1], ids=["case", "journey"])
def test_each_email_in_german_and_english(what: Said, german: list[str], journey_number: int | None) -> None:
    subject_de, body_de = render_email("WC-0000000042", event(what), content(journey_number), Text("de"))
    subject_en, body_en = render_email("WC-0000000042", event(what), content(journey_number), Text("en"))
    # English: the audit trail's own text, ISO dates.
    assert f"What happened: {what.english()}" in body_en and what.english()[:60] in subject_en
    assert "Action: contract_signed by m.koch" in body_en and "Note: signed at the office" in body_en
    assert "Stage: contract -> recognition" in body_en
    # German: the frame and the text translated, dates as 27.11.2026.
    for words in german:
        assert words in body_de and words[:40] in f"{subject_de} {body_de}", words
    assert "Was geschah: " in body_de and "Schritt: contract_signed durch m.koch" in body_de
    assert "Notiz: signed at the office" in body_de and "Offene Unterlagen: recognition_application" in body_de
    assert ("Verlauf 1: Kandidat/in THAMM-4711 (TN)" in body_de) == (journey_number == 1)
    assert "What happened" not in body_de and body_de != body_en


def test_the_records_activity_queues_the_email_in_the_office_language(tmp_path: Path) -> None:
    fresh_engine = create_records_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    migrate(fresh_engine)
    legacy = case_record(3, "journeys")  # type: ignore[arg-type]
    assert legacy.case is not None
    said = say("Probation passed on {day}", day=date(2026, 11, 4))
    record = legacy.model_copy(
        update={
            "case": None,
            "event": legacy.event.model_copy(update={"summary": said.english(), "says": said}),
            "row": CaseRow.model_validate(legacy.case.summary_fields()),
            "notification": Notification(
                idempotency_key="WC-0000000042/3/advisor", case_id="WC-0000000042",
                recipient_role=RecipientRole.ADVISOR, advisor="m.koch",
                subject="[WC-0000000042] Probation passed on 2026-11-04", body="",
                content=content(1),
            ),
        }
    )  # fmt: skip
    CaseRecordActivities(fresh_engine, Text("de")).record_case_transition(record)
    with fresh_engine.connect() as conn:
        subject, body = conn.execute(select(notifications.c.subject, notifications.c.body)).one()
    assert subject == "[WC-0000000042 / THAMM-4711] Probezeit bestanden am 04.11.2026"
    assert "Was geschah: Probezeit bestanden am 04.11.2026" in body


def test_a_german_subject_names_the_occupation_and_the_procedure_in_words() -> None:
    # #24 point 4: no codes in a German subject; the audit trail's English keeps the codes.
    opened = KINDS[1][1]
    occupations.use(occupations.load_occupations(occupations.DEFAULT_OCCUPATIONS_FILE))
    try:
        subject, _ = render_email("WC-0000000042", event(opened), content(None), Text("de"))
    finally:
        occupations.use(None)
    assert (
        subject == "[WC-0000000042] Fall eröffnet für Gastro Nord GmbH: Koch/Köchin, §18a AufenthG, Verfahren regulär"
    )
    assert_german(subject, "the subject")
    assert opened.english().endswith(": cook, §18a AufenthG, procedure regular")
