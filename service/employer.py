"""The employer's status page (#27 point 4): a link per case that the advisor makes in the
workspace and sends to the employer. It shows, per position, the milestone reached and the
employer's own to-dos with their dates, and whom to call; no candidate data beyond the
programme reference, no notes, no history. German, or English with ``?lang=en``.

The link is a capability: a random token of 256 bits whose hash is kept with the case as
holder (records/accounts, scope ``employer``), so it expires (``LINK_DAYS``) and the advisor
revokes it; an expired or revoked link says so and shows nothing. Every view is written to
the access log, as ``employer-link:<token id>``.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError

from core.config import Settings
from core.i18n import Text
from models import occupations
from models.documents import DocumentCode
from models.journey import JourneyView
from process.definition import BY_MILESTONE
from records import accounts
from service.case_views import milestone_title, read_case
from service.web import TEMPLATES

EMPLOYER = "employer"
LINK_DAYS = 90  # long enough for the months a recognition takes; the advisor makes a new one


def t(text: str) -> str:
    """Marks a text for the catalogue; translated where the page is rendered."""
    return text


# The documents that are the employer's to give: each a to-do while its milestone is open.
EMPLOYER_TASKS: dict[DocumentCode, str] = {
    DocumentCode.EMPLOYMENT_CONTRACT: t("Sign the employment or training contract and send it to your advisor"),
    DocumentCode.ERKLAERUNG_BESCHAEFTIGUNGSVERHAELTNIS: t(
        "Fill in and sign the Erklärung zum Beschäftigungsverhältnis and send it to your advisor"
    ),
    DocumentCode.AGREEMENT_81A: t(
        "Sign the agreement on the accelerated procedure (§81a AufenthG) with the Ausländerbehörde"
    ),
    DocumentCode.FEE_RECEIPT_81A: t("Pay the fee of the accelerated procedure (§81a AufenthG) and send the receipt"),
}


def todos(view: JourneyView) -> list[tuple[str, date | None]]:
    """The employer's to-dos of one journey, each with the date its milestone is due."""
    found: list[tuple[str, date | None]] = []
    for open_milestone in view.milestones:
        clock = BY_MILESTONE[open_milestone.milestone].clock
        due = next((d.due_on for d in view.state.deadlines if d.open and d.clock == clock), None)
        found += [(EMPLOYER_TASKS[c], due) for c in open_milestone.open_documents if c in EMPLOYER_TASKS]
    return found


def make_link(engine: Engine, case_id: str, advisor: str) -> tuple[str, accounts.Token]:
    return accounts.create_token(engine, case_id, f"by {advisor}", timedelta(days=LINK_DAYS), scope=EMPLOYER)


def routes(settings: Settings, engine: Engine, client: Client) -> list[Route]:
    texts = {language: Text(language) for language in ("de", "en")}

    def page(language: str, status: int, **values: Any) -> HTMLResponse:
        t = texts[language]
        html = TEMPLATES.get_template("employer.html").render(
            t=t, language=language, office_name=settings.office_name, title=t("Your case at the Welcome Center"),
            **values,
        )  # fmt: skip
        return HTMLResponse(
            html, status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )

    async def employer_page(request: Request) -> Response:
        language = "en" if request.query_params.get("lang") == "en" else "de"
        t = texts[language]  # noqa: F811 - the page's language; the marker above is for the catalogue
        token = request.path_params["token"]
        state, case_id, token_id = await asyncio.to_thread(accounts.token_state, engine, token, EMPLOYER)
        if state != "valid" or case_id is None:
            why = {
                "expired": t("This link has expired. Please ask your advisor for a new one."),
                "revoked": t("This link has been withdrawn. Please ask your advisor for a new one."),
            }.get(state, t("This link is not valid."))
            return page(language, 410 if state in ("expired", "revoked") else 404, why=why)
        try:
            case, views = await read_case(client, case_id)
        except RPCError:
            return page(language, 404, why=t("This link is not valid."))
        await asyncio.to_thread(accounts.log_access, engine, f"employer-link:{token_id}", case_id, "employer page", 0)
        positions = [(view, todos(view)) for view in views]
        advisor_email = f"{case.advisor}@{settings.staff_email_domain}"
        return page(
            language, 200, case=case, positions=positions, advisor_email=advisor_email, token=token, why="",
            milestone_title=milestone_title, occupation=occupations.label,
        )  # fmt: skip

    return [
        Route("/employer/{token}", employer_page, methods=["GET"]),
    ]
