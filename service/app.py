"""The office service (#25): the one door for people to the cases.

It alone holds, for people's actions, the Temporal client, the payload keys and the
database. A person signs in with a password (``POST /api/login``, Argon2id, failed logins
slowed and blocked) and gets a personal access token; every command then carries that token
(``Authorization: Bearer``), and the service runs it as that person: the actor of a command
is whoever the token belongs to, never what the client names (``--advisor`` naming someone
else is refused). Every command on a case is written to the access log (who, when, which
case, what, its exit code).

Commands are the starter's own (``starter/cli.py``: same flags, output and exit codes), run
here with the service's client; ``starter/remote.py`` is the thin client that sends them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from temporalio.client import Client

from core.config import Settings
from models.said import Said, say
from records import accounts
from service import (
    auth,
    calendar_feed,
    codec,
    employer,
    language,
    office_pages,
    operations_page,
    ui_proxy,
    web,
    workspace,
)
from service.language import LanguageMiddleware
from service.oidc import Provider
from starter.cli import main as run_command
from starter.inputs import EXIT_BAD_INPUT
from starter.parser import parse
from starter.remote import file_arguments, normalized

log = structlog.get_logger("service")

# Commands whose --advisor says whose cases to read; every other --advisor is the actor.
WHOSE = frozenset({"calendar", "digest"})
# Commands that act and so take the person as their actor.
ACTORS = frozenset({"new-case", "resend-email", "erase-case", "repair", "import"})
CASE_ID = re.compile(r"^(WC-[0-9A-Z]{10})(/|$)")
CASE_IN_TEXT = re.compile(r"\bWC-[0-9A-Z]{10}\b")
TOKEN_DAYS, LONGEST_TOKEN_DAYS = 90, 365


def create_app(settings: Settings, engine: Engine, client: Client) -> Starlette:
    provider = None
    if settings.oidc_issuer:
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
        provider = Provider(settings.oidc_issuer, settings.oidc_client_id, secret, settings.oidc_groups_claim)

    async def login(request: Request) -> JSONResponse:
        body = await _json(request)
        handle, password = str(body.get("handle") or ""), str(body.get("password") or "")
        if provider is not None:
            why = say(
                "login: passwords are off here; make a token in the browser at {url}/tokens, then: "
                "bin/starter login --token",
                url=settings.service_public_url.rstrip("/"),
            )
            return _refused(403, why, settings)
        days = body.get("days", TOKEN_DAYS)
        if not isinstance(days, int) or not 1 <= days <= LONGEST_TOKEN_DAYS:
            return _refused(400, say("days: a whole number from 1 to {most}", most=LONGEST_TOKEN_DAYS), settings)
        signed = await auth.sign_in(engine, handle, password)
        if signed.handle is None:
            assert signed.why is not None
            return _refused(signed.status, signed.why, settings)
        name = str(body.get("name") or "command line")[:64]
        token, record = await asyncio.to_thread(accounts.create_token, engine, handle, name, timedelta(days=days))
        log.info("token issued", token_id=record.token_id)
        return JSONResponse({"token": token, "token_id": record.token_id, "expires_at": record.expires_at.isoformat()})

    async def command(request: Request) -> JSONResponse:
        person = await auth.token_holder(request, engine, provider)
        body = await _json(request)
        given = body.get("argv")
        well_formed = isinstance(given, list) and all(isinstance(a, str) for a in given)
        argv: list[str] = [str(a) for a in given] if well_formed and given is not None else []
        if person is None and not (well_formed and _only_help(argv)):
            return _refused(401, say("sign in first: bin/starter login"), settings)
        if not well_formed:
            return _refused(400, say("argv: a list of strings"), settings)
        if person is None:  # --help reads nothing of any case: answered before signing in
            out, err = io.StringIO(), io.StringIO()
            code = await run_command(argv, client=client, settings=settings, out=out, err=err)
            return JSONResponse({"code": code, "out": out.getvalue(), "err": err.getvalue(), "written": {}})
        files = body.get("files") or {}
        if not isinstance(files, dict):
            return _refused(400, say("files: an uploaded file must name the argument it stands for"), settings)
        out, err = io.StringIO(), io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            argv, why, to_send = _as_person(argv, person, files, Path(folder))
            why = why or _actor_refusal(argv, person)
            if why is not None:
                code = EXIT_BAD_INPUT
                err.write(f"error: {_said(why, settings)}\n")
            else:
                code = await run_command(argv, client=client, settings=settings, out=out, err=err)
            written = {str(i): base64.b64encode(p.read_bytes()).decode() for i, p in to_send.items() if p.is_file()}
        what = next((a for a in argv if not a.startswith("-")), "")
        case_id = next((m.group(1) for a in argv if (m := CASE_ID.match(a))), None)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, what, code)
        # Every case the answer shows was read too (a list's lines, a digest, a calendar).
        shown = sorted(set(CASE_IN_TEXT.findall(out.getvalue())) - {case_id})
        await asyncio.to_thread(accounts.log_accesses, engine, person, shown, f"{what} (shown)", code)
        return JSONResponse({"code": code, "out": out.getvalue(), "err": err.getvalue(), "written": written})

    async def list_tokens(request: Request) -> JSONResponse:
        person = await auth.token_holder(request, engine, provider)
        if person is None:
            return _refused(401, say("sign in first: bin/starter login"), settings)
        found = await asyncio.to_thread(accounts.tokens, engine, person)
        return JSONResponse(
            [
                {
                    "token_id": t.token_id,
                    "name": t.name,
                    "created_at": t.created_at.isoformat(),
                    "expires_at": t.expires_at.isoformat(),
                    "revoked": t.revoked_at is not None,
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                }
                for t in found
            ]
        )

    async def revoke_token(request: Request) -> JSONResponse:
        person = await auth.token_holder(request, engine, provider)
        if person is None:
            return _refused(401, say("sign in first: bin/starter login"), settings)
        token_id = request.path_params["token_id"]
        if not await asyncio.to_thread(accounts.revoke, engine, token_id, person):
            return _refused(404, say("token: none of yours with the id {token_id}", token_id=token_id), settings)
        return JSONResponse({"revoked": token_id})

    async def sign_out(request: Request) -> JSONResponse:
        if await auth.token_holder(request, engine, provider) is None:
            return _refused(401, say("sign in first: bin/starter login"), settings)
        await asyncio.to_thread(accounts.revoke_presented, engine, auth.bearer(request))
        return JSONResponse({"signed_out": True})

    async def me(request: Request) -> JSONResponse:
        person = await auth.token_holder(request, engine, provider)
        if person is None:
            return _refused(401, say("sign in first: bin/starter login"), settings)
        return JSONResponse({"handle": person})

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [
        Route("/api/login", login, methods=["POST"]),
        Route("/api/command", command, methods=["POST"]),
        Route("/api/tokens", list_tokens, methods=["GET"]),
        Route("/api/tokens/{token_id}", revoke_token, methods=["DELETE"]),
        Route("/api/session", sign_out, methods=["DELETE"]),
        Route("/api/health", health, methods=["GET"]),
        Route("/api/me", me, methods=["GET"]),
        *web.routes(settings, engine, provider),
        *language.routes(),
        *workspace.routes(settings, engine, client, web.page_maker(settings)),
        *employer.routes(settings, engine, client),
        *operations_page.routes(settings, engine, client, web.page_maker(settings)),
        *office_pages.routes(settings, engine, client, web.page_maker(settings)),
        *codec.routes(client.data_converter.payload_codec, engine, settings.temporal_ui_url, provider),
        *ui_proxy.routes(settings.ui_upstream_url, engine),
        *calendar_feed.routes(settings, engine, client),
    ]
    return Starlette(routes=routes, middleware=[Middleware(LanguageMiddleware)])


def _as_person(
    argv: list[str], person: str, files: dict[str, Any], folder: Path
) -> tuple[list[str], Said | None, dict[int, Path]]:
    """The command as ``person`` runs it: ``--advisor`` is the person for every command that
    acts (naming someone else is refused), and defaults to the person where it says whose
    cases to read. Files named on the person's machine are the ones sent (written to
    ``folder``), files to write go to ``folder`` (returned by index); a path of the service's
    own machine is never used."""
    argv = normalized(argv)
    inputs, outputs = file_arguments(argv)
    if set(files) - {str(i) for i in inputs} or not all(isinstance(c, str) for c in files.values()):
        return argv, say("files: an uploaded file must name the argument it stands for"), {}
    for index in inputs:
        if str(index) not in files:
            return argv, say("file: {path}: send the file itself (bin/starter does)", path=argv[index]), {}
        target = folder / f"in-{index}-{Path(argv[index]).name or 'upload'}"
        target.write_bytes(base64.b64decode(files[str(index)]))
        argv[index] = str(target)
    written = {}
    for index in outputs:
        written[index] = folder / f"out-{index}-{Path(argv[index]).name or 'file'}"
        argv[index] = str(written[index])
    what = next((a for a in argv if not a.startswith("-")), None)
    if what is None or "-h" in argv or "--help" in argv:
        return argv, None, written
    named = _advisor_flag(argv)
    acts = what not in WHOSE and (what in ACTORS or _case_command(argv))
    # A calendar address is minted or stopped for the person signed in only.
    acts = acts or (what == "calendar" and bool({"--subscription-url", "--stop-subscription"} & set(argv)))
    if named is not None and named != person and acts:
        why = say(
            "advisor: you are signed in as {person}; a command acts as the person signed in, not as {named}",
            person=person,
            named=named,
        )
        return argv, why, {}
    if named is None and (acts or what in WHOSE):
        argv += ["--advisor", person]
    return argv, None, written


def _parsed(argv: list[str]) -> argparse.Namespace | int:
    """The command line as the starter's parser takes it, or the code it exits with (help, a
    usage error). Synchronous: nothing else runs while standard output is redirected."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            return parse(list(argv), lambda text: text)
        except SystemExit as exit_:
            return int(exit_.code or 0)


