"""The office service (#25): people sign in, every command runs as the person signed in, and
every command on a case leaves an access record. Real server, real records, the thin
client as a new process (no Temporal SDK in it), the service served by uvicorn."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
import uvicorn

from records import accounts
from service.app import create_app
from tests.conftest import Stack
from tests.service.office import WebSession
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "lange-geheime-Passphrase-42"
NEW_CASE = [
    "new-case", "--employer-name", "Pflegeheim Linden gGmbH",
    "--employer-contact", "hr@pflegeheim-linden.example", "--earlier-international-hires", "no",
    "--occupation", "nurse", "--qualification-level", "vocational",
    "--monthly-gross-wage-eur", "3400", "--positions", "2", "--route", "§18a",
    "--origin-programme", "THAMM Plus",
]  # fmt: skip


@dataclass
class Office:
    stack: Stack
    url: str
    token_file: Path

    async def starter(
        self, *argv: str, token: str | None = None, password: str = PASSWORD, language: str = "en", stdin: bytes = b""
    ) -> tuple[int, str, str]:
        """``bin/starter`` as a person runs it: a new process, through the service."""
        env = {
            **os.environ,
            "WC_SERVICE_URL": self.url,
            "WC_TOKEN_FILE": str(self.token_file),
            "WC_PASSWORD": password,
            "WC_LANGUAGE": language,  # the client's own sentences; the service's follow its settings
        }
        env.pop("WC_ADVISOR", None)
        env.pop("WC_TOKEN", None)
        if token is not None:
            env["WC_TOKEN"] = token
        # The thin client must not load the SDK: it would fail loudly here if it did.
        probe = "import runpy, sys; sys.argv = ['starter', *sys.argv[1:]]\n" \
            "try:\n    runpy.run_module('starter', run_name='__main__')\n" \
            "finally:\n    assert 'temporalio' not in sys.modules, 'the thin client imported temporalio'\n"  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", probe, *argv, cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate(stdin)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()


def operations(stack: Stack, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``bin/service ...`` on the server, against the test's records."""
    env = {
        **os.environ,
        "WC_DATABASE_URL": stack.settings.database_url,
        "WC_STAFF_FILE": str(stack.settings.staff_file),
    }
    return subprocess.run(
        [sys.executable, "-m", "service", *argv], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )


