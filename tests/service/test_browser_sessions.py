"""Browser sessions at the office service (#25 point 2): a password signs a person in, the
session lives in a Secure, HttpOnly, SameSite=Strict cookie, and every change needs the
session's CSRF token. A form without it is refused and changes nothing; a token is good for
its own scope only (a session is no command-line token and the other way round)."""

from __future__ import annotations

import json
from datetime import timedelta

from records import accounts
from tests.conftest import Stack
from tests.service.office import PASSWORD, WebSession, serve_office, with_password


async def test_signing_in_needs_the_forms_csrf_token_and_the_right_password(stack: Stack) -> None:
    with_password(stack, "m.koch")
    async with serve_office(stack) as url:
        browser = WebSession(url)
        assert (await browser.request("GET", "/")).headers["location"] == "/login?next=/"  # not signed in

        # A login posted from elsewhere (no CSRF token of this form): refused, no session.
        forged = await WebSession(url).request("POST", "/login", form={"handle": "m.koch", "password": PASSWORD})
        assert forged.status == 403 and "wc_session" not in "".join(forged.set_cookies())

        wrong = await browser.request("POST", "/login", form={"handle": "m.koch", "password": "falsch", "csrf": ""})
        assert wrong.status == 403  # still no token: the form's own one was not sent
        token = await browser.csrf("/login")
        wrong = await browser.request("POST", "/login", form={"handle": "m.koch", "password": "x" * 12, "csrf": token})
        assert wrong.status == 401 and "unknown handle or wrong password" in wrong.text
        assert "wc_session" not in browser.cookies

        signed = await browser.sign_in("m.koch")
        assert signed.status == 303 and signed.headers["location"] == "/"
        (cookie,) = [c for c in signed.set_cookies() if c.startswith("wc_session=")]
        assert {"HttpOnly", "Secure", "SameSite=strict"} <= {part.strip() for part in cookie.split(";")}
        home = await browser.request("GET", "/")
        assert home.status == 200 and "signed in as m.koch" in home.text
        assert home.headers["cache-control"] == "no-store"


async def test_signing_out_needs_the_csrf_token_and_ends_the_session(stack: Stack) -> None:
    with_password(stack, "m.koch")
    async with serve_office(stack) as url:
        browser = WebSession(url)
        await browser.sign_in("m.koch")
        session = browser.cookies["wc_session"]

        # Another site's form posts to /logout with the cookie but without the token.
        refused = await browser.request("POST", "/logout", form={"csrf": "0" * 64})
        assert refused.status == 403 and accounts.holder(stack.engine, session, accounts.SESSION) == "m.koch"

        done = await browser.request("POST", "/logout", form={"csrf": await browser.csrf("/")})
        assert done.status == 303 and done.headers["location"] == "/login"
        assert accounts.holder(stack.engine, session, accounts.SESSION) is None
        assert (await WebSession(url, {"wc_session": session}).request("GET", "/")).status == 303


async def test_a_token_opens_its_own_scope_only(stack: Stack) -> None:
    with_password(stack, "m.koch")
    async with serve_office(stack) as url:
        browser = WebSession(url)
        await browser.sign_in("m.koch")
        session = browser.cookies["wc_session"]
        command_token, _ = accounts.create_token(stack.engine, "m.koch", "cli", timedelta(days=1))

        as_bearer = await WebSession(url).request(
            "POST", "/api/command", body=json.dumps({"argv": ["list"]}).encode(), Authorization=f"Bearer {session}"
        )
        assert as_bearer.status == 401  # a browser's session is not a command-line token
        assert (await WebSession(url, {"wc_session": command_token}).request("GET", "/")).status == 303


async def test_another_persons_session_gives_no_power_over_mine(stack: Stack) -> None:
    with_password(stack, "m.koch", "a.yilmaz")
    async with serve_office(stack) as url:
        mine, theirs = WebSession(url), WebSession(url)
        await mine.sign_in("m.koch")
        await theirs.sign_in("a.yilmaz")
        # Their page's CSRF token does not carry a form posted with my session ...
        refused = await mine.request("POST", "/logout", form={"csrf": await theirs.csrf("/")})
        assert refused.status == 403
        assert accounts.holder(stack.engine, mine.cookies["wc_session"], accounts.SESSION) == "m.koch"
        # ... and their session shows them, never me.
        assert "signed in as a.yilmaz" in (await theirs.request("GET", "/")).text
