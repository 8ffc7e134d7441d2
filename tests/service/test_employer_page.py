"""The employer's status page (#27 point 4): a link the advisor makes on the case page; per
position the milestone reached and the employer's own to-dos with their dates, whom to call;
nothing of the candidate beyond the programme reference, no notes; every view logged; an
expired or withdrawn link says so and shows nothing. German, English on request."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models.journey import AddNote
from records import accounts
from records.schema import access_log
from service.employer import EMPLOYER
from tests.conftest import Stack
from tests.service.office import WebSession, serve_office, with_password
from tests.workflows.case_flow import ADVISOR, new_case, open_journeys, start_case


async def test_the_employer_sees_their_to_dos_until_the_link_is_withdrawn(stack: Stack) -> None:
    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.do(AddNote, note="Gehalt verhandelbar")
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        advisor = WebSession(url)
        await advisor.sign_in(ADVISOR)
        token = await advisor.csrf(f"/cases/{case.case_id}")
        made = await advisor.request("POST", f"/cases/{case.case_id}/employer-links", form={"csrf": token})
        assert made.status == 200
        found = re.search(r'id="new-employer-link">[^<]*/employer/(wc_[A-Za-z0-9_-]+)<', made.text)
        assert found is not None, made.text[-2000:]
        link = f"/employer/{found.group(1)}"

        employer = WebSession(url)  # not signed in: the link is all it has
        page = await employer.request("GET", link)
        assert page.status == 200 and page.headers["cache-control"] == "no-store"
        text = page.text
        assert "Ihre Aufgaben" in text and "THAMM-4711" in text
        assert "Den Arbeits- oder Ausbildungsvertrag unterschreiben" in text
        assert "Erklärung zum Beschäftigungsverhältnis ausfüllen" in text and "bis " in text
        assert f"{ADVISOR}@{stack.settings.staff_email_domain}" in text
        assert "Gehalt verhandelbar" not in text and "(TN)" not in text  # no notes, no origin
        english = (await employer.request("GET", link + "?lang=en")).text
        assert "Your to-dos" in english and "Sign the employment or training contract" in english

        # Withdrawn on the case page: the same link now says so and shows nothing.
        (live,) = [k for k in accounts.tokens(stack.engine, case.case_id, EMPLOYER) if k.revoked_at is None]
        case_page = (await advisor.request("GET", f"/cases/{case.case_id}")).text
        assert f"Link {live.token_id} zurückziehen" in case_page
        withdrawn = await advisor.request(
            "POST", f"/cases/{case.case_id}/employer-links/revoke", form={"csrf": token, "token_id": live.token_id}
        )
        assert withdrawn.status == 303
        gone = await employer.request("GET", link)
        assert gone.status == 410 and "zurückgezogen" in gone.text and "THAMM-4711" not in gone.text

        old, _ = accounts.create_token(stack.engine, case.case_id, "old", timedelta(seconds=-1), scope=EMPLOYER)
        expired = await employer.request("GET", f"/employer/{old}")
        assert expired.status == 410 and "abgelaufen" in expired.text and "THAMM" not in expired.text
        assert (await employer.request("GET", "/employer/wc_made-up")).status == 404
        # A person's command token is no employer link.
        command_token, _ = accounts.create_token(stack.engine, ADVISOR, "cli", timedelta(days=1))
        assert (await employer.request("GET", f"/employer/{command_token}")).status == 404

    with stack.engine.connect() as conn:
        views = (
            conn.execute(
                select(access_log.c.handle).where(
                    access_log.c.case_id == case.case_id, access_log.c.what == "employer page"
                )
            )
            .scalars()
            .all()
        )
    assert views == [f"employer-link:{live.token_id}"] * 2  # German and English, each logged