@pytest_asyncio.fixture(loop_scope="session")
async def office(stack: Stack, tmp_path: Path) -> AsyncIterator[Office]:
    done = await asyncio.to_thread(operations, stack, "set-password", "m.koch", "--stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0 and "bin/starter login --advisor m.koch" in done.stdout, done.stderr
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(stack.settings, stack.engine, stack.client), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield Office(stack, f"http://127.0.0.1:{port}", tmp_path / "config" / "token")
    finally:
        server.should_exit = True
        await serving


async def test_a_person_signs_in_and_every_command_acts_as_them(office: Office) -> None:
    code, out, err = await office.starter("login", "--advisor", "m.koch")
    assert code == 0 and "Signed in as m.koch" in out, err
    assert stat.S_IMODE(office.token_file.stat().st_mode) == 0o600  # readable by its owner only

    code, out, err = await office.starter(*NEW_CASE)  # no --advisor: the person signed in owns it
    assert code == 0, err
    case_id = out.strip()
    code, out, err = await office.starter("add-note", case_id, "--note", "Rückruf Montag")
    assert code == 0, err
    code, out, err = await office.starter("status", case_id, "--json")
    assert code == 0, err
    history = json.loads(out)["history"]
    assert [e["advisor"] for e in history[-1:]] == ["m.koch"] and history[-1]["action"] == "note_added"
    assert json.loads(out)["advisor"] == "m.koch"
    code, out, err = await office.starter("list", "--open")
    assert code == 0 and case_id in out, err

    # Who touched the case, and how (a case shown in an answer was read too): one command.
    seen = [(row.handle, row.what, row.outcome) for row in accounts.accesses(office.stack.engine, case_id)]
    assert seen == [
        ("m.koch", "new-case (shown)", 0), ("m.koch", "add-note", 0), ("m.koch", "status", 0),
        ("m.koch", "list (shown)", 0),
    ]  # fmt: skip
    listed = operations(office.stack, "accesses", case_id).stdout.splitlines()
    assert [line.split()[2:] for line in listed] == [
        ["m.koch", "new-case", "(shown)", "exit", "0"],
        ["m.koch", "add-note", "exit", "0"],
        ["m.koch", "status", "exit", "0"],
        ["m.koch", "list", "(shown)", "exit", "0"],
    ]
    tokens = operations(office.stack, "tokens", "m.koch").stdout
    assert "command line" in tokens and "valid" in tokens

    kept = office.token_file.read_text().strip()
    code, out, _ = await office.starter("logout", language="de")
    assert (code, out) == (0, "Abgemeldet\n") and not office.token_file.exists()
    code, _, err = await office.starter("status", case_id, token=kept)
    assert code == 1 and "sign in first" in err  # the token is revoked, not only forgotten


async def test_no_client_names_another_actor_and_nothing_changes(office: Office) -> None:
    assert (await office.starter("login", "--advisor", "m.koch"))[0] == 0
    code, out, err = await office.starter(*NEW_CASE)
    case_id = out.strip()
    before = json.loads((await office.starter("status", case_id, "--json"))[1])["history"]

    code, out, err = await office.starter("add-note", case_id, "--note", "x", "--advisor", "t.lead")
    assert code == 2 and "advisor: you are signed in as m.koch" in err, err
    code, out, err = await office.starter("add-note", case_id, "--note", "x", "--advisor=system")
    assert code == 2 and "advisor:" in err
    after = json.loads((await office.starter("status", case_id, "--json"))[1])["history"]
    assert after == before

    # A forged actor inside a file sent along is overruled by the person signed in.
    case_file = office.token_file.parent.parent / "case.yaml"
    case_file.write_text(
        "advisor: t.lead\nemployer:\n  name: Gastro Nord GmbH\n  contact: personal@gastro-nord.example\n"
        "  earlier_international_hires: true\noccupation: cook\nqualification_level: vocational\n"
        "monthly_gross_wage_eur: 2900\npositions: 1\nroute: 18a\nprocedure: regular\norigin_programme: THAMM Plus\n"
    )
    code, out, err = await office.starter("new-case", "--file", str(case_file))
    assert code == 0, err
    assert json.loads((await office.starter("status", out.strip(), "--json"))[1])["advisor"] == "m.koch"
    # Refused commands are in the access log too.
    assert ("add-note", 2) in [(r.what, r.outcome) for r in accounts.accesses(office.stack.engine, case_id)]


@pytest.mark.parametrize("token", ["none", "made-up", "expired", "revoked"])
async def test_without_a_valid_token_nothing_runs(office: Office, token: str) -> None:
    engine = office.stack.engine
    if token == "expired":
        value, _ = accounts.create_token(engine, "m.koch", "old", timedelta(seconds=-1))
    elif token == "revoked":
        value, record = accounts.create_token(engine, "m.koch", "lost laptop", timedelta(days=1))
        assert accounts.revoke(engine, record.token_id, "m.koch")
    else:
        value = "" if token == "none" else "wc_not-a-token"
    code, out, err = await office.starter(*NEW_CASE, token=value)
    assert (code, out) == (1, "") and "sign in first" in err


async def test_operations_set_passwords_only_for_staff_and_revoke_tokens(office: Office) -> None:
    refused = operations(office.stack, "set-password", "nobody.here", "--stdin", stdin=PASSWORD + "\n")
    assert refused.returncode == 2 and "nobody.here" in refused.stderr
    short = operations(office.stack, "set-password", "a.yilmaz", "--stdin", stdin="kurz\n")
    assert short.returncode == 2 and "password: at least 12 characters" in short.stderr
    _, record = accounts.create_token(office.stack.engine, "m.koch", "spare", timedelta(days=1))
    assert operations(office.stack, "revoke", record.token_id).returncode == 0
    assert operations(office.stack, "revoke", record.token_id).returncode == 1  # revoked already
    assert f"{record.token_id}  m.koch" in operations(office.stack, "tokens").stdout


async def test_a_wrong_password_gets_no_token_and_repeated_failures_block(office: Office) -> None:
    code, _, err = await office.starter("login", "--advisor", "m.koch", password="falsch")
    assert code == 1 and "unknown handle or wrong password" in err and not office.token_file.exists()
    code, _, err = await office.starter("login", "--advisor", "nobody.here", password=PASSWORD)
    assert code == 1 and "unknown handle or wrong password" in err
    for _ in range(2):
        await office.starter("login", "--advisor", "m.koch", password="falsch")
    code, _, err = await office.starter("login", "--advisor", "m.koch")  # the right one, but blocked
    assert code == 1 and "too many failed attempts" in err and not office.token_file.exists()


async def test_malformed_requests_are_refused_by_name(office: Office) -> None:
    token, _ = accounts.create_token(office.stack.engine, "m.koch", "raw", timedelta(hours=1))

    def post(body: object) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(f"{office.url}/api/command", data=json.dumps(body).encode(), method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's service
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    status, answer = await asyncio.to_thread(post, {"argv": "status"})
    assert (status, answer["error"]) == (400, "argv: a list of strings")
    status, answer = await asyncio.to_thread(post, {"argv": ["new-case"], "files": ["x"]})
    assert status == 400 and answer["error"].startswith("files:")


async def test_a_token_made_in_the_browser_signs_the_command_line_in(office: Office) -> None:
    # Where people sign in at the identity provider, the command line's token is made on the
    # service's page (shown once, with the session's CSRF token) and pasted into login --token.
    browser = WebSession(office.url)
    await browser.sign_in("m.koch")
    refused = await browser.request("POST", "/tokens", form={"name": "Laptop", "csrf": "0" * 64})
    laptops = [t for t in accounts.tokens(office.stack.engine, "m.koch", accounts.COMMAND) if t.name == "Laptop"]
    assert refused.status == 403 and laptops == []
    page = await browser.request("POST", "/tokens", form={"name": "Laptop", "csrf": await browser.csrf("/tokens")})
    found = re.search(r'<code id="new-token">(wc_[^<]+)</code>', page.text)
    assert page.status == 200 and found is not None
    assert "Laptop" in (await browser.request("GET", "/tokens")).text  # listed, the token itself not again
    assert found.group(1) not in (await browser.request("GET", "/tokens")).text

    code, out, err = await office.starter("login", "--token", stdin=found.group(1).encode() + b"\n")
    assert code == 0 and "Signed in as m.koch" in out, err
    assert office.token_file.read_text().strip() == found.group(1)
    code, _, err = await office.starter("login", "--token", stdin=b"wc_mistyped\n")
    assert code == 1 and "not valid here" in err


async def test_the_starter_is_the_thin_client_by_default_and_helps_before_signing_in(office: Office) -> None:
    code, out, err = await office.starter("new-case", "--help", token="")
    assert code == 0 and "--employer-name" in out, err  # help needs no sign-in, and reads no case
    code, out, err = await office.starter("list", "--open", token="")
    assert code == 1 and "sign in first" in err

    # Without WC_SERVICE_URL the starter is still the thin client (the default address),
    # unless told to go directly to Temporal on the server (WC_STARTER_DIRECT=1).
    env = {k: v for k, v in os.environ.items() if k not in ("WC_SERVICE_URL", "WC_STARTER_DIRECT", "WC_TOKEN")}
    env["WC_TOKEN_FILE"] = str(office.token_file)
    probe = (
        "import runpy, sys; sys.argv = ['starter', 'list']\n"
        "try:\n    runpy.run_module('starter', run_name='__main__')\n"
        "finally:\n    assert 'temporalio' not in sys.modules, 'the thin client imported temporalio'\n"
    )
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert "the thin client imported temporalio" not in done.stderr
    assert "127.0.0.1:8470" in done.stderr or "sign in first" in done.stderr, done.stderr
