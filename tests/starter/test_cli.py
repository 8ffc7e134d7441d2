"""The advisor command line end to end: every command through the office service with the
thin client's code, as the person it names (tests/service/office.py: Door)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select

from models import clock
from records.schema import cases
from starter.cli import EXIT_BAD_INPUT, EXIT_REJECTED
from tests.conftest import SERVER_TLS, Stack
from tests.service.office import Door, door
from tests.support import eventually

ROOT = Path(__file__).resolve().parents[2]
START = clock.today() - timedelta(days=400)
EARLIER_DAY = clock.today() - timedelta(days=60)  # a date the door accepts, for input refused elsewhere
EARLIER = EARLIER_DAY.isoformat()


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


DOORS: dict[int, Door] = {}


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def through_the_office_service(stack: Stack) -> AsyncIterator[None]:
    """Every command of these end-to-end tests goes through the office service, as an
    advisor's does (#25 point 7); the service runs the starter's own main()."""
    async with door(stack) as opened:
        DOORS[id(stack)] = opened
        yield
        del DOORS[id(stack)]


async def run(stack: Stack, *argv: str) -> tuple[int, str, str]:
    if (opened := DOORS.get(id(stack))) is not None:
        return await opened.run(*argv)
    async with door(stack) as once:  # another module's test, borrowing these helpers
        return await once.run(*argv)


async def ok(stack: Stack, *argv: str) -> str:
    code, out, err = await run(stack, *argv)
    assert code == 0, (argv, err)
    return out


NEW_CASE = [
    "new-case", "--advisor", "m.koch", "--employer-name", "Pflegeheim Linden gGmbH",
    "--employer-contact", "hr@pflegeheim-linden.example", "--earlier-international-hires", "no",
    "--occupation", "nurse", "--qualification-level", "vocational",
    "--monthly-gross-wage-eur", "3400", "--positions", "2", "--route", "§18a",
    "--origin-programme", "THAMM Plus",
]  # fmt: skip


async def open_case(stack: Stack, *extra: str) -> str:
    return (await ok(stack, *NEW_CASE, *extra)).strip()


async def hand_in_documents(stack: Stack, case_id: str, candidate: str, on: str) -> None:
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    (journey,) = [j for j in status["journeys"] if j["state"]["candidate"]["candidate_ref"] == candidate]
    flags = [f for code in journey["open_documents"] for f in ("--document", f"{code}:DMS-{code[:12]}:{on}")]
    if not flags:
        return
    await ok(stack, "record-documents", case_id, "--candidate", candidate, "--advisor", "m.koch", *flags)


async def offered_steps_run(stack: Stack, case_id: str, seen: set[str]) -> list[str]:
    """Every next step ``status`` offers is a command the starter runs (its --help answers)."""
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    steps = [step for j in status["journeys"] for step in j["next_steps"]]
    steps += [step for j in status["journeys"] for m in j["milestones"] for step in m["next_steps"]]
    for step in sorted(set(steps) - seen):
        code, help_text, err = await run(stack, step, "--help")  # on the given output, also through the service
        assert code == 0 and f"usage: bin/starter {step}" in help_text, (step, err)
        seen.add(step)
    return steps


async def test_every_advisor_command_carries_a_case_to_closed(stack: Stack, tmp_path: Path) -> None:
    # The case from a YAML file, as an office would keep it.
    case_file = tmp_path / "case.yaml"
    case_file.write_text(
        "advisor: m.koch\nemployer:\n  name: Gastro Nord GmbH\n  sector: Systemgastronomie\n"
        "  contact: personal@gastro-nord.example\n  earlier_international_hires: true\n"
        "occupation: cook\nqualification_level: vocational\nmonthly_gross_wage_eur: 2900\n"
        "positions: 1\nroute: 18a\nprocedure: regular\norigin_programme: THAMM Plus\n"
    )
    case_id = (await ok(stack, "new-case", "--file", str(case_file))).strip()
    assert case_id.startswith("WC-")
    actor = ["--advisor", "m.koch"]
    out = await ok(stack, "complete-consultation", case_id, *actor, "--wage-meets-local-standard")
    assert "(stage: candidate_selection)" in out
    out = await ok(stack, "select-candidates", case_id, *actor, "--candidate", "THAMM-4711:TN")
    assert "(stage: journeys)" in out
    seen: set[str] = set()

    async def step(*argv: str) -> str:
        await offered_steps_run(stack, case_id, seen)
        return (
            await ok(stack, *argv, case_id, *actor)
            if len(argv) == 1
            else await ok(stack, argv[0], case_id, *actor, *argv[1:])
        )

    # With one candidate, --candidate may be left out.
    await hand_in_documents(stack, case_id, "THAMM-4711", day(0))
    out = await step("record-contract", "--signed-on", day(1), "--starts-on", day(200))
    assert "(stage: recognition)" in out  # recognition ran beside the contract
    await step("apply-for-recognition", "--applied-on", day(5), "--body", "IHK FOSA")
    await step("confirm-recognition-receipt", "--confirmed-on", day(20))
    await step("record-recognition-complete", "--complete-on", day(25))
    await step("pause-recognition-clock", "--paused-on", day(30), "--reason-code", "missing_documents",
               "--reason", "Syllabus translation unclear")  # fmt: skip
    await step("resume-recognition-clock", "--resumed-on", day(35))
    await step("extend-recognition-clock", "--until", day(150), "--reason", "Expert opinion needed")
    recognition = tmp_path / "recognition.json"
    recognition.write_text(json.dumps({"decision": "full", "decided_on": day(60)}))
    out = await step("record-recognition", "--file", str(recognition))
    assert "Full recognition by IHK FOSA" in out
    # The employer's Vorabzustimmung request (no consent fiction on this path), with a question.
    await step("request-ba-consent", "--path", "vorabzustimmung", "--requested-on", day(62))
    await step("ba-information-requested", "--asked-on", day(64))
    await step("ba-answers-sent", "--received-on", day(66))
    await step("record-ba-decision", "--decision", "granted", "--decided-on", day(68))
    await step("book-visa-appointment", "--appointment-on", day(70), "--mission", "Tunis")
    await hand_in_documents(stack, case_id, "THAMM-4711", day(65))
    await step("record-visa-application", "--applied-on", day(70))
    await step("record-visa-decision", "--decision", "issued", "--decided-on", day(100), "--valid-until", day(465))
    soon = clock.today() + timedelta(days=3)
    # Past the agreed start (day 200): the employer's new start date comes with it.
    await step("delay-arrival", "--expected-on", soon.isoformat(), "--reason", "Flight",
               "--new-start-on", (soon + timedelta(days=14)).isoformat())  # fmt: skip
    await step("record-arrival", "--arrived-on", day(150), "--note", "picked up at HAJ")
    await step("record-job-start", "--started-on", day(152))
    await step("record-moving-in", "--moved-in-on", day(150))
    await hand_in_documents(stack, case_id, "THAMM-4711", day(151))
    await step("record-anmeldung", "--registered-on", day(155))
    await hand_in_documents(stack, case_id, "THAMM-4711", day(156))
    await step("record-permit-application", "--applied-on", day(160))
    # §81(4) S.1 AufenthG: the application keeps the status; its documents follow (#24).
    await hand_in_documents(stack, case_id, "THAMM-4711", day(161))
    await step("record-fiktionsbescheinigung", "--issued-on", day(170), "--valid-until", day(260),
               "--reference", "DMS-FB-1")  # fmt: skip
    await step("record-permit-decision", "--decision", "granted", "--decided-on", day(190), "--valid-until", day(1600))
    await step("add-note", "--candidate", "THAMM-4711", "--note", "integration course booked")
    await step("record-probation-passed", "--passed-on", day(335))
    out = await step("record-integration-course", "--status", "registered", "--recorded-on", day(336), "--json")
    assert json.loads(out)["state"]["outcome"] == "placed"
    # The walk offered these, and each was a runnable command.
    assert {"record-contract", "apply-for-recognition", "request-ba-consent", "ba-answers-sent",
            "record-fiktionsbescheinigung", "record-integration-course", "withdraw-candidate"} <= seen  # fmt: skip

    async def closed() -> dict | None:
        status = json.loads(await ok(stack, "status", case_id, "--json"))
        return status if status["stage"] == "closed" else None

    status = await eventually(closed)
    assert (status["outcome"], status["outcome_reason"]) == ("placed", "1 of 1 position(s) filled")
    assert status["ui"].endswith(f"/workflows/case-{case_id}")
    journey = status["journeys"][0]
    assert journey["state"]["stage"] == "finished"
    assert "note_added" in [e["action"] for e in journey["state"]["history"]]

    text = await ok(stack, "status", case_id)
    assert f"Case {case_id}   stage: closed   (closed, placed (1 of 1 position(s) filled))" in text
    assert "Gastro Nord GmbH (Systemgastronomie), contact personal@gastro-nord.example" in text
    assert "Journey 1: candidate THAMM-4711 (TN)   stage: finished, placed" in text
    assert "note: picked up at HAJ" in text
    assert f"/namespaces/default/workflows/case-{case_id}" in text


async def test_status_shows_open_documents_and_next_steps_per_journey(stack: Stack) -> None:
    case_id = await open_case(stack)
    await ok(stack, "complete-consultation", case_id, "--advisor", "m.koch", "--wage-meets-local-standard")
    await ok(stack, "select-candidates", case_id, "--advisor", "m.koch",
             "--candidate", "THAMM-4711:TN", "--candidate", "ANAPEC-0815:MA")  # fmt: skip
    text = await ok(stack, "status", case_id)
    assert "Journey 2: candidate ANAPEC-0815 (MA)   stage: contract" in text
    # Contract and recognition run side by side, each with its own documents and steps.
    assert "Open:           contract: Employment or training contract signed" in text
    assert "documents missing: employment_contract (Arbeitsvertrag), erklaerung_beschaeftigungsverhaeltnis" in text
    assert "Open:           recognition: Recognition (Anerkennung) of the qualification" in text
    assert "next: apply-for-recognition" in text
    assert (
        "Next steps:     record-contract, apply-for-recognition, record-documents, withdraw-candidate, add-note" in text
    )
    # The open clocks with their legal or service-level basis.
    assert "Deadline:" in text and "Contract signed after the candidate's selection" in text
    assert "Candidates selected after the consultation" not in text  # met by the selection

    # With several candidates the journey must be named.
    code, _, err = await run(
        stack, "withdraw-candidate", case_id, "--advisor", "m.koch", "--reason-code", "personal_reasons"
    )
    assert code == EXIT_BAD_INPUT
    assert "candidate: required, the case has several candidates: THAMM-4711, ANAPEC-0815" in err
    code, _, err = await run(stack, "record-contract", case_id, "--candidate", "ANAPEC-0815",
                             "--advisor", "m.koch", "--signed-on", day(1), "--starts-on", day(20))  # fmt: skip
    assert code == EXIT_REJECTED
    assert "documents missing for contract: employment_contract" in err

    out = await ok(stack, "withdraw", case_id, "--advisor", "a.yilmaz", "--party", "employer",
                   "--reason-code", "filled_otherwise", "--json")  # fmt: skip
    # The withdrawal is recorded; the journeys it ends may already report back before the query.
    actions = [e["action"] for e in json.loads(out)["history"]]
    assert "vacancy_withdrawn" in actions and "journey_finished" not in actions[: actions.index("vacancy_withdrawn")]
    status = await eventually(
        lambda: _closed_status(stack, case_id),
    )
    assert status["outcome"] == "not_placed"
    assert {j["state"]["outcome"] for j in status["journeys"]} == {"vacancy_withdrawn"}

    # Anything after closing is refused with a reason, not a stack trace.
    code, _, err = await run(stack, "add-note", case_id, "--advisor", "m.koch", "--note", "too late")
    assert code == EXIT_REJECTED
    assert "closed" in err

    # Operations' repair (starter/repair.py, tested there with a history that does not replay):
    # a case that replays needs none; it is operations' or the team lead's to do.
    workflow_id = f"case-{case_id}"
    out = await ok(stack, "repair", workflow_id, "--advisor", "ops.lead")
    assert out == f"{workflow_id}: its history replays; nothing to repair\n"
    code, _, err = await run(stack, "repair", workflow_id, "--advisor", "m.koch")
    assert code == EXIT_BAD_INPUT and "m.koch" in err and "operations" in err
    code, _, err = await run(stack, "repair", "case-WC-0000000000", "--advisor", "ops.lead")
    assert (code, err) == (EXIT_REJECTED, "rejected: no workflow case-WC-0000000000\n")


async def _closed_status(stack: Stack, case_id: str) -> dict | None:
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    return status if status["stage"] == "closed" else None


async def test_new_case_with_a_known_id_is_safe_to_repeat(stack: Stack) -> None:
    case_id = await open_case(stack)
    again = await open_case(stack, "--case-id", case_id)
    assert again == case_id
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    assert len(status["history"]) == 1


async def test_list_shows_cases_from_visibility(stack: Stack) -> None:
    first = await open_case(stack)
    second = await open_case(stack)
    await ok(stack, "complete-consultation", second, "--advisor", "m.koch", "--wage-meets-local-standard")

    async def listed(*args: str) -> list[dict]:
        rows = json.loads(await ok(stack, "list", "--json", "--open", *args))
        return [r for r in rows if r["case_id"] in (first, second)]

    async def exactly(expect: int, *args: str) -> list[dict] | None:
        rows = await listed(*args)
        return rows if len(rows) == expect else None

    rows = await eventually(lambda: exactly(1, "--stage", "candidate_selection"), timeout=30)
    assert [r["case_id"] for r in rows] == [second]
    rows = await eventually(lambda: exactly(2), timeout=30)
    assert {r["case_id"] for r in rows} == {first, second}
    assert {r["route"] for r in rows} == {"18a"}
    assert (await ok(stack, "list")).splitlines()[0].startswith("CASE")


async def test_bad_input_names_the_field_and_reaches_nothing(stack: Stack, tmp_path: Path) -> None:
    cases_before = _count_cases(stack)
    not_yaml = tmp_path / "case.yaml"
    not_yaml.write_text("employer: [unclosed\n")
    a_list = tmp_path / "case.json"
    a_list.write_text("[1, 2]")
    wc = "WC-0000000000"
    bad = [
        ([*NEW_CASE, "--route", "§19c"], "route"),
        ([*NEW_CASE, "--positions", "0"], "positions"),
        ([*NEW_CASE, "--monthly-gross-wage-eur", "lots"], "monthly_gross_wage_eur"),
        ([*NEW_CASE, "--qualification-level", "academic"], "qualification_level: §18a AufenthG is for 'vocational'"),
        ([a for a in NEW_CASE if a not in ("--employer-contact", "hr@pflegeheim-linden.example")], "employer.contact"),
        (["new-case", "--file", str(not_yaml)], "file:"),
        (["new-case", "--file", str(a_list)], "file:"),
        (["new-case", "--file", str(tmp_path / "missing.yaml")], "file:"),
        (["status", "case-123"], "case_id"),
        (["record-ba-decision", wc, "--advisor", "m.koch", "--decision", "maybe",
          "--decided-on", EARLIER], "decision"),
        (["record-ba-decision", wc, "--advisor", "m.koch", "--decision", "refused",
          "--decided-on", EARLIER], "refusal_grounds"),
        (["request-ba-consent", wc, "--advisor", "m.koch", "--path", "mail", "--requested-on", EARLIER], "path"),
        (["record-visa-decision", wc, "--advisor", "m.koch", "--decision", "refused",
          "--decided-on", EARLIER], "notified_on"),
        (["pause-recognition-clock", wc, "--advisor", "m.koch", "--paused-on", EARLIER,
          "--reason-code", "bored", "--reason", "x y z"], "reason_code"),
        (["record-arrival", wc, "--advisor", "m.koch", "--arrived-on", f"{EARLIER_DAY:%d.%m.%Y}"], "arrived_on"),
        (["record-documents", wc, "--advisor", "m.koch", "--document", "passport"], "documents"),
        (["record-documents", wc, "--advisor", "m.koch", "--document", "selfie:DMS-1"], "documents.0.code"),
        (["select-candidates", wc, "--advisor", "m.koch", "--candidate", "THAMM-1"], "candidates"),
        (["select-candidates", wc, "--advisor", "m.koch", "--candidate", "THAMM-1:Tunisia"], "origin_country"),
        (["select-candidates", wc, "--advisor", "m.koch", "--candidate", "THAMM-1:TN:50"], "REF:COUNTRY:45+"),
        ([*NEW_CASE, "--route", "18g", "--qualification-level", "academic"], "regulated_profession"),
        ([*NEW_CASE, "--collective-agreement", "yes"], "collective_agreement: only for §19c(2)"),
        (["list", "--stage", "somewhere"], "stage"),
    ]  # fmt: skip
    for argv, field in bad:
        code, out, err = await run(stack, *argv)
        assert code == EXIT_BAD_INPUT, (argv, err)
        assert field in err, (argv, err)
        assert out == ""
    # A command acts as the person signed in: naming another advisor is refused by the field.
    other = [*(a for a in NEW_CASE if a not in ("--advisor", "m.koch")), "--advisor", "a.yilmaz"]
    code, out, err = await DOORS[id(stack)].run(*other, person="m.koch")
    assert (code, out) == (EXIT_BAD_INPUT, "") and "advisor: you are signed in as m.koch" in err, err
    assert _count_cases(stack) == cases_before


async def test_a_step_out_of_order_is_rejected_with_the_reason(stack: Stack) -> None:
    case_id = await open_case(stack)
    code, _, err = await run(stack, "select-candidates", case_id, "--advisor", "m.koch", "--candidate", "EG-100:EG")
    assert code == EXIT_REJECTED
    assert err.startswith("rejected:") and "stage 'consultation'" in err
    code, _, err = await run(stack, "record-arrival", case_id, "--advisor", "m.koch", "--arrived-on", day(1))
    assert code == EXIT_BAD_INPUT
    assert "no candidate journeys yet" in err
    code, _, err = await run(stack, "complete-consultation", case_id, "--advisor", "m.koch")
    assert code == EXIT_REJECTED
    assert "§39" in err
    status = json.loads(await ok(stack, "status", case_id, "--json"))
    assert status["stage"] == "consultation"


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
        "WC_STARTER_DIRECT": "1",  # the program itself, as operations run it on the server
        "WC_ALLOW_PLAINTEXT_PAYLOADS": "true",  # the suite's unencrypted stack
        # mTLS when the suite runs against the production topology (python -m cluster.e2e)
        **{f"WC_{name.upper()}": str(value) for name, value in SERVER_TLS.items()},
    }
    new_case = [*NEW_CASE, "--route", "16a", "--qualification-level", "trainee"]
    code, out, err = await _program(env, *new_case)
    assert code == 0, err
    case_id = out.strip()
    code, out, err = await _program(env, "status", case_id, "--json")
    assert code == 0, err
    assert json.loads(out)["route"] == "16a"

    code, out, err = await _program(env, *new_case, "--procedure", "fast")
    assert code == EXIT_BAD_INPUT
    assert "procedure" in err and out == ""


def _count_cases(stack: Stack) -> int:
    with stack.engine.connect() as conn:
        return len(conn.execute(select(cases.c.case_id)).all())
