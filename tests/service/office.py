"""The office service as the tests run it: served by uvicorn on a free loopback port with a
test's own client, records and settings; and a small HTTP client that keeps cookies the way
a browser does for this one site (Secure cookies on loopback included)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn

from records import accounts
from service.app import create_app
from tests.conftest import Stack
from tests.support import free_port

PASSWORD = "lange-geheime-Passphrase-42"


@contextlib.asynccontextmanager
async def serve_office(stack: Stack, **update: Any) -> AsyncIterator[str]:
    """The service for ``stack`` (``update``: settings to change), yielding its address."""
    settings = stack.settings.model_copy(update=update)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, stack.engine, stack.client), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)

    def set_cookies(self) -> list[str]:
        return self.headers.get_all("set-cookie") or []


@dataclass
class WebSession:
    """One browser's view of the service: its cookies, no redirects followed."""

    url: str
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None, body: bytes | None = None, **headers: str
    ) -> Answer:
        """The request, in a thread: the service answers on this test's event loop."""
        return await asyncio.to_thread(self._request, method, path, form, body, headers)

    def _request(
        self, method: str, path: str, form: dict[str, str] | None, body: bytes | None, headers: dict[str, str]
    ) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else body
        all_headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if form is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.url + path, data=data, headers=all_headers, method=method)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as err:
            answer = Answer(err.code, err.headers, err.read())
        for line in answer.set_cookies():
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in line.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    async def csrf(self, path: str = "/") -> str:
        page = await self.request("GET", path)
        found = re.search(r'name="csrf" value="([0-9a-f]*)"', page.text)
        assert found is not None, page.text[:500]
        return found.group(1)

    async def sign_in(self, handle: str, password: str = PASSWORD) -> Answer:
        token = await self.csrf("/login")
        return await self.request("POST", "/login", form={"handle": handle, "password": password, "csrf": token})


@dataclass
class Door:
    """The end-to-end tests' way in (#25 point 7): every command through the office service
    with the thin client's own code, as the person it names (``--advisor``, else m.koch),
    who signed in: a personal access token here, or on the production topology a token of
    its real identity provider (``WC_TEST_OIDC_ISSUER``, set by cluster/e2e.py)."""

    stack: Stack
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    async def run(self, *argv: str, person: str | None = None) -> tuple[int, str, str]:
        from starter.remote import main as thin_client

        person = person or next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--advisor"), "m.koch")
        token = await self.token(person)
        out, err = io.StringIO(), io.StringIO()
        code = await asyncio.to_thread(thin_client, list(argv), out, err, url=self.url, token=token)
        return code, out.getvalue(), err.getvalue()

    async def token(self, person: str) -> str:
        if person not in self.tokens:
            if issuer := os.environ.get("WC_TEST_OIDC_ISSUER"):
                self.tokens[person] = await asyncio.to_thread(provider_token, issuer, person)
            else:
                self.tokens[person], _ = accounts.create_token(self.stack.engine, person, "e2e", timedelta(hours=2))
        return self.tokens[person]


def provider_token(issuer: str, person: str) -> str:
    """A token of the real identity provider for ``person`` (its script client, direct grant)."""
    passwords = Path(os.environ["WC_TEST_OIDC_PASSWORDS"]).read_text().splitlines()
    password = dict(line.split(" ", 1) for line in passwords).get(person, "unknown person")
    body = urllib.parse.urlencode(
        {"grant_type": "password", "client_id": os.environ.get("WC_TEST_OIDC_SCRIPT_CLIENT", "office-scripts"),
         "username": person, "password": password, "scope": "openid profile"}
    ).encode()  # fmt: skip
    request = urllib.request.Request(issuer + "/protocol/openid-connect/token", data=body)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return str(json.loads(answer.read())["access_token"])
    except urllib.error.HTTPError:
        return "not-signed-in"  # the provider does not know them: the service refuses, as it should


@contextlib.asynccontextmanager
async def door(stack: Stack) -> AsyncIterator[Door]:
    oidc: dict[str, Any] = {}
    if issuer := os.environ.get("WC_TEST_OIDC_ISSUER"):
        oidc = {"oidc_issuer": issuer, "oidc_client_id": os.environ.get("WC_TEST_OIDC_CLIENT_ID", "office-service")}
    async with serve_office(stack, **oidc) as url:
        yield Door(stack, url)


def with_password(stack: Stack, *handles: str) -> None:
    for handle in handles:
        accounts.set_password(stack.engine, handle, PASSWORD)
