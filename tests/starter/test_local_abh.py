"""The local Ausländerbehörde (#24): a case names where the worker will live, so the office knows
which ABH issues the residence permit and receives the employer's report; a wrong value is
refused with its field, and no case opens."""

from __future__ import annotations

import json

from tests.conftest import Stack
from tests.starter.test_cli import NEW_CASE, ok, open_case, run


async def test_a_case_names_its_local_abh_and_status_shows_it(stack: Stack) -> None:
    case_id = await open_case(stack, "--local-abh", "region_hannover")
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    assert status["local_abh"] == "region_hannover"
    assert "Ausländerbehörde der Region Hannover" in await ok(stack, "status", case_id)


async def test_an_unknown_abh_is_refused_with_its_field(stack: Stack) -> None:
    code, out, err = await run(stack, *NEW_CASE, "--local-abh", "Hildesheim")
    assert code != 0 and "local_abh" in err and not out.strip()
