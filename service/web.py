"""The service's pages for the browser (#25): signing in and out, in the staff's language.

Every page that changes something is a form carrying the session's CSRF token; a form
without it is refused and changes nothing. The workspace (#27) grows from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from core.config import Settings
from records import accounts
from service import auth
from service.auth import safe_next
from service.language import RequestText
from service.oidc import FLOW_COOKIE, FLOW_SECONDS, Provider, SignInRefused

ID_TOKEN_COOKIE = auth.ID_TOKEN_COOKIE

TOKEN_DAYS = 90  # a token for the command line, as bin/starter login makes it
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


def page_maker(settings: Settings) -> Callable[..., HTMLResponse]:
    """Renders a template as a page in the staff's language; never cached (personal data)."""
    t = RequestText(settings.language)

    def page(template: str, title: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = TEMPLATES.get_template(template).render(
            t=t, language=t.language, title=title, office_name=settings.office_name, **values
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    return page


def routes(settings: Settings, engine: Engine, provider: Provider | None) -> list[Route]:
    t = RequestText(settings.language)
    callback = settings.service_public_url.rstrip("/") + "/auth/callback"
    page = page_maker(settings)

    def login_page(request: Request, status: int = 200, error: str = "", handle: str = "") -> Response:
        secret, csrf = auth.login_form_secret(request)
        target = safe_next(request.query_params.get("next", "/"))
        response = page(
            "login.html", t("Sign in"), status, csrf=csrf, next=target, error=error, handle=handle, person=None,
            single_sign_on=provider is not None,
        )  # fmt: skip
        auth.keep_login_secret(response, secret)
        return response

    async def show_login(request: Request) -> Response:
        if await auth.session_holder(request, engine):
            return RedirectResponse(safe_next(request.query_params.get("next", "/")), status_code=303)
        return login_page(request)

    async def do_login(request: Request) -> Response:
        form = await request.form()
        handle, password = str(form.get("handle") or ""), str(form.get("password") or "")
        if provider is not None:
            return login_page(request, 403, t("Passwords are off here: sign in with your office account."))
        if not auth.csrf_ok(request, str(form.get("csrf") or "")):
            return login_page(request, 403, t("The form has expired; please sign in again."), handle)
        signed = await auth.sign_in(engine, handle, password)
        if signed.handle is None:
            assert signed.why is not None
            return login_page(request, signed.status, t.said(signed.why), handle)
        response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
        await auth.start_session(engine, signed.handle, response)
        response.delete_cookie(auth.LOGIN_COOKIE, path="/")
        auth.log.info("session started")
        return response

    async def signed_change(request: Request, back: str) -> tuple[str, Any] | Response:
        """The person and the form of a change posted with their session and its CSRF token;
        otherwise the answer that refuses it, having changed nothing."""
        form = await request.form()
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse(f"/login?next={back}", status_code=303)
        if not auth.csrf_ok(request, str(form.get("csrf") or "")):
            message = t("The form has expired; nothing was changed. Please try again.")
            return page("message.html", t("Not done"), 403, message=message, person=person)
        return person, form

    async def do_logout(request: Request) -> Response:
        if isinstance(checked := await signed_change(request, "/"), Response):
            return checked
        after = settings.service_public_url.rstrip("/") + "/login"
        leave = await provider.sign_out_url(request.cookies.get(ID_TOKEN_COOKIE, ""), after) if provider else None
        response = RedirectResponse(leave or "/login", status_code=303)
        await auth.end_session(request, engine, response)
        response.delete_cookie(ID_TOKEN_COOKIE, path="/")
        return response

    async def start_single_sign_on(request: Request) -> Response:
        if provider is None:
            return RedirectResponse("/login", status_code=303)
        where, flow = await provider.start(callback, safe_next(request.query_params.get("next", "/")))
        response = RedirectResponse(where, status_code=303)
        # Lax: the provider sends the browser back with a top-level GET from its own site.
        response.set_cookie(
            FLOW_COOKIE, flow, max_age=FLOW_SECONDS, httponly=True, secure=True, samesite="lax", path="/auth/"
        )
        return response

    async def finish_single_sign_on(request: Request) -> Response:
        if provider is None:
            return RedirectResponse("/login", status_code=303)
        flow = request.cookies.get(FLOW_COOKIE, "")
        code, state = request.query_params.get("code", ""), request.query_params.get("state", "")
        try:
            handle, target, id_token = await provider.finish(code, state, flow, callback)
        except SignInRefused as refused:
            auth.log.warning("single sign-on refused", why=refused.why.text)
            response = login_page(request, 403, t.said(refused.why))
            response.delete_cookie(FLOW_COOKIE, path="/auth/")
            return response
        # A page, not a redirect: the browser came from the provider's site, and sends the
        # SameSite=Strict session cookie only on a navigation this site starts.
        response = page("signed_in.html", t("Signed in"), target=safe_next(target), person=handle)
        await auth.start_session(engine, handle, response)
        response.set_cookie(ID_TOKEN_COOKIE, id_token, httponly=True, secure=True, samesite="strict", path="/")
        response.delete_cookie(FLOW_COOKIE, path="/auth/")
        auth.log.info("session started", by="single sign-on")
        return response

    async def home(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/", status_code=303)
        return page("home.html", t("Overview"), csrf=auth.csrf_token(request), ui_url="/ui/", person=person)

    async def tokens_page(request: Request, new_token: str = "", status: int = 200) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/tokens", status_code=303)
        mine = await asyncio.to_thread(accounts.tokens, engine, person, accounts.COMMAND)
        return page(
            "tokens.html", t("Tokens"), status, csrf=auth.csrf_token(request), tokens=mine, new_token=new_token,
            person=person,
        )  # fmt: skip

    async def make_token(request: Request) -> Response:
        if isinstance(checked := await signed_change(request, "/tokens"), Response):
            return checked
        person, form = checked
        name = str(form.get("name") or "").strip()[:64] or t("command line")
        token, _ = await asyncio.to_thread(accounts.create_token, engine, person, name, timedelta(days=TOKEN_DAYS))
        return await tokens_page(request, new_token=token)

    async def revoke_token(request: Request) -> Response:
        if isinstance(checked := await signed_change(request, "/tokens"), Response):
            return checked
        person, _ = checked
        await asyncio.to_thread(accounts.revoke, engine, request.path_params["token_id"], person, accounts.COMMAND)
        return RedirectResponse("/tokens", status_code=303)

    return [
        Route("/tokens", tokens_page, methods=["GET"]),
        Route("/tokens", make_token, methods=["POST"]),
        Route("/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
        Route("/", home, methods=["GET"]),
        Route("/login", show_login, methods=["GET"]),
        Route("/login", do_login, methods=["POST"]),
        Route("/logout", do_logout, methods=["POST"]),
        Route("/auth/start", start_single_sign_on, methods=["GET"]),
        Route("/auth/callback", finish_single_sign_on, methods=["GET"]),
    ]
