"""The door's own rules: free text that looks like personal data, and the reserved handle."""

from __future__ import annotations

import pytest

from models.case import AddCaseNote, CloseCase, SelectCandidates, Withdraw
from models.door import refusals
from models.journey import RecordContract, RecordDocuments, RecordEmploymentEnded, WithdrawCandidate
from models.text import personal_data_in


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Family reasons", None),
        ("Termin am 12.03.2026 bestätigt", None),
        ("Visa issued on 2026-11-20", None),
        ("THAMM-4711", None),
        ("ZAB-2025-11-0042", None),
        ("passt gut", None),
        ("Rückruf: a.benali@example.com", "an e-mail address"),
        ("IBAN DE89 3704 0044 0532 0130 00", "an IBAN"),
        ("Tel +49 511 1234567", "a phone number"),
        ("Anruf 0511 616-23456", "a phone number"),
        ("Tel:0511/616-23456", "a phone number"),
        ("(0511) 616 23456", "a phone number"),
        ("DMS-0201-12345-1", None),  # a document reference (#24)
        ("siehe DMS-0201-12345-1 und AZ-0511-616-23456", None),
        ("geb. 01.02.1990", "a birth date"),
        ("BENALI-AHMED-19900201", "a birth date"),
        ("Pass C01X00T47 Ahmed Benali", "a passport or ID number"),
        ("Reisepass TN1234567", "a passport or ID number"),
    ],
)
def test_what_looks_like_personal_data(text: str, kind: str | None) -> None:
    found = personal_data_in(text)
    assert (str(found) if found else None) == kind


def test_refusals_name_the_field_also_in_optional_and_nested_fields() -> None:
    withdraw = Withdraw(
        advisor="m.koch", party="employer", reason_code="other", reason="call +49 511 1234567", note="a@b.de"
    )
    assert [str(f).split(":")[0] for f in refusals(withdraw)] == ["note", "reason"]
    documents = RecordDocuments(
        advisor="m.koch",
        documents=[
            {"code": "passport_copy", "reference": "DMS-1", "received_on": "2026-01-01"},
            {"code": "passport_copy", "reference": "Pass C01X00T47", "received_on": "2026-01-01"},
        ],
    )
    assert [str(f).split(":")[0] for f in refusals(documents)] == ["documents.1.reference"]
    selection = SelectCandidates(
        advisor="m.koch", candidates=[{"candidate_ref": "BENALI-AHMED-19900201", "origin_country": "TN"}]
    )
    assert str(refusals(selection)[0]).startswith("candidates.0.candidate_ref: looks like a birth date")


def test_system_is_reserved_for_the_workflows_and_clean_input_passes() -> None:
    assert [str(f) for f in refusals(AddCaseNote(advisor="system", note="Called back"))] == [
        "advisor: 'system' is reserved for the entries the workflows make themselves"
    ]
    assert refusals(RecordContract(advisor="m.koch", signed_on="2026-01-02", starts_on="2026-06-01")) == []


A = {"advisor": "m.koch"}
ENDED = {**A, "ended_on": "2026-05-04"}


@pytest.mark.parametrize(
    ("action", "refused"),
    [
        # A free-text reason alone (as before the codes) is refused: a code is required.
        (WithdrawCandidate(**A, reason="Family illness"), "reason_code: required: say why with a code (other_offer,"),
        (CloseCase(**A, reason="No further profile"), "reason_code: required: say why with a code (positions_filled,"),
        (Withdraw(**A, party="employer"), "reason_code: required: say why with a code (filled_otherwise,"),
        (RecordEmploymentEnded(**ENDED), "reason_code: required: say why with a code (probation_not_passed,"),
        # 'other' says what in a short note; a note is never a story.
        (WithdrawCandidate(**A, reason_code="other"), "reason: required with reason_code 'other'"),
        (CloseCase(**A, reason_code="positions_filled", reason="x" * 201), "reason: the note to the code has 201"),
        (WithdrawCandidate(**A, reason_code="other", reason="Tel +49 511 1234567"), "reason: looks like a phone"),
        # Accepted: a code, with or without a short note.
        (WithdrawCandidate(**A, reason_code="personal_reasons"), None),
        (WithdrawCandidate(**A, reason_code="other", reason="Visa for another country"), None),
        (CloseCase(**A, reason_code="positions_filled", reason="x" * 200), None),
        (RecordEmploymentEnded(**ENDED, reason_code="resigned"), None),
    ],
)
def test_reasons_for_ends_are_codes_with_an_optional_short_note(action: object, refused: str | None) -> None:
    found = refusals(action)  # type: ignore[arg-type]
    if refused is None:
        assert found == []
    else:
        assert len(found) == 1 and str(found[0]).startswith(refused), found


def test_an_unknown_reason_code_is_refused_by_the_model_naming_the_field() -> None:
    with pytest.raises(ValueError, match="reason_code"):
        WithdrawCandidate(**A, reason_code="family_illness")
