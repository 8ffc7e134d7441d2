"""A case walked from the first consultation to placed only through the workspace (#27
point 5): every step is the form the case page offers, filled and sent in the browser, as
an advisor would (the documents as the checklist asks for them, read from the page's own
journey). The story is told in the past (tests/workflows/case_flow.py's days), so it holds
on any day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.async_api import Page

from tests.conftest import Stack
from tests.service.office import serve_office, with_password
from tests.ui.test_workspace_browser import accessible, browser_page, signed_in
from tests.workflows.case_flow import ADVISOR, day

REF = "THAMM-4711"


async def send(page: Page, case_id: str, command: str, fields: dict[str, Any], candidate: str | None = REF) -> None:
    """Open the action's form, fill it, send it, and wait until the case page says it is recorded."""
    anchor = f"#{command}-{candidate or 'case'}"
    if not await page.is_visible(f"{anchor} form"):
        await page.click(f"{anchor} summary")
    for name, value in fields.items():
        field = f"{anchor}-{name}"
        kind = await page.eval_on_selector(field, "e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if value is True:
            await page.check(field)
        elif kind.startswith("select"):
            await page.select_option(field, str(value))
        else:
            await page.fill(field, value.isoformat() if isinstance(value, date) else str(value))
    await page.click(f"{anchor} button[type=submit]")
    try:
        await page.wait_for_url(f"**/cases/{case_id}?done={command}", timeout=15000)
    except Exception as err:
        errors = await page.locator(f"{anchor} .error").all_inner_texts()
        raise AssertionError(f"{command}: not recorded: {errors}") from err


async def documents(page: Page, stack: Stack, case_id: str, on: date) -> None:
    """Every document the journey's next steps still need, as the case page lists them."""
    view = await stack.client.get_workflow_handle(f"case-{case_id}-j1").query("status")
    missing = view["open_documents"]
    if missing:
        lines = "\n".join(f"{code}:DMS-{code[:20]}:{on.isoformat()}" for code in missing)
        await send(page, case_id, "record-documents", {"documents": lines})


async def test_a_case_from_the_first_consultation_to_placed_through_the_workspace(stack: Stack) -> None:
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url, browser_page() as page:
        await signed_in(page, url, "/cases/new")
        for name, value in {
            "employer_name": "Haustechnik Gehrden GmbH", "employer_contact": "personal@haustechnik-gehrden.example",
            "occupation": "shk_installer", "qualification_level": "vocational", "monthly_gross_wage_eur": "3100",
            "positions": "1", "route": "§18a", "origin_programme": "THAMM Plus",
        }.items():  # fmt: skip
            await page.fill(f"#new-case-case-{name}", value)
        await page.click("#new-case-case button[type=submit]")
        await page.wait_for_url("**/cases/WC-*?done=new-case")
        case_id = page.url.split("/cases/")[1].split("?")[0]

        await send(page, case_id, "complete-consultation", {"wage_meets_local_standard": True}, candidate=None)
        await send(page, case_id, "select-candidates", {"candidates": f"{REF}:TN"}, candidate=None)
        await documents(page, stack, case_id, day(0))
        await send(page, case_id, "record-contract", {"signed_on": day(1), "starts_on": day(200)})
        await documents(page, stack, case_id, day(4))
        await send(page, case_id, "apply-for-recognition", {"applied_on": day(5), "body": "Handwerkskammer Hannover"})
        await send(page, case_id, "confirm-recognition-receipt", {"confirmed_on": day(12), "complete_on": day(12)})
        await send(page, case_id, "record-recognition", {"decision": "full", "decided_on": day(60)})
        await send(page, case_id, "request-ba-consent", {"path": "vorabzustimmung", "requested_on": day(65)})
        await send(page, case_id, "record-ba-decision", {"decision": "granted", "decided_on": day(75)})
        await send(page, case_id, "book-visa-appointment", {"appointment_on": day(90), "mission": "Tunis"})
        await documents(page, stack, case_id, day(80))
        await send(page, case_id, "record-visa-application", {"applied_on": day(90)})
        await send(
            page, case_id, "record-visa-decision",
            {"decision": "issued", "decided_on": day(100), "valid_until": day(100) + timedelta(days=365)},
        )  # fmt: skip
        await send(page, case_id, "record-arrival", {"arrived_on": day(150)})
        await send(page, case_id, "record-job-start", {"started_on": day(152)})
        await send(page, case_id, "record-moving-in", {"moved_in_on": day(150)})
        await documents(page, stack, case_id, day(151))
        await send(page, case_id, "record-anmeldung", {"registered_on": day(155)})
        await documents(page, stack, case_id, day(156))
        await send(page, case_id, "record-permit-application", {"applied_on": day(160)})
        await documents(page, stack, case_id, day(161))
        await send(
            page, case_id, "record-permit-decision",
            {"decision": "granted", "decided_on": day(190), "valid_until": day(190 + 4 * 365)},
        )  # fmt: skip
        await send(page, case_id, "record-probation-passed", {"passed_on": day(335)})
        if await page.is_visible(f"#record-integration-course-{REF}"):
            await send(page, case_id, "record-integration-course", {"status": "registered", "recorded_on": day(336)})

        await page.goto(f"{url}/cases/{case_id}")
        text = await page.inner_text("main")
        assert "placed" in text, text[:2000]
        await accessible(page, "case-placed")
        # The figures count the placement, with their charts.
        await page.goto(f"{url}/figures")
        figures = await page.inner_text("main")
        assert "Vermittelte Personen nach Herkunftsland" in figures and "TN" in figures
        await accessible(page, "figures")
    state = await stack.client.get_workflow_handle(f"case-{case_id}").query("status")
    assert state["outcome"] == "placed" and state["advisor"] == ADVISOR
