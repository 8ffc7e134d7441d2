"""The weekly digest's week keys and its email text in both languages (#16 point 2),
with fixed dates: pure rendering, nothing here reads today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from activities.digest import BEFORE_THE_IMPORT, _monday_of, is_activity, quiet_since, render
from core.i18n import Text
from models.berlin import local_instant
from models.clocks import ClockName, Deadline, Rung
from models.digest import Digest, DigestItem, digest_key, iso_week
from models.journey import JourneyEvent, JourneyStage
from models.said import Said, say
from tests.english import assert_german
from workflows.deadlines import past_rung_summary


def test_weeks_are_iso_weeks_and_name_the_digest_key() -> None:
    assert iso_week(date(2026, 11, 27)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"  # ISO: the Friday belongs to the old year's last week
    assert _monday_of("2026-W53") == date(2026, 12, 28)
    assert digest_key("m.koch", "2026-W48") == "digest/m.koch/2026-W48"


def test_the_email_lists_every_section_with_case_ids_and_next_steps_in_both_languages() -> None:
    item = DigestItem(
        case_id="WC-7M2K9Q4XTB",
        where="journey 1",
        what=Said(text="Anmeldung after moving in"),
        due_on=date(2026, 12, 1),
        basis="§17(1) BMG (2 weeks)",
        next_step="record-anmeldung",
    )  # fmt: skip  (a label and basis of the policy, as collect() takes them)
    quiet = DigestItem(
        case_id="WC-2B3C4D5F6G", where="case", what=say("no activity since {day}", day=date(2026, 10, 1)),
        next_step="record-contract",
    )  # fmt: skip
    digest = Digest(
        handle="t.lead", role="team_lead", week="2026-W48", as_of=date(2026, 11, 23), due_soon=[item], quiet=[quiet]
    )
    subject, body = render(digest, Text("en"))
    assert subject.startswith("Welcome Center weekly digest 2026-W48 for t.lead: 0 overdue, 1 due within 14 days")
    assert "WC-7M2K9Q4XTB journey 1: due 2026-12-01: Anmeldung after moving in [§17(1) BMG (2 weeks)]" in body
    assert "next: record-anmeldung" in body
    assert "Overdue (0)" in body and "No activity for 30 days (1)" in body and "Escalated" in body
    # German by default (WC_LANGUAGE=de): the same facts, German words and dates, legal terms as they are.
    subject, body = render(digest, Text())
    assert subject.startswith("Welcome Center Wochenübersicht 2026-W48 für t.lead: 0 überfällig, 1 fällig in 14 Tagen")
    # A journey is a "Verlauf" as in the emails and status; the label and its legal basis German (#24).
    assert "WC-7M2K9Q4XTB Verlauf 1: fällig am 01.12.2026: Anmeldung nach dem Einzug [§17(1) BMG (2 Wochen)]" in body
    assert "nächster Schritt: record-anmeldung" in body and "Stand 23.11.2026" in body
    assert "Überfällig (0)" in body and "Seit 30 Tagen ohne Aktivität (1)" in body and "Teamleitung" in body
    assert_german(subject + "\n" + body, "the digest")


def test_a_quiet_case_is_dated_in_hannover_and_rungs_before_an_import_are_no_activity() -> None:
    # #24: an imported date is 00:00 in Berlin (the day before in UTC); the rungs the import
    # records as "not sent" lay after the last real step and must not hide a quiet case.
    deadline = Deadline(
        clock=ClockName.ANMELDUNG, label="Anmeldung after moving in", basis="§17(1) BMG (2 weeks)",
        started_on=date(2026, 6, 1), due_on=date(2026, 6, 15), anchor=datetime(2026, 6, 1, tzinfo=UTC),
        anchor_date=date(2026, 6, 1),
    )  # fmt: skip
    assert past_rung_summary(deadline, Rung.DUE).text == BEFORE_THE_IMPORT  # the digest's copy of the template
    last_step = local_instant(date(2026, 6, 1), time(0, 0))  # 2026-05-31 22:00 UTC
    history = [
        event(last_step, say("Moved in on {day}", day=date(2026, 6, 1))),
        event(datetime(2026, 6, 16, 7, tzinfo=UTC), past_rung_summary(deadline, Rung.DUE)),
    ]
    today = date(2026, 11, 23)
    assert [is_activity(e) for e in history] == [True, False]
    assert quiet_since(history, today) == date(2026, 6, 1)
    assert quiet_since(history[:1], date(2026, 6, 20)) is None  # 19 days: not quiet yet


def event(at: datetime, says: Said) -> JourneyEvent:
    return JourneyEvent(
        seq=1, occurred_at=at, action="x", advisor="system", to_stage=JourneyStage.ANMELDUNG,
        summary=says.english(), says=says, from_stage=None,
    )  # fmt: skip


def test_residence_permits_to_renew_have_their_own_section_in_both_languages() -> None:
    # #24: the permit's end is the office's next duty after the placement (records/renewals.py).
    ends = DigestItem(
        case_id="WC-7M2K9Q4XTB", where="journey 2", due_on=date(2027, 2, 1), basis="§81(4) AufenthG",
        what=say("residence permit ends: its renewal at the Ausländerbehörde, applied for before then"),
    )  # fmt: skip
    digest = Digest(handle="m.koch", role="advisor", week="2026-W48", as_of=date(2026, 11, 23), renewals=[ends])
    assert not digest.empty  # a digest with only a renewal is still sent
    _, body = render(digest, Text("en"))
    assert "Residence permits to renew (1)" in body
    assert "WC-7M2K9Q4XTB journey 2: due 2027-02-01: residence permit ends" in body
    _, body = render(digest, Text())
    assert "Aufenthaltstitel zu verlängern (1)" in body
    assert "WC-7M2K9Q4XTB Verlauf 2: fällig am 01.02.2027: Aufenthaltstitel endet" in body
    assert_german(body, "the digest")
    # Without renewals the section is left out, as before.
    assert "Residence permits" not in render(digest.model_copy(update={"renewals": []}), Text("en"))[1]
