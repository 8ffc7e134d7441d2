"""The weekly digest's week keys and its email text in both languages (#16 point 2),
with fixed dates: pure rendering, nothing here reads today."""

from __future__ import annotations

from datetime import date

from activities.digest import _monday_of, render
from core.i18n import Text
from models.digest import Digest, DigestItem, digest_key, iso_week
from models.said import Said, say
from tests.english import assert_german


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
