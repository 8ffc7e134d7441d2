"""The advisors' calendar feeds (#16, #25 point 5): ``GET /calendar/<token>.ics``.

The token in the address is the advisor's own, minted by ``bin/starter calendar
--subscription-url`` (a new one stops the earlier), stopped by ``--stop-subscription``,
kept hashed with the scope ``calendar``: it opens this one feed and nothing else. Every
fetch is in the access log, one record per case it shows. Request lines are never logged
(the token is in them).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from temporalio.client import Client

from core.config import Settings
from core.i18n import Text
from models import clock, staff
from records import accounts
from starter.calendar import build_calendar, deadline_entries


def routes(settings: Settings, engine: Engine, client: Client) -> list[Route]:
    async def feed(request: Request) -> Response:
        token = request.path_params["token"]
        person = await asyncio.to_thread(accounts.holder, engine, token, accounts.CALENDAR)
        if person is None or staff.role_of(person) is None:
            return PlainTextResponse("no such calendar (stopped, expired or never issued)", status_code=404)
        entries = await deadline_entries(client, settings, person)
        body = build_calendar(entries, person, clock.now(), Text(settings.language))
        shown = sorted({e.case_id for e in entries})
        await asyncio.to_thread(accounts.log_accesses, engine, person, shown, "calendar feed", 0)
        return Response(body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "no-store"})

    return [Route("/calendar/{token}.ics", feed, methods=["GET"])]
