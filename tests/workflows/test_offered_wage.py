"""change-offered-wage (#24): the employer raises the wage (after the BA's §39(2) refusal, or
to meet the route's threshold); the case checks the new offer as the consultation does and
tells its running journeys, whose 45+ proof follows the new wage. Through the starter, as an
advisor types it."""

from __future__ import annotations

import json
from datetime import timedelta

from core.i18n import Text
from models import clock
from models.said import Said
from tests.conftest import Stack
from tests.starter.test_cli import ok, open_case, run

ADVISOR = ("--advisor", "m.koch")


async def _status(stack: Stack, case_id: str) -> dict:
    return json.loads(await ok(stack, "status", case_id, "--json"))


async def test_a_raised_wage_reaches_the_journeys_and_drops_the_pension_proof(stack: Stack) -> None:
    case_id = await open_case(stack)  # §18a at 3,400 EUR a month: 40,800 a year, below the 45+ figure
    await ok(stack, "complete-consultation", case_id, *ADVISOR, "--wage-meets-local-standard")
    await ok(
        stack, "select-candidates", case_id, *ADVISOR, "--candidate", "THAMM-4545:MA:45+", "--candidate", "THAMM-1:TN"
    )
    before = await _status(stack, case_id)
    older, younger = before["journeys"]
    assert older["state"]["pension_proof_needed"] and not younger["state"]["pension_proof_needed"]
    # The journey carries the offer, to check it by the year of its own steps (process/first_title.py).
    assert older["state"]["offered_wage"]["monthly_gross_wage_eur"] == "3400"

    today = clock.today().isoformat()
    out = await ok(
        stack, "change-offered-wage", case_id, *ADVISOR, "--monthly-gross-wage-eur", "4647,50",
        "--changed-on", today, "--reason", "raised after the BA's refusal (§39(2))",
    )  # fmt: skip
    assert "to 4,647.50 EUR a month" in out
    after = await _status(stack, case_id)
    assert after["monthly_gross_wage_eur"] == "4647.50"
    assert after["history"][-1]["action"] == "offered_wage_changed"
    german = Text("de").said(Said.model_validate(after["history"][-1]["says"]))
    assert "von 3.400 EUR auf 4.647,50 EUR im Monat geändert" in german
    older, younger = after["journeys"]
    assert older["state"]["pension_proof_needed"] is None
    assert older["state"]["offered_wage"]["monthly_gross_wage_eur"] == "4647.50"
    assert older["state"]["history"][-1]["action"] == "offered_wage_changed"
    assert "no longer needed" in older["state"]["history"][-1]["summary"]
    assert younger["state"]["history"][-1]["action"] == "offered_wage_changed"

    # Lowered again: the proof is needed again, for the older candidate only.
    await ok(
        stack, "change-offered-wage", case_id, *ADVISOR, "--monthly-gross-wage-eur", "4600",
        "--changed-on", today, "--reason", "offer corrected",
    )  # fmt: skip
    older, younger = (await _status(stack, case_id))["journeys"]
    assert "55,200 EUR a year is below 55,770.00" in older["state"]["pension_proof_needed"]
    assert younger["state"]["pension_proof_needed"] is None


async def test_a_wage_below_the_threshold_is_raised_before_the_consultation_completes(stack: Stack) -> None:
    case_id = await open_case(
        stack, "--route", "18g", "--qualification-level", "academic", "--occupation", "software_developer",
        "--monthly-gross-wage-eur", "3500", "--regulated-profession", "no",
    )  # fmt: skip
    code, _, err = await run(stack, "complete-consultation", case_id, *ADVISOR, "--wage-meets-local-standard")
    assert code != 0 and "monthly_gross_wage_eur" in err
    today = clock.today().isoformat()
    await ok(
        stack, "change-offered-wage", case_id, *ADVISOR, "--monthly-gross-wage-eur", "4300",
        "--changed-on", today, "--reason", "raised to the Blue Card threshold",
    )  # fmt: skip
    await ok(stack, "complete-consultation", case_id, *ADVISOR, "--wage-meets-local-standard")
    case = await _status(stack, case_id)
    assert case["stage"] == "candidate_selection" and case["ba_consent_required"] is False
    assert "no BA consent needed" in case["wage_check"]


async def test_a_wrong_change_is_refused_with_its_field_and_changes_nothing(stack: Stack) -> None:
    case_id = await open_case(stack, "--route", "19c2", "--monthly-gross-wage-eur", "3900")
    await ok(stack, "complete-consultation", case_id, *ADVISOR, "--wage-meets-local-standard")
    before = await _status(stack, case_id)
    today, tomorrow = clock.today(), clock.today() + timedelta(days=1)
    for flags, field in [
        (("--monthly-gross-wage-eur", "3900", "--changed-on", today.isoformat()), "monthly_gross_wage_eur"),
        (("--monthly-gross-wage-eur", "4000", "--changed-on", tomorrow.isoformat()), "changed_on"),
        # Below §19c(2)'s 45% of the ceiling and no collective agreement.
        (("--monthly-gross-wage-eur", "3000", "--changed-on", today.isoformat()), "monthly_gross_wage_eur"),
        (("--monthly-gross-wage-eur", "0", "--changed-on", today.isoformat()), "monthly_gross_wage_eur"),
    ]:
        code, _, err = await run(stack, "change-offered-wage", case_id, *ADVISOR, *flags, "--reason", "new offer")
        assert code != 0 and field in err, (flags, err)
    after = await _status(stack, case_id)
    assert after["monthly_gross_wage_eur"] == before["monthly_gross_wage_eur"]
    assert len(after["history"]) == len(before["history"])
