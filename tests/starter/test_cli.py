"""The advisor command line, driven through ``main`` with the test client."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from records.schema import cases
from starter.cli import EXIT_BAD_INPUT, EXIT_REJECTED, main
from tests.conftest import Stack
from tests.support import eventually

ROOT = Path(__file__).resolve().parents[2]


async def run(stack: Stack, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await main(list(argv), client=stack.client, settings=stack.settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def open_case(stack: Stack, *extra: str) -> str:
    code, out, err = await run(
        stack,
        "new-case",
        "--advisor", "m.koch",
        "--employer-name", "Pflegeheim Linden gGmbH",
        "--occupation", "Pflegefachkraft",
        "--positions", "2",
        "--route", "§18a",
        "--origin-programme", "THAMM Plus",
        *extra,
    )  # fmt: skip
    assert code == 0, err
    return out.strip()


async def test_every_advisor_command_carries_a_case_to_closed(stack: Stack) -> None:
    case_id = await open_case(stack)
    assert case_id.startswith("WC-")
    steps = [
        ["complete-consultation", "--wage-meets-local-standard"],
        ["select-candidates", "--candidate", "THAMM-4711:TN", "--candidate", "THAMM-0815:MA"],
        ["record-ba-consent", "--decision", "granted", "--path", "vorabzustimmung",
         "--decided-on", "2026-10-01"],
        ["record-visa-decision", "--decision", "issued", "--decided-on", "2026-11-02",
         "--valid-until", "2027-02-01"],
        ["record-arrival", "--arrived-on", "2026-11-20", "--note", "picked up at HAJ"],
    ]  # fmt: skip
    expected_stages = ["candidate_selection", "ba_handoff", "visa", "arrival", "closed"]
    for step, stage in zip(steps, expected_stages, strict=True):
        code, out, err = await run(stack, step[0], case_id, "--advisor", "m.koch", *step[1:])
        assert code == 0, err
        assert f"(stage: {stage})" in out

    code, out, _ = await run(stack, "status", case_id)
    assert code == 0
    assert f"Case {case_id}   stage: closed" in out
    assert "Pflegeheim Linden gGmbH" in out
    assert "THAMM-4711 (TN), THAMM-0815 (MA)" in out
    assert "note: picked up at HAJ" in out
    assert f"/namespaces/default/workflows/case-{case_id}" in out

    code, out, _ = await run(stack, "status", case_id, "--json")
    status = json.loads(out)
    assert status["stage"] == "closed"
    assert status["outcome"] == "placed"
    assert [e["action"] for e in status["history"]][-1] == "arrival_recorded"
    assert status["ui"].endswith(f"/workflows/case-{case_id}")


async def test_withdraw_from_the_command_line(stack: Stack) -> None:
    case_id = await open_case(stack)
    code, out, err = await run(
        stack, "withdraw", case_id, "--advisor", "a.yilmaz", "--party", "employer",
        "--reason", "vacancy filled locally", "--json",
    )  # fmt: skip
    assert code == 0, err
    state = json.loads(out)
    assert state["stage"] == "closed"
    assert state["outcome"] == "withdrawn_by_employer"
    assert state["outcome_reason"] == "vacancy filled locally"

    # Anything after closing is refused with a reason, not a stack trace.
    code, _, err = await run(stack, "complete-consultation", case_id, "--advisor", "m.koch")
    assert code == EXIT_REJECTED
    assert "is closed" in err


async def test_new_case_with_a_known_id_is_safe_to_repeat(stack: Stack) -> None:
    case_id = await open_case(stack)
    again = await open_case(stack, "--case-id", case_id)
    assert again == case_id
    code, out, _ = await run(stack, "status", case_id, "--json")
    assert code == 0
    assert len(json.loads(out)["history"]) == 1


async def test_list_shows_cases_from_visibility(stack: Stack) -> None:
    first = await open_case(stack)
    second = await open_case(stack)
    await run(stack, "complete-consultation", second, "--advisor", "m.koch",
              "--wage-meets-local-standard")  # fmt: skip

    async def listed(*args: str) -> list[dict]:
        code, out, err = await run(stack, "list", "--json", "--open", *args)
        assert code == 0, err
        return [r for r in json.loads(out) if r["case_id"] in (first, second)]

    rows = await eventually(lambda: _both(listed("--stage", "candidate_selection")), timeout=30)
    assert [r["case_id"] for r in rows] == [second]
    rows = await eventually(lambda: _both(listed(), expect=2), timeout=30)
    assert {r["case_id"] for r in rows} == {first, second}
    assert {r["route"] for r in rows} == {"18a"}

    code, out, _ = await run(stack, "list")
    assert code == 0
    assert out.splitlines()[0].startswith("CASE")


async def _both(rows_coro, expect: int = 1):  # type: ignore[no-untyped-def]
    rows = await rows_coro
    return rows if len(rows) == expect else None


async def test_bad_input_names_the_field_and_reaches_nothing(stack: Stack) -> None:
    cases_before = _count_cases(stack)
    bad = [
        (["new-case", "--advisor", "m.koch", "--employer-name", "X GmbH", "--occupation", "Koch",
          "--route", "§19c"], "route"),
        (["new-case", "--advisor", "m.koch", "--employer-name", "X GmbH", "--occupation", "Koch",
          "--route", "18a", "--positions", "0"], "positions"),
        (["new-case", "--employer-name", "X GmbH", "--occupation", "Koch", "--route", "18a"],
         "advisor"),
        (["status", "case-123"], "case_id"),
        (["record-ba-consent", "WC-0000000000", "--advisor", "m.koch", "--decision", "maybe",
          "--path", "embassy", "--decided-on", "2026-10-01"], "decision"),
        (["record-arrival", "WC-0000000000", "--advisor", "m.koch", "--arrived-on", "20.11.2026"],
         "arrived_on"),
        (["select-candidates", "WC-0000000000", "--advisor", "m.koch", "--candidate", "THAMM-1"],
         "candidates"),
        (["select-candidates", "WC-0000000000", "--advisor", "m.koch", "--candidate",
          "THAMM-1:Tunisia"], "origin_country"),
        (["list", "--stage", "somewhere"], "stage"),
    ]  # fmt: skip
    for argv, field in bad:
        code, out, err = await run(stack, *argv)
        assert code == EXIT_BAD_INPUT, (argv, err)
        assert field in err, (argv, err)
        assert out == ""
    assert _count_cases(stack) == cases_before


async def test_a_step_out_of_order_is_rejected_with_the_reason(stack: Stack) -> None:
    case_id = await open_case(stack)
    code, _, err = await run(
        stack, "record-arrival", case_id, "--advisor", "m.koch", "--arrived-on", "2026-11-20"
    )
    assert code == EXIT_REJECTED
    assert err.startswith("rejected:") and "consultation" in err
    code, _, err = await run(stack, "complete-consultation", case_id, "--advisor", "m.koch")
    assert code == EXIT_REJECTED
    assert "§39" in err
    code, out, _ = await run(stack, "status", case_id, "--json")
    assert json.loads(out)["stage"] == "consultation"


async def test_unknown_case_is_reported(stack: Stack) -> None:
    code, _, err = await run(stack, "status", "WC-ZZZZZZZZZZ")
    assert code == EXIT_REJECTED
    assert "not found" in err


async def _program(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    # A subprocess, awaited: the worker of this test runs on the same event loop.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter", *argv, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_python_m_starter_runs_as_a_program(stack: Stack) -> None:
    env = {
        **os.environ,
        "WC_TEMPORAL_ADDRESS": stack.settings.temporal_address,
        "WC_TASK_QUEUE": stack.settings.task_queue,
    }
    new_case = ["new-case", "--advisor", "m.koch", "--employer-name", "Bäckerei Nord",
                "--occupation", "Bäcker", "--route", "16d3"]  # fmt: skip
    code, out, err = await _program(env, *new_case)
    assert code == 0, err
    case_id = out.strip()
    code, out, err = await _program(env, "status", case_id, "--json")
    assert code == 0, err
    assert json.loads(out)["route"] == "16d3"

    code, out, err = await _program(env, *new_case, "--procedure", "fast")
    assert code == EXIT_BAD_INPUT
    assert "procedure" in err and out == ""


def _count_cases(stack: Stack) -> int:
    with stack.engine.connect() as conn:
        return len(conn.execute(select(cases.c.case_id)).all())
