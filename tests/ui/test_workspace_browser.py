"""The workspace in a real browser (#27 points 3 and 5): Playwright drives the system's
Chromium through the sign-in, the case lists and a case page, in German, by keyboard where
a person without a mouse would; axe-core finds no WCAG 2.1 A/AA violation on any page; the
case page prints without the navigation. Screenshots (and the printed page) go to
artifacts/workspace/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from models import clock
from tests.conftest import Stack
from tests.service.office import PASSWORD, serve_office, with_password
from tests.ui.browser import chromium_path
from tests.workflows.case_flow import ADVISOR

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "workspace"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            context = await browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
            yield await context.new_page()
        finally:
            await browser.close()


async def accessible(page: Page, name: str) -> None:
    """No axe-core violation of WCAG 2.1 A/AA; a screenshot either way."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results: Any = await Axe().run(page, options=WCAG_AA)
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], f"{name}: {violations}"


async def signed_in(page: Page, url: str, then: str) -> None:
    """Sign in as the advisor through the login form, landing on ``then``."""
    await page.goto(f"{url}/login?next={then}")
    await page.fill("#handle", ADVISOR)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{url}{then}")


async def tab_to(page: Page, href_part: str, most: int = 60) -> None:
    """Tab until the focused element is the link whose address contains ``href_part``."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        href = await page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
        if href and href_part in href:
            return
    raise AssertionError(f"no link to {href_part} reachable by Tab")


async def test_an_advisor_opens_a_case_and_walks_it_in_the_workspace_by_keyboard(stack: Stack) -> None:
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url, browser_page() as page:
        await page.goto(f"{url}/cases")
        assert page.url.endswith("/login?next=/cases")
        assert await page.inner_text("h1") == "Anmelden"
        await accessible(page, "sign-in")
        # By keyboard: the handle field has the focus, Tab to the password, Enter sends.
        await page.keyboard.type(ADVISOR)
        await page.keyboard.press("Tab")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/cases")
        assert await page.inner_text("h1") == "Meine Fälle"

        # A new case through its form, then the consultation and the candidate's selection.
        await page.click("text=Neuer Fall")
        await accessible(page, "new-case")
        for name, value in {
            "employer_name": "Haustechnik Gehrden GmbH", "employer_contact": "personal@haustechnik-gehrden.example",
            "occupation": "shk_installer", "qualification_level": "vocational", "monthly_gross_wage_eur": "3100",
            "positions": "2", "route": "§18a",
        }.items():  # fmt: skip
            await page.fill(f"#new-case-case-{name}", value)
        await page.click("#new-case-case button[type=submit]")
        await page.wait_for_url("**/cases/WC-*?done=new-case")
        case_id = page.url.split("/cases/")[1].split("?")[0]
        await page.click("#complete-consultation-case summary")
        await page.check("#complete-consultation-case-wage_meets_local_standard")
        await page.click("#complete-consultation-case button[type=submit]")
        await page.wait_for_url(f"**/cases/{case_id}?done=complete-consultation")
        await page.click("#select-candidates-case summary")
        await page.fill("#select-candidates-case-candidates", "THAMM-4711:TN")
        await page.click("#select-candidates-case button[type=submit]")
        await page.wait_for_url(f"**/cases/{case_id}?done=select-candidates")

        await page.goto(f"{url}/cases")
        assert case_id in await page.inner_text("table")
        await accessible(page, "my-cases")

        # The other pages of the service, each checked too.
        for path, name in (
            ("/", "overview"),
            ("/tokens", "tokens"),
            ("/week", "my-week"),
            ("/operations", "operations"),
        ):
            await page.goto(f"{url}{path}")
            await accessible(page, name)

        await page.goto(f"{url}/cases?scope=all&overdue=1")
        assert await page.inner_text("h1") == "Alle Fälle"
        await accessible(page, "all-cases-overdue")

        await page.goto(f"{url}/cases")
        await tab_to(page, f"/cases/{case_id}")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/cases/{case_id}")
        text = await page.inner_text("main")
        assert "Kandidat/in THAMM-4711 (TN)" in text and "Fehlende Unterlagen" in text and "Rechtsgrundlage" in text
        await accessible(page, "case")

        # Printed: the case, without the navigation.
        await page.emulate_media(media="print")
        assert not await page.is_visible("nav")
        assert await page.is_visible("text=Verlauf des Falls")
        await page.pdf(path=str(ARTIFACTS / "case-printed.pdf"))
        await page.emulate_media(media="screen")

        # Actions through their forms: the contract's documents (one per line), then the
        # contract with a wrong date first, its error beside the field, corrected.
        documents = "#record-documents-THAMM-4711"
        await page.click(f"{documents} summary")
        await page.fill(
            f"{documents}-documents",
            "employment_contract:DMS-2026-0412\nerklaerung_beschaeftigungsverhaeltnis:DMS-2026-0413",
        )
        await page.click(f"{documents} button[type=submit]")
        await page.wait_for_url(f"{url}/cases/{case_id}?done=record-documents")
        form = "#record-contract-THAMM-4711"
        await page.click(f"{form} summary")
        ahead, today = clock.today() + timedelta(days=10), clock.today()
        await page.fill(f"{form}-signed_on", ahead.isoformat())
        await page.fill(f"{form}-starts_on", (today + timedelta(days=30)).isoformat())
        await page.click(f"{form} button[type=submit]")
        error = await page.inner_text(f"{form}-signed_on-error")
        assert "signed_on" in error or "Zukunft" in error or "liegt" in error, error
        assert await page.get_attribute(f"{form}-signed_on", "aria-invalid") == "true"
        assert await page.input_value(f"{form}-starts_on") == (today + timedelta(days=30)).isoformat()  # kept
        await accessible(page, "case-form-error")
        await page.fill(f"{form}-signed_on", today.isoformat())
        await page.click(f"{form} button[type=submit]")
        await page.wait_for_url(f"{url}/cases/{case_id}?done=record-contract")
        assert "Erfasst: record-contract" in await page.inner_text("main")
        done = await page.inner_text("ol.milestones li.done")
        assert "Arbeits- oder Ausbildungsvertrag" in done
        await accessible(page, "case-after-action")

        # The employer's status page, from the link the advisor makes here.
        await page.click("text=Link für den Arbeitgeber erstellen")
        link = await page.get_attribute("#new-employer-link", "href")
        assert link and "/employer/wc_" in link
        await accessible(page, "case-employer-link")
        employer = await page.context.browser.new_context(locale="de-DE")  # type: ignore[union-attr]
        employer_page = await employer.new_page()
        await employer_page.goto(link.replace(stack.settings.service_public_url.rstrip("/"), url))
        text = await employer_page.inner_text("main")
        assert "Ihre Aufgaben" in text and "THAMM-4711" in text and "Erreicht" in text
        await accessible(employer_page, "employer-status")
        await employer_page.click("text=English")
        assert "Your to-dos" in await employer_page.inner_text("main")
        await accessible(employer_page, "employer-status-english")
        await employer.close()

        await page.goto(f"{url}/cases/WC-0000000000")
        assert "Diesen Fall gibt es nicht." in await page.inner_text("main")
        await accessible(page, "no-such-case")
