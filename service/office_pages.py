"""The workspace's office pages (#27 point 1): the figures with their charts, my week (the
digest and my calendar address) and the import of past cases, checked before it runs.
Each runs the starter's own command or report as the person signed in, in their language.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client

from core.config import Settings
from models import occupations
from records import accounts
from records.report import build_report
from service import auth
from service.language import RequestText, spoken
from starter.cli import main as run_command
from starter.report_output import bars, render_table


def routes(settings: Settings, engine: Engine, client: Client, page: Callable[..., HTMLResponse]) -> list[Route]:
    t = RequestText(settings.language)

    async def figures(request: Request) -> Response:
        """The Welcome Center's figures (``report``), with their charts, in the staff's language."""
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/figures", status_code=303)
        report = await asyncio.to_thread(build_report, engine)
        by_occupation: dict[str, float] = {
            occupations.label(k, long=True): n for k, n in report.placed_by_occupation.items()
        }
        charts = [
            bars(t("People placed by origin country"), dict(report.placed_by_origin_country), t("people")),
            bars(t("People placed by occupation"), by_occupation, t("people")),
            bars(t("Candidates selected by origin country"), dict(report.candidates_by_origin_country), t("people")),
        ]
        return page(
            "figures.html",
            t("Figures"),
            person=person,
            table=render_table(report, t.current()),
            charts=[Markup(c) for c in charts],
        )

    async def week(request: Request) -> Response:
        """My week (the Monday email, ``digest``) and my calendar address (``calendar``)."""
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/week", status_code=303)
        subscription = ""
        if request.method == "POST":
            form = await request.form()
            if not auth.csrf_ok(request, str(form.get("csrf") or "")):
                message = t("The form has expired; nothing was changed. Please try again.")
                return page("message.html", t("Not done"), 403, message=message, person=person)
            out, err = io.StringIO(), io.StringIO()
            argv = ["calendar", "--subscription-url", "--advisor", person]
            await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
            subscription = (out.getvalue() or err.getvalue()).strip()
        out, err = io.StringIO(), io.StringIO()
        code = await run_command(
            ["digest", "--advisor", person], client=client, settings=spoken(settings), out=out, err=err
        )
        await asyncio.to_thread(accounts.log_access, engine, person, None, "digest (web)", code)
        digest = out.getvalue() if code == 0 else err.getvalue()
        return page(
            "week.html", t("My week"), person=person, digest=digest, subscription=subscription,
            csrf=auth.csrf_token(request),
        )  # fmt: skip

    async def import_page(request: Request) -> Response:
        """Past cases from a file: checked first (the dry run's table), then imported on request."""
        person = await auth.session_holder(request, engine)
        if person is None:
            return RedirectResponse("/login?next=/import", status_code=303)
        values: dict[str, Any] = {"checked": None, "imported": "", "content": "", "filename": ""}
        if request.method == "POST":
            form = await request.form()
            if not auth.csrf_ok(request, str(form.get("csrf") or "")):
                message = t("The form has expired; nothing was changed. Please try again.")
                return page("message.html", t("Not done"), 403, message=message, person=person)
            upload = form.get("file")
            if upload is not None and not isinstance(upload, str):
                data, filename = await upload.read(), upload.filename or "import.csv"
            else:  # "import now" sends the file it checked back
                data = base64.b64decode(str(form.get("content") or ""), validate=False)
                filename = str(form.get("filename") or "import.csv")
            name = Path(filename).name or "import.csv"
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / name
                path.write_bytes(data)
                out, err = io.StringIO(), io.StringIO()
                if form.get("action") == "import":
                    argv = ["import", str(path), "--advisor", person]
                    code = await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
                    values["imported"] = (out.getvalue() + err.getvalue()).strip()
                else:
                    argv = ["import", str(path), "--dry-run", "--json"]
                    code = await run_command(argv, client=client, settings=spoken(settings), out=out, err=err)
                    values["checked"] = json.loads(out.getvalue()) if out.getvalue() else {"error": err.getvalue()}
                    values["content"], values["filename"] = base64.b64encode(data).decode(), name
            await asyncio.to_thread(
                accounts.log_access,
                engine,
                person,
                None,
                f"import (web){' checked' if values['checked'] else ''}",
                code,
            )
        return page("import.html", t("Import past cases"), person=person, csrf=auth.csrf_token(request), **values)

    return [
        Route("/import", import_page, methods=["GET", "POST"]),
        Route("/week", week, methods=["GET", "POST"]),
        Route("/figures", figures, methods=["GET"]),
    ]
