"""The advisors' workspace (#27): case lists from the records with filters, and the case
page from the case's workflows, behind the login, in the staff's language; every case shown
is in the access log under the person signed in."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from models import clock
from records.schema import access_log, cases
from tests.conftest import Stack
from tests.service.office import WebSession, serve_office, with_password
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, new_case, open_journeys, start_case
from workflows.case import CaseWorkflow


async def recorded(stack: Stack, case_id: str) -> bool:
    with stack.engine.connect() as conn:
        return conn.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is not None


async def test_my_cases_all_cases_and_their_filters(stack: Stack) -> None:
    mine = new_case()
    theirs = new_case(advisor="a.yilmaz")
    handle = await start_case(stack.client, stack.settings.task_queue, mine)
    await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await start_case(stack.client, stack.settings.task_queue, theirs)
    for case_id in (mine.case_id, theirs.case_id):
        assert await eventually(functools.partial(recorded, stack, case_id))
    with stack.engine.begin() as conn:  # their case is overdue
        yesterday = clock.today() - timedelta(days=1)
        conn.execute(update(cases).where(cases.c.case_id == theirs.case_id).values(next_due_on=yesterday))
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        assert (await browser.request("GET", "/cases")).headers["location"] == "/login?next=/cases"
        await browser.sign_in(ADVISOR)

        page = (await browser.request("GET", "/cases")).text
        assert "Meine Fälle" in page and mine.case_id in page and theirs.case_id not in page
        assert "Haustechnik Gehrden GmbH" in page  # opened from its sealed row
        everyone = (await browser.request("GET", "/cases?scope=all")).text
        assert mine.case_id in everyone and theirs.case_id in everyone and "überfällig" in everyone
        overdue = (await browser.request("GET", "/cases?scope=all&overdue=1")).text
        assert theirs.case_id in overdue and mine.case_id not in overdue
        tunisia = (await browser.request("GET", "/cases?scope=all&country=TN")).text
        assert mine.case_id in tunisia and theirs.case_id not in tunisia
        theirs_only = (await browser.request("GET", "/cases?scope=all&advisor=a.yilmaz")).text
        assert theirs.case_id in theirs_only and mine.case_id not in theirs_only
        # A made-up filter value is dropped, not trusted.
        assert (await browser.request("GET", "/cases?stage=%27%3B--")).status == 200

    with stack.engine.connect() as conn:
        shown = conn.execute(select(access_log.c.case_id).where(access_log.c.what == "cases (web)")).scalars().all()
    assert mine.case_id in shown and theirs.case_id in shown


async def test_the_case_page_shows_the_case_its_journeys_and_their_deadlines_in_german(stack: Stack) -> None:
    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        await browser.sign_in(ADVISOR)
        answer = await browser.request("GET", f"/cases/{case.case_id}")
        assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
        page = answer.text
        assert "Haustechnik Gehrden GmbH" in page and "personal@haustechnik-gehrden.example" in page
        assert "Kandidat" in page and "THAMM-4711 (TN)" in page
        assert "Arbeitsvertrag" in page  # a missing document by its German name
        assert "Rechtsgrundlage" in page and "§" in page  # a deadline with its legal basis
        assert "Verlauf" in page

        missing = await browser.request("GET", "/cases/WC-0000000000")
        assert missing.status == 404 and "Diesen Fall gibt es nicht" in missing.text
        assert (await browser.request("GET", "/cases/not-a-case")).status == 404
    with stack.engine.connect() as conn:
        read = conn.execute(
            select(access_log.c.handle, access_log.c.outcome).where(
                access_log.c.case_id == case.case_id, access_log.c.what == "case page (web)"
            )
        ).all()
    assert [tuple(r) for r in read] == [(ADVISOR, 0)]


async def test_a_form_acts_as_the_person_signed_in_and_only_with_the_sessions_csrf_token(stack: Stack) -> None:
    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    with_password(stack, ADVISOR)
    note = {"command": "add-note", "candidate": "THAMM-4711", "note": "Rückruf vereinbart", "advisor": "t.lead"}
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        await browser.sign_in(ADVISOR)
        forged = await browser.request("POST", f"/cases/{case.case_id}/act", form=note)  # no CSRF token
        assert forged.status == 403
        token = await browser.csrf(f"/cases/{case.case_id}")
        done = await browser.request("POST", f"/cases/{case.case_id}/act", form={**note, "csrf": token})
        assert done.status == 303 and done.headers["location"] == f"/cases/{case.case_id}?done=add-note"
        refused = await browser.request(
            "POST", f"/cases/{case.case_id}/act", form={"command": "erase-case", "csrf": token}
        )
        assert refused.status == 400  # not an action of the workspace's forms
    view = await stack.client.get_workflow_handle(f"case-{case.case_id}-j1").query("status")
    notes = [e for e in view["state"]["history"] if e["action"] == "note_added"]
    # Once (the forged post changed nothing), by the person signed in, not the one posted.
    assert [(e["advisor"], e["note"]) for e in notes] == [(ADVISOR, "Rückruf vereinbart")]


async def test_a_new_case_is_opened_through_its_form_once_and_a_wrong_field_is_named(stack: Stack) -> None:
    """The new-case form comes from the starter's own flags; sent twice (its id is fixed
    when the form is shown) it opens one case; a wrong value is named beside its field."""
    import re

    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        await browser.sign_in(ADVISOR)
        form = (await browser.request("GET", "/cases/new")).text
        assert "Neuer Fall" in form and "Name des Arbeitgebers" in form
        found = re.search(r'name="case_id" value="(WC-[0-9A-Z]{10})"', form)
        assert found is not None
        case_id = found.group(1)
        token = await browser.csrf("/cases/new")
        fields = {
            "csrf": token, "command": "new-case", "case_id": case_id, "employer_name": "Pflegeheim Linden gGmbH",
            "employer_contact": "hr@pflegeheim-linden.example", "occupation": "nurse",
            "qualification_level": "vocational", "monthly_gross_wage_eur": "drei", "positions": "2",
            "route": "§18a", "advisor": "t.lead",
        }  # fmt: skip
        wrong = await browser.request("POST", "/cases/new", form=fields)
        assert wrong.status == 422 and 'aria-invalid="true"' in wrong.text and "Pflegeheim Linden" in wrong.text
        assert not await recorded(stack, case_id)  # nothing opened
        for _ in range(2):
            opened = await browser.request("POST", "/cases/new", form={**fields, "monthly_gross_wage_eur": "3400"})
            assert opened.status == 303 and opened.headers["location"] == f"/cases/{case_id}?done=new-case"
        page = (await browser.request("GET", opened.headers["location"])).text
        assert "Erfasst: new-case" in page and "Pflegeheim Linden gGmbH" in page
    state = await stack.client.get_workflow_handle(f"case-{case_id}").query("status")
    assert state["advisor"] == ADVISOR and len(state["history"]) == 1  # opened once, by the person signed in


async def test_my_week_shows_the_digest_and_makes_my_calendar_address(stack: Stack) -> None:
    case = new_case()
    await start_case(stack.client, stack.settings.task_queue, case)
    assert await eventually(functools.partial(recorded, stack, case.case_id))
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        await browser.sign_in(ADVISOR)
        page = (await browser.request("GET", "/week")).text
        assert "Meine Woche" in page and case.case_id in page  # its consultation deadline is in the digest
        token = await browser.csrf("/week")
        made = (await browser.request("POST", "/week", form={"csrf": token})).text
        assert "/calendar/" in made
        assert (await browser.request("POST", "/week", form={})).status == 403  # no CSRF token: nothing made


async def test_the_team_lead_erases_a_closed_case_from_its_page_and_an_advisor_may_not(stack: Stack) -> None:
    from models.case import Withdraw
    from records.schema import cases as case_rows

    case = new_case()
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    await handle.execute_update(
        CaseWorkflow.withdraw, Withdraw(advisor=ADVISOR, party="employer", reason_code="filled_otherwise")
    )
    with_password(stack, ADVISOR, "t.lead")
    async with serve_office(stack, language="de") as url:
        advisor = WebSession(url)
        await advisor.sign_in(ADVISOR)
        page = (await advisor.request("GET", f"/cases/{case.case_id}")).text
        assert "Den Fall auf Antrag löschen" in page
        token = await advisor.csrf(f"/cases/{case.case_id}")
        refused = await advisor.request("POST", f"/cases/{case.case_id}/erase", form={"csrf": token, "basis": "Antrag"})
        assert refused.status == 422 and "team_lead" in refused.text
        lead = WebSession(url)
        await lead.sign_in("t.lead")
        token = await lead.csrf(f"/cases/{case.case_id}")
        erased = await lead.request("POST", f"/cases/{case.case_id}/erase", form={"csrf": token, "basis": "Antrag"})
        assert erased.status == 200 and "gelöscht" in erased.text
    with stack.engine.connect() as conn:
        name = conn.execute(select(case_rows.c.employer_name).where(case_rows.c.case_id == case.case_id)).scalar_one()
    assert name == "(erased)"


async def test_a_person_switches_the_pages_to_english_and_back(stack: Stack) -> None:
    case = new_case()
    await start_case(stack.client, stack.settings.task_queue, case)
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url:
        browser = WebSession(url)
        await browser.sign_in(ADVISOR)
        assert "Meine Fälle" in (await browser.request("GET", "/cases")).text
        switched = await browser.request("GET", "/language?to=en", referer=f"{url}/cases/{case.case_id}")
        assert switched.status == 303 and switched.headers["location"] == f"/cases/{case.case_id}"
        page = (await browser.request("GET", f"/cases/{case.case_id}")).text
        assert "Back to my cases" in page and 'lang="en"' in page and "Deadlines" in page
        # A command's refusal speaks English too.
        token = await browser.csrf(f"/cases/{case.case_id}")
        wrong = {"csrf": token, "command": "change-offered-wage", "monthly_gross_wage_eur": "3100", "changed_on": ""}
        refused = (await browser.request("POST", f"/cases/{case.case_id}/act", form=wrong)).text
        assert 'aria-invalid="true"' in refused and ("required" in refused or "already" in refused)
        await browser.request("GET", "/language?to=de")
        assert "Meine Fälle" in (await browser.request("GET", "/cases")).text
        # Another person's choice is theirs: a fresh browser gets the office's language.
        other = WebSession(url)
        await other.sign_in(ADVISOR)
        assert "Meine Fälle" in (await other.request("GET", "/cases")).text


async def test_the_escalated_filter_lists_the_cases_escalated_to_the_team_lead_or_beyond(
    stack: Stack, tmp_path: Path
) -> None:
    from tests.workflows.scaled import LADDER, scaled_worker

    clocks = {"consultation_follow_up": {"period": {"days": 4}, "escalation": LADDER}}
    calm = new_case()
    await start_case(stack.client, stack.settings.task_queue, calm)
    async with scaled_worker(stack, tmp_path, day_seconds=0.5, clocks=clocks) as queue:
        late = new_case()
        await start_case(stack.client, queue, late)

        async def escalated() -> bool:
            query = f"CaseId = '{late.case_id}' AND EscalationLevel >= 3"
            return bool([wf async for wf in stack.client.list_workflows(query)])

        assert await eventually(escalated, timeout=60)
        for case_id in (calm.case_id, late.case_id):
            assert await eventually(functools.partial(recorded, stack, case_id))
        with_password(stack, ADVISOR)
        async with serve_office(stack, language="de") as url:
            browser = WebSession(url)
            await browser.sign_in(ADVISOR)
            page = (await browser.request("GET", "/cases?scope=all&escalated=1")).text
            assert late.case_id in page and calm.case_id not in page
