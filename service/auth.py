"""Who is asking (#25): a person signs in once with a password and is then known by a token.

The command line sends a personal access token (``Authorization: Bearer``); a browser holds a
session token in a cookie (HttpOnly, Secure, SameSite=Strict, 8 hours) and proves every
change with a CSRF token derived from its session (a hidden form field or the
``X-CSRF-Token`` header), which a page of another site can neither read nor guess. Tokens
are kept hashed (``records/accounts.py``), each good for its own scope only.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response

from models import staff
from models.said import Said, say
from records import accounts
from service.oidc import Provider, SignInRefused, looks_like_jwt

log = structlog.get_logger("service")

SESSION_COOKIE = "wc_session"
LOGIN_COOKIE = "wc_login"  # the login form's own CSRF secret, before there is a session
ID_TOKEN_COOKIE = "wc_id_token"  # the provider's ID token: signing out there names the session
SESSION_HOURS = 8  # a working day; signing in again after it is cheap
FAILED_LOGIN_PAUSE = 1.0  # seconds every failed login waits, besides the account's block


@dataclass(frozen=True)
class SignIn:
    handle: str | None
    why: Said | None = None
    status: int = 200


async def sign_in(engine: Engine, handle: str, password: str) -> SignIn:
    """Checks a password; a refusal waits, and says when a blocked account may try again."""
    on_staff = staff.refusal(handle, staff.ANY_ROLE) is None if handle else False
    result = await asyncio.to_thread(accounts.check_password, engine, handle, password)
    if result.ok and on_staff:
        return SignIn(handle)
    await asyncio.sleep(FAILED_LOGIN_PAUSE)
    log.warning("login refused", blocked=result.blocked_until is not None)
    if result.blocked_until is not None:
        why = say(
            "login: too many failed attempts; try again after {time} (UTC)",
            time=result.blocked_until.strftime("%H:%M:%S"),
        )
        return SignIn(None, why, 429)
    return SignIn(None, say("login: unknown handle or wrong password"), 401)


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def token_holder(request: Request, engine: Engine, provider: Provider | None = None) -> str | None:
    """The person whose command-line token came with the request: a personal access token,
    or (with OpenID Connect) a token of the identity provider for this service."""
    token = bearer(request)
    if provider is not None and looks_like_jwt(token):
        try:
            return await provider.person(token, bearer=True)
        except SignInRefused as refused:
            log.warning("bearer token refused", why=refused.why.text)
            return None
    return await asyncio.to_thread(accounts.holder, engine, token) if token else None


async def session_holder(request: Request, engine: Engine) -> str | None:
    """The person whose browser session came with the request."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return await asyncio.to_thread(accounts.holder, engine, token, accounts.SESSION) if token else None


async def person(request: Request, engine: Engine, provider: Provider | None = None) -> str | None:
    """Whoever the request proves to be: a command-line token, else a browser session."""
    return await token_holder(request, engine, provider) or await session_holder(request, engine)


async def start_session(engine: Engine, handle: str, response: Response) -> None:
    token, _ = await asyncio.to_thread(
        accounts.create_token, engine, handle, "browser session", timedelta(hours=SESSION_HOURS), accounts.SESSION
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        secure=True,  # browsers keep Secure cookies of http://localhost too; elsewhere HTTPS only
        samesite="strict",
        path="/",
    )


async def end_session(request: Request, engine: Engine, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await asyncio.to_thread(accounts.revoke_presented, engine, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (or of its login form before signing in)."""
    secret = request.cookies.get(SESSION_COOKIE) or request.cookies.get(LOGIN_COOKIE) or ""
    return _csrf_of(secret) if secret else ""


def _csrf_of(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(request: Request, given: str) -> bool:
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(expected, given or request.headers.get("x-csrf-token", ""))


def login_form_secret(request: Request) -> tuple[str, str]:
    """The login form's CSRF secret (kept if the browser has one) and the token it gives."""
    secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    return secret, _csrf_of(secret)


def keep_login_secret(response: Response, secret: str) -> None:
    response.set_cookie(LOGIN_COOKIE, secret, max_age=3600, httponly=True, secure=True, samesite="strict", path="/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def safe_next(target: str) -> str:
    """Only a path of this service: never another site (an open redirect). Browsers drop tabs
    and line breaks from addresses, so '/<tab>/evil.example' would become '//evil.example'."""
    plain = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if plain and not any(ord(c) < 32 or ord(c) == 127 for c in target) else "/"
