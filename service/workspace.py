"""The advisors' workspace in the browser (#27): the case lists and the case page, behind the
service's login, in the staff's language.

The list reads the records (records/workspace.py: fast, filtered); the case page asks the
case's workflows, as ``status`` does. Every case a page shows is written to the access log
under the person signed in. Pages are plain server-rendered HTML: they work without
JavaScript and print as they are.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.case_keys import CASE_ID
from core.config import Settings
from core.i18n import Text
from core.sealed import Sealer, sealer_of
from models import clock, occupations
from models.case import Stage
from models.routes import ResidenceRoute
from records import accounts
from records.workspace import CaseFilter, CaseLine, case_lines
from service import auth
from service.case_views import milestone_title, read_case
from service.employer import EMPLOYER, make_link
from service.forms import (
    CASE_OFFERS,
    ActionForm,
    action_form,
    argv_of,
    filled,
    model_of,
    new_case_form,
    with_errors,
)
from service.language import RequestText, spoken
from starter.cases import new_case_id
from starter.cli import main as run_command
from starter.render import when

Page = Callable[..., HTMLResponse]


def read_filter(request: Request, person: str) -> tuple[CaseFilter, dict[str, str]]:
    """The list's filter from the query string; unknown values are dropped, not trusted."""
    q = request.query_params
    chosen = {
        "scope": "all" if q.get("scope") == "all" else "mine",
        "overdue": "1" if q.get("overdue") == "1" else "",
        "stage": q.get("stage", "") if q.get("stage", "") in {s.value for s in Stage} else "",
        "route": q.get("route", "") if q.get("route", "") in {r.value for r in ResidenceRoute} else "",
        "country": q.get("country", "").upper() if len(q.get("country", "")) == 2 and q["country"].isalpha() else "",
        "advisor": q.get("advisor", "")[:64] if q.get("scope") == "all" else "",
        "closed": "1" if q.get("closed") == "1" else "",
        "escalated": "1" if q.get("escalated") == "1" else "",
    }
    advisor = person if chosen["scope"] == "mine" else (chosen["advisor"] or None)
    return (
        CaseFilter(
            advisor=advisor,
            overdue=bool(chosen["overdue"]),
            stage=chosen["stage"] or None,
            route=chosen["route"] or None,
            country=chosen["country"] or None,
            open_only=not chosen["closed"],
        ),
        chosen,
    )


ESCALATED = "EscalationLevel >= 3 AND ExecutionStatus = 'Running'"  # team lead or operations


async def escalated_cases(client: Client) -> frozenset[str]:
    """The cases that are, or have a journey that is, escalated to the team lead or beyond."""
    return frozenset(
        [
            case_id
            async for wf in client.list_workflows(ESCALATED)
            if (case_id := wf.typed_search_attributes.get(sa.CASE_ID))
        ]
    )


def employer_of(line: CaseLine, sealer: Sealer) -> str:
    try:
        return sealer.open(line.case_id, "cases.employer_name", line.employer_name) or ""
    except ValueError:  # not readable here (a key from another installation): shown as such
        return "?"


