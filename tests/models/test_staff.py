"""Who acts (#13 point 5): the staff list with roles, checked at the door."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models import programmes, staff
from models.case import AddCaseNote, EraseCase
from models.door import refusals
from models.records import ResendEmail


@pytest.fixture
def office() -> Iterator[None]:
    staff.use(staff.load_staff(staff.DEFAULT_STAFF_FILE))
    yield
    staff.use(None)


@pytest.mark.parametrize(
    ("action", "refused"),
    [
        (AddCaseNote(advisor="m.koch", note="Called back"), None),
        (AddCaseNote(advisor="t.lead", note="Called back"), None),
        (AddCaseNote(advisor="n.unknown", note="Called back"), "advisor: 'n.unknown' is not on the staff list"),
        (
            AddCaseNote(advisor="ops.lead", note="x"),
            "advisor: 'ops.lead' is operations; this needs advisor / team_lead",
        ),
        (EraseCase(advisor="t.lead", basis="request"), None),
        (EraseCase(advisor="m.koch", basis="request"), "advisor: 'm.koch' is advisor; this needs team_lead"),
        (ResendEmail(advisor="ops.lead"), None),
    ],
)
def test_the_door_knows_who_may_do_what(office: None, action: object, refused: str | None) -> None:
    assert [str(f) for f in refusals(action)] == ([refused] if refused else [])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "staff:\n  - {handle: m.koch, role: advisor}\n  - {handle: m.koch, role: team_lead}\n",
            "listed twice: m.koch",
        ),
        ("staff:\n  - {handle: system, role: advisor}\n", "'system' is reserved"),
        ("staff:\n  - {handle: m.koch, role: boss}\n", "role"),
    ],
)
def test_a_broken_staff_file_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "staff.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        staff.load_staff(path)


@pytest.mark.parametrize(
    ("programme", "ref", "refused"),
    [
        ("THAMM Plus", "THAMM-4711", False),
        ("THAMM Plus", "ANAPEC-0815", False),
        ("THAMM Plus", "BENALI-AHMED", True),
        ("THAMM Plus", "R-100", True),
        ("Another programme", "R-100", False),  # not listed: the general form only
        (None, "R-100", False),
    ],
)
def test_candidate_references_follow_their_programme(programme: str | None, ref: str, refused: bool) -> None:
    programmes.use(programmes.load_programmes(programmes.DEFAULT_PROGRAMMES_FILE))
    try:
        why = programmes.refusal(programme, ref)
    finally:
        programmes.use(None)
    assert (why is not None) == refused
    if why:
        assert str(why).startswith(f"'{ref}' is not a THAMM Plus reference: THAMM-<number>")
