"""The service's pages for the browser (#25): signing in and out, in the staff's language.

Every page that changes something is a form carrying the session's CSRF token; a form
without it is refused and changes nothing. The workspace (#27) grows from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from core.config import Settings
from core.i18n import Text
from service import auth

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


def safe_next(target: str) -> str:
    """Only a path of this service: never another site (an open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def routes(settings: Settings, engine: Engine) -> list[Route]:
    t = Text(settings.language)

    def page(template: str, title: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = TEMPLATES.get_template(template).render(t=t, language=settings.language, title=title, **values)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def login_page(request: Request, status: int = 200, error: str = "", handle: str = "") -> Response:
        secret, csrf = auth.login_form_secret(request)
        target = safe_next(request.query_params.get("next", "/"))
        response = page(
            "login.html", t("Sign in"), status, csrf=csrf, next=target, error=error, handle=handle, person=None
        )
        auth.keep_login_secret(response, secret)
        return response

    async def show_login(request: Request) -> Response:
        if await auth.session_holder(request, engine):
            return RedirectResponse(safe_next(request.query_params.get("next", "/")), status_code=303)
        return login_page(request)

    async def do_login(request: Request) -> Response:
        form = await request.form()
        handle, password = str(form.get("handle") or ""), str(form.get("password") or "")
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

    async def do_logout(request: Request) -> Response:
        form = await request.form()
        if await auth.session_holder(request, engine) is None:
            return RedirectResponse("/login", status_code=303)
        if not auth.csrf_ok(request, str(form.get("csrf") or "")):
            message = t("The form has expired; nothing was changed. Please try again.")
            return page("message.html", t("Not done"), 403, message=message, person=None)
        response = RedirectResponse("/login", status_code=303)
        await auth.end_session(request, engine, response)
        return response

    async def home(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/", status_code=303)
        return page("home.html", t("Overview"), csrf=auth.csrf_token(request), ui_url="/ui/", person=person)

    return [
        Route("/", home, methods=["GET"]),
        Route("/login", show_login, methods=["GET"]),
        Route("/login", do_login, methods=["POST"]),
        Route("/logout", do_logout, methods=["POST"]),
    ]
