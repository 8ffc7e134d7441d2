"""Operations' page in the workspace (#27 point 1): the workflows whose tasks keep failing,
the emails that could not be delivered and the open incidents, each with its action
(``repair``, ``resend-email``) as a button that runs the starter command as the person
signed in: the door decides who may (operations), and says so beside the button.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client

from core import search_attributes as sa
from core.case_keys import CASE_ID
from core.config import Settings
from records import accounts
from service import auth
from service.language import RequestText, spoken
from starter.cli import main as run_command

STUCK = "WorkflowType = 'StuckAlarmWorkflow' AND ExecutionStatus = 'Running'"
UNDELIVERABLE = "WorkflowType = 'UndeliverableEmailWorkflow' AND ExecutionStatus = 'Running'"
INCIDENTS = "Incident = true AND ExecutionStatus = 'Running'"
SHOWN = 200
ACTIONS = {"repair": "workflow_id", "resend-email": "key"}  # command -> what it names


@dataclass(frozen=True)
class Line:
    workflow_id: str
    case_id: str | None
    target: str  # what the action names: the stuck workflow, the email's key; "" for none


async def lines(client: Client, query: str, target: Callable[[str], str]) -> list[Line]:
    found = []
    async for wf in client.list_workflows(query, limit=SHOWN):
        case_id = wf.typed_search_attributes.get(sa.CASE_ID)
        found.append(Line(wf.id, case_id, target(wf.id)))
    return found


def routes(settings: Settings, engine: Engine, client: Client, page: Callable[..., HTMLResponse]) -> list[Route]:
    t = RequestText(settings.language)

    async def show(request: Request, person: str, outcome: dict[str, Any] | None = None) -> Response:
        stuck, emails, incidents = await asyncio.gather(
            lines(client, STUCK, lambda wf: wf.removeprefix("stuck-")),
            lines(client, UNDELIVERABLE, lambda wf: wf.removeprefix("email-")),
            lines(client, INCIDENTS, lambda _wf: ""),
        )
        shown = sorted({x.case_id for x in [*stuck, *emails, *incidents] if x.case_id})
        await asyncio.to_thread(accounts.log_accesses, engine, person, shown, "operations (web)", 0)
        return page(
            "operations.html", t("Operations"), 422 if outcome and outcome["code"] else 200, person=person,
            stuck=stuck, emails=emails, incidents=incidents, csrf=auth.csrf_token(request), outcome=outcome,
            ui=settings.temporal_ui_url.rstrip("/"),
        )  # fmt: skip

    async def operations(request: Request) -> Response:
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/operations", status_code=303)
        return await show(request, person)

    async def act(request: Request) -> Response:
        form = await request.form()
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/operations", status_code=303)
        command, target = str(form.get("command") or ""), str(form.get("target") or "")
        if not auth.csrf_ok(request, str(form.get("csrf") or "")) or command not in ACTIONS or not target:
            message = t("The form has expired; nothing was changed. Please try again.")
            return page("message.html", t("Not done"), 403, message=message, person=person)
        out, err = io.StringIO(), io.StringIO()
        argv = [command, target, "--advisor", person]
        code = await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
        case_id = found.group(0) if (found := CASE_ID.search(target)) else None
        await asyncio.to_thread(accounts.log_access, engine, person, case_id, f"{command} (web)", code)
        said = (out.getvalue() + err.getvalue()).strip()
        return await show(request, person, {"command": command, "target": target, "code": code, "said": said})

    return [
        Route("/operations", operations, methods=["GET"]),
        Route("/operations", act, methods=["POST"]),
    ]