def routes(settings: Settings, engine: Engine, client: Client, page: Page) -> list[Route]:
    t = RequestText(settings.language)
    sealer = sealer_of(client)

    async def case_list(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        wanted, chosen = read_filter(request, person)
        if chosen["escalated"]:  # the escalation level lives in Temporal's visibility, not the records
            wanted = dataclasses.replace(wanted, only=await escalated_cases(client))
        today = clock.today()
        rows = await asyncio.to_thread(_rows, engine, wanted, today, sealer)
        lines = [line for line, _ in rows]
        await asyncio.to_thread(accounts.log_accesses, engine, person, [x.case_id for x in lines], "cases (web)", 0)
        title = t("My cases") if chosen["scope"] == "mine" else t("All cases")
        return page(
            "cases.html", title, person=person, rows=rows, chosen=chosen, today=today,
            stages=[s.value for s in Stage], routes=list(ResidenceRoute), milestone_title=milestone_title,
            occupation=occupations.label, limit=wanted.limit,
        )  # fmt: skip

    async def case_page(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        done = request.query_params.get("done", "")
        return await show_case(request, person, request.path_params["case_id"], done=done if model_of(done) else "")

    async def show_case(
        request: Request,
        person: str,
        case_id: str,
        tried: ActionForm | None = None,
        done: str = "",
        new_link: str = "",
    ) -> Response:
        if not CASE_ID.fullmatch(case_id):
            return page("message.html", t("Not found"), 404, message=t("There is no such case."), person=person)
        try:
            state, views = await read_case(client, case_id)
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            await asyncio.to_thread(accounts.log_access, engine, person, case_id, "case page (web)", 1)
            return page("message.html", t("Not found"), 404, message=t("There is no such case."), person=person)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, "case page (web)", 0)

        def forms(commands: list[str], candidate: str | None) -> list[ActionForm]:
            found = [action_form(c, t.current(), candidate) for c in dict.fromkeys([*commands, "add-note"])]
            return [_tried(f, tried) for f in found if f is not None]

        journey_forms = {v.state.number: forms(v.next_steps, v.state.candidate.candidate_ref) for v in views}
        return page(
            "case.html", t("Case {case_id}", case_id=case_id), 422 if tried else 200, person=person, s=state,
            views=views, today=clock.today(), milestone_title=milestone_title, occupation=occupations.label,
            when=_when(t.current()), levels=_levels(t.current()), csrf=auth.csrf_token(request), done=done,
            new_link=new_link, employer_links=await asyncio.to_thread(_live_links, engine, case_id),
            case_forms=forms(list(CASE_OFFERS.get(state.stage.value, ())), None) if not state.outcome else [],
            journey_forms=journey_forms, step_titles={f.command: f.title for fs in journey_forms.values() for f in fs},
        )  # fmt: skip

    async def act(request: Request) -> Response:
        """A filled action form: the starter command it stands for, through the same door."""
        if isinstance(checked := await _signed(request), Response):
            return checked
        person, case_id, form_data = checked
        candidate = str(form_data.get("candidate") or "") or None
        blank = action_form(str(form_data.get("command") or ""), t.current(), candidate)
        if blank is None:
            return page("message.html", t("Not done"), 400, message=t("There is no such action."), person=person)
        form = filled(blank, form_data)
        argv = argv_of(form, case_id, person)
        out, err = io.StringIO(), io.StringIO()
        code = await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, f"{form.command} (web)", code)
        if code != 0:
            return await show_case(request, person, case_id, tried=with_errors(form, err.getvalue()))
        return RedirectResponse(f"/cases/{case_id}?done={form.command}", status_code=303)

    async def make_employer_link(request: Request) -> Response:
        """A link for the employer's status page, shown once on the case page (kept nowhere)."""
        if isinstance(checked := await _signed(request), Response):
            return checked
        person, case_id, _form = checked
        token, _record = await asyncio.to_thread(make_link, engine, case_id, person)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, "employer link made (web)", 0)
        link = settings.service_public_url.rstrip("/") + f"/employer/{token}"
        return await show_case(request, person, case_id, new_link=link)

    async def revoke_employer_link(request: Request) -> Response:
        if isinstance(checked := await _signed(request), Response):
            return checked
        person, case_id, form = checked
        await asyncio.to_thread(accounts.revoke, engine, str(form.get("token_id") or ""), case_id, EMPLOYER)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, "employer link revoked (web)", 0)
        return RedirectResponse(f"/cases/{case_id}#employer-links", status_code=303)

    async def _signed(request: Request, new_case: bool = False) -> tuple[str, str, Any] | Response:
        """The person, case and form of a change posted with the session's CSRF token (a new
        case: its id is the form's)."""
        form = await request.form()
        case_id = str(form.get("case_id") or "") if new_case else request.path_params["case_id"]
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=" + ("/cases/new" if new_case else f"/cases/{case_id}"), 303)
        if not auth.csrf_ok(request, str(form.get("csrf") or "")) or not CASE_ID.fullmatch(case_id):
            message = t("The form has expired; nothing was changed. Please try again.")
            return page("message.html", t("Not done"), 403, message=message, person=person)
        return person, case_id, form

    async def new_case_page(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/cases/new", status_code=303)
        return new_case_view(request, person, new_case_form(t.current(), new_case_id()))

    def new_case_view(request: Request, person: str, form: ActionForm, status: int = 200) -> Response:
        return page("new_case.html", t("New case"), status, person=person, form=form, csrf=auth.csrf_token(request))

    async def open_case(request: Request) -> Response:
        """The new-case form: the starter's new-case command, as the person signed in."""
        if isinstance(checked := await _signed(request, new_case=True), Response):
            return checked
        person, case_id, form_data = checked
        form = filled(new_case_form(t.current(), case_id), form_data)
        out, err = io.StringIO(), io.StringIO()
        code = await run_command(
            argv_of(form, case_id, person), client=client, settings=spoken(settings), out=out, err=err
        )
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, "new-case (web)", code)
        if code != 0:
            return new_case_view(request, person, with_errors(form, err.getvalue()), 422)
        return RedirectResponse(f"/cases/{case_id}?done=new-case", status_code=303)

    async def erase(request: Request) -> Response:
        """The team lead erases a closed case on request (``erase-case``; the door checks the role)."""
        if isinstance(checked := await _signed(request), Response):
            return checked
        person, case_id, form = checked
        argv = ["erase-case", case_id, "--advisor", person, "--basis", str(form.get("basis") or "")]
        out, err = io.StringIO(), io.StringIO()
        code = await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, "erase-case (web)", code)
        if code != 0:
            return page("message.html", t("Not done"), 422, message=err.getvalue().strip(), person=person)
        return page("message.html", t("Case {case_id} erased", case_id=case_id), message=out.getvalue().strip(),
                    person=person)  # fmt: skip

    return [
        Route("/cases/{case_id}/erase", erase, methods=["POST"]),
        Route("/cases/new", new_case_page, methods=["GET"]),
        Route("/cases/new", open_case, methods=["POST"]),
        Route("/cases/{case_id}/employer-links", make_employer_link, methods=["POST"]),
        Route("/cases/{case_id}/employer-links/revoke", revoke_employer_link, methods=["POST"]),
        Route("/cases", case_list, methods=["GET"]),
        Route("/cases/{case_id}", case_page, methods=["GET"]),
        Route("/cases/{case_id}/act", act, methods=["POST"]),
    ]


def _rows(engine: Engine, wanted: CaseFilter, today: Any, sealer: Sealer) -> list[tuple[CaseLine, str]]:
    """The list's lines with each employer's name opened: in a thread (the case keys are
    read from the records)."""
    return [(line, employer_of(line, sealer)) for line in case_lines(engine, wanted, today)]


def _when(t: Text) -> Callable[[Any], str]:
    return lambda value: when(value, t)


def _levels(t: Text) -> list[str]:
    return [
        "",
        t("reminded"),
        t("due"),
        t("escalated to the team lead"),
        t("escalated to operations"),
    ]


def _live_links(engine: Engine, case_id: str) -> list[accounts.Token]:
    now = clock.now()
    return [k for k in accounts.tokens(engine, case_id, EMPLOYER) if k.revoked_at is None and k.expires_at > now]


def _tried(form: ActionForm, tried: ActionForm | None) -> ActionForm:
    """The form as the person sent it (values and errors), where it is the one they tried."""
    if tried is not None and (tried.command, tried.candidate) == (form.command, form.candidate):
        return tried
    return form
