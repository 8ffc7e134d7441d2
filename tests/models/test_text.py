"""Hostile text is refused in the input models, so every client meets the same door."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from models.case import AddCaseNote, Employer
from models.journey import BookVisaAppointment, DocumentReceipt, WithdrawCandidate


@pytest.mark.parametrize(
    ("build", "field", "fragment"),
    [
        (lambda: AddCaseNote(advisor="m.koch", note="Rückruf\x00 morgen"), "note", "U+0000"),
        (lambda: WithdrawCandidate(advisor="m.koch", reason="Angebot \u202eadanaK\u202c angenommen"),
         "reason", "U+202E"),
        (lambda: Employer(name="Gastro\nNord GmbH"), "name", "a line break"),
        (lambda: Employer(name="Gastro Nord\u2028GmbH"), "name", "U+2028"),
        (lambda: BookVisaAppointment(advisor="m.koch", appointment_on=date(2026, 12, 1), mission="Tunis\r"),
         "mission", "U+000D"),
        (lambda: DocumentReceipt(code="passport", reference="DMS\u200b-1", received_on=date(2026, 1, 1)),
         "reference", "U+200B"),
    ],
    ids=["nul-in-note", "bidi-override", "newline-in-name", "line-separator", "cr-in-one-line", "zero-width"],
)  # fmt: skip
def test_control_and_format_characters_are_refused_naming_the_field(build, field: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        build()
    (error,) = err.value.errors()
    assert error["loc"][-1] == field and fragment in error["msg"]


def test_text_is_normalised() -> None:
    decomposed = "Koch in Hanno\u0308ver"  # "o" + combining diaeresis
    note = AddCaseNote(advisor="m.koch", note=f"Zeile 1\r\n{decomposed}\tmit Trenn\u00adstrich")
    assert note.note == "Zeile 1\nKoch in Hannöver\tmit Trennstrich"
    assert Employer(name="Ba\u0308ckerei Ko\u0308nig").name == "Bäckerei König"
