"""The workspace's forms (service/forms.py) come from the action models and become the
starter command they stand for; the starter's errors land beside the field they name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.i18n import Text
from models import clock
from service.forms import action_form, argv_of, filled, with_errors
from starter.parser import CASE_ACTIONS, JOURNEY_ACTIONS


@pytest.mark.parametrize("command", [*CASE_ACTIONS, *JOURNEY_ACTIONS, "add-note"])
def test_every_action_has_a_form_of_its_models_fields(command: str) -> None:
    form = action_form(command, Text("de"), candidate="THAMM-4711")
    assert form is not None and form.title
    names = {f.name for f in form.fields}
    assert "advisor" not in names  # the person signed in acts, never a field


# Dates as a person enters them: relative to today (the form passes them on as written).
SIGNED, STARTS = (clock.today() - timedelta(days=6)).isoformat(), (clock.today() + timedelta(days=28)).isoformat()


@pytest.mark.parametrize(
    ("command", "posted", "expected"),
    [
        (
            "record-contract",
            {"signed_on": SIGNED, "starts_on": STARTS, "note": "per Post", "advisor": "t.lead"},
            ["--note", "per Post", "--signed-on", SIGNED, "--starts-on", STARTS],
        ),
        (
            "record-documents",
            {"documents": f"employment_contract:DMS-1\n\n cv_german:DMS-2:{SIGNED} "},
            ["--document", "employment_contract:DMS-1", "--document", f"cv_german:DMS-2:{SIGNED}"],
        ),
        ("record-contract", {"signed_on": "", "unknown": "x"}, []),
    ],
)
def test_a_filled_form_is_the_command_as_the_person_signed_in(
    command: str, posted: dict[str, str], expected: list[str]
) -> None:
    form = filled(action_form(command, Text("de"), candidate="THAMM-4711"), posted)  # type: ignore[arg-type]
    argv = argv_of(form, "WC-0123456789", "m.koch")
    # A posted "advisor" is not a field: the command acts as m.koch, whatever was sent.
    assert argv[:6] == [command, "WC-0123456789", "--advisor", "m.koch", "--candidate", "THAMM-4711"]
    assert argv[6:] == expected


def test_an_error_naming_a_field_is_shown_beside_it_others_above_the_form() -> None:
    form = action_form("record-contract", Text("de"), candidate="THAMM-4711")
    assert form is not None
    ahead = Text("de").date(clock.today() + timedelta(days=10))
    beside = with_errors(form, f"abgelehnt: signed_on: {ahead} liegt in der Zukunft\n")
    assert beside.errors == {"signed_on": f"{ahead} liegt in der Zukunft"}
    above = with_errors(form, "abgelehnt: record_contract: für contract fehlen Unterlagen: employment_contract\n")
    assert set(above.errors) == {""} and "fehlen Unterlagen" in above.errors[""]
