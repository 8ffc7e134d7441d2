"""Bad input is refused in the office's language (#24 point 4): the field by its code, the
reason in German, no English sentence; the same refusal in English on request. Refused
before Temporal, so no server is needed."""

from __future__ import annotations

import io

import pytest
from temporalio.service import RPCError, RPCStatusCode

from core.config import get_settings
from starter.cli import EXIT_BAD_INPUT, main, rpc_refusal
from tests.english import assert_german
from tests.starter.test_cli import NEW_CASE

CASE = "WC-0123456789"
ADVISOR = ["--advisor", "m.koch"]


def _replaced(argv: list[str], flag: str, value: str) -> list[str]:
    changed = list(argv)
    changed[changed.index(flag) + 1] = value
    return changed


async def _refused(argv: list[str], language: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    settings = get_settings().model_copy(update={"language": language})
    code = await main(argv, settings=settings, out=out, err=err)
    assert code == EXIT_BAD_INPUT, (argv, out.getvalue(), err.getvalue())
    return err.getvalue()


CASES = [
    (
        _replaced(NEW_CASE, "--monthly-gross-wage-eur", "dreitausend"),
        "monthly_gross_wage_eur: keine Zahl: 'dreitausend'",
        "monthly_gross_wage_eur: not a number: 'dreitausend'",
    ),
    (
        _replaced(NEW_CASE, "--monthly-gross-wage-eur", "3.400,505"),
        "monthly_gross_wage_eur: höchstens 2 Nachkommastellen",
        "monthly_gross_wage_eur: at most 2 decimal places",
    ),
    (
        [a for a in NEW_CASE if a not in ("--occupation", "nurse")],
        "occupation: Pflichtangabe",
        "occupation: required",
    ),
    (
        _replaced(NEW_CASE, "--qualification-level", "master"),
        "qualification_level: 'master' ist keiner von 'vocational', 'academic', 'trainee'",
        "qualification_level: 'master' is not one of 'vocational', 'academic', 'trainee'",
    ),
    (
        _replaced(NEW_CASE, "--positions", "0"),
        "positions: muss mindestens 1 sein",
        "positions: must be at least 1",
    ),
    (
        ["record-contract", CASE, *ADVISOR, "--signed-on", "2026-13-01", "--starts-on", "2027-03-01"],
        "signed_on: kein Datum (JJJJ-MM-TT): '2026-13-01'",
        "signed_on: not a date (YYYY-MM-DD): '2026-13-01'",
    ),
    (
        ["record-contract", "WC-12", *ADVISOR, "--signed-on", "2026-11-01", "--starts-on", "2027-03-01"],
        "case_id: 'WC-12' ist keine Fallnummer",
        "case_id: 'WC-12' is not a case id",
    ),
    (
        ["select-candidates", CASE, *ADVISOR, "--candidate", "THAMM-4711"],
        "candidates: 'THAMM-4711' muss REF:LAND oder REF:LAND:45+ sein",
        "candidates: 'THAMM-4711' must be REF:COUNTRY or REF:COUNTRY:45+",
    ),
    (
        ["add-note", CASE, *ADVISOR, "--note", "Rückruf an a.benali@example.org"],
        "note: sieht aus wie eine E-Mail-Adresse",
        "note: looks like an e-mail address",
    ),
    (
        ["withdraw", CASE, *ADVISOR, "--party", "employer", "--reason-code", "other"],
        "reason: Pflichtangabe bei reason_code 'other'",
        "reason: required with reason_code 'other'",
    ),
    (
        ["record-visa-decision", CASE, *ADVISOR, "--decision", "refused", "--decided-on", "2026-11-02"],
        "notified_on: Pflichtangabe bei abgelehntem Visum",
        "notified_on: required when the visa is refused",
    ),
    (
        ["record-contract", CASE, "--advisor", "nobody.here", "--signed-on", "2026-11-01", "--starts-on", "2027-03-01"],
        "advisor: 'nobody.here' steht nicht auf der Personalliste",
        "advisor: 'nobody.here' is not on the staff list",
    ),
    (
        ["list", "--stage", "somewhere"],
        "stage: 'somewhere' ist keine von",
        "stage: 'somewhere' is not one of",
    ),
]


@pytest.mark.parametrize(("argv", "german", "english"), CASES, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in CASES])
async def test_bad_input_is_refused_in_german_naming_the_field(argv: list[str], german: str, english: str) -> None:
    said = await _refused(argv, "de")
    assert said.startswith("Fehler: ") and german in said, said
    assert_german(said, " ".join(argv))
    said = await _refused(argv, "en")
    assert said.startswith("error: ") and english in said, said


@pytest.mark.parametrize(
    ("status", "message", "closed", "says"),
    [
        (RPCStatusCode.NOT_FOUND, "workflow execution already completed", True, "is closed"),
        (RPCStatusCode.NOT_FOUND, "workflow update was aborted by closing workflow", True, "is closed"),
        (RPCStatusCode.NOT_FOUND, "workflow not found for ID: case-WC-0000000000", False, "case not found"),
        (RPCStatusCode.UNAVAILABLE, "connection refused", False, "Temporal answered UNAVAILABLE"),
    ],
)
def test_temporal_s_refusals_in_the_advisor_s_words(
    status: RPCStatusCode, message: str, closed: bool, says: str
) -> None:
    found, why = rpc_refusal(RPCError(message, status, b""))
    assert found is closed and says in why.english()