def _only_help(argv: list[str]) -> bool:
    """Whether the command line does nothing but print help (the parser stops at it): the one
    thing answered before signing in."""
    return _parsed(argv) == 0


def _actor_refusal(argv: list[str], person: str) -> Said | None:
    """The actor as the parser will take it, checked: a repeated, shortened or displaced
    ``--advisor`` cannot name someone else than the person signed in."""
    parsed = _parsed(argv)
    if isinstance(parsed, int):
        return None  # help or a usage error: the command says so and acts on nothing
    named = getattr(parsed, "advisor", None)
    minting = bool(getattr(parsed, "subscription_url", False) or getattr(parsed, "stop_subscription", False))
    if named is None or named == person or (parsed.command in WHOSE and not minting):
        return None
    return say(
        "advisor: you are signed in as {person}; a command acts as the person signed in, not as {named}",
        person=person,
        named=named,
    )


def _advisor_flag(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--advisor" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--advisor="):
            return arg.split("=", 1)[1]
    return None


def _case_command(argv: list[str]) -> bool:
    """A case's or a journey's action: its first positional after the command is a case id
    (``status CASE_ID`` only reads: it has no --advisor)."""
    positional = [a for a in argv if not a.startswith("-")]
    return len(positional) >= 2 and positional[0] not in ("status",) and bool(CASE_ID.match(positional[1]))


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _said(why: Said, settings: Settings) -> str:
    if settings.language == "en":
        return why.english()
    from core.i18n import Text

    return Text(settings.language).said(why)


def _refused(status: int, why: Said, settings: Settings) -> JSONResponse:
    return JSONResponse({"error": _said(why, settings)}, status_code=status)
