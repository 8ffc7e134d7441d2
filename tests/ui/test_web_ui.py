"""A real browser on the Temporal Web UI: Debian's headless Chromium opens the workflow
list filtered by a custom search attribute and a case's page, checks what is rendered
and keeps the screenshots in artifacts/ui/ (CI keeps them as evidence)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tests.conftest import Stack
from tests.support import eventually
from tests.ui.browser import Browser
from tests.workflows.case_flow import new_case, open_journeys, start_case

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"


async def test_the_web_ui_shows_the_filtered_list_and_a_case_file(stack: Stack, ui_url: str) -> None:
    case = new_case(positions=1, occupation="nurse")
    handle = await start_case(stack.client, stack.settings.task_queue, case)
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "MA")])
    await journey.contract()
    query = f"CaseId = '{case.case_id}'"

    async def indexed() -> int:
        return len([wf async for wf in stack.client.list_workflows(query)]) == 2

    await eventually(indexed)

    async with Browser() as browser:
        await browser.open(f"{ui_url}/namespaces/default/workflows?query={quote(query)}")
        text = await browser.wait_for_text("2 Running", handle.id, journey.handle.id, "CaseWorkflow", "JourneyWorkflow")
        assert "Running" in text
        await browser.screenshot(ARTIFACTS / "workflow-list-by-case-id.png")

        run_id = (await handle.describe()).run_id
        await browser.open(f"{ui_url}/namespaces/default/workflows/{handle.id}/{run_id}/user-metadata")
        # The case file: summary and details (markdown), and what each step, timer and
        # child workflow is, in words.
        await browser.wait_for_text(
            handle.id,
            "Summary",
            "Details",
            f"{case.case_id} · journey 1 · THAMM-4711 (MA) · nurse",
            "load the deadline policy",
            "next deadline rung",
            "record candidates_selected",
        )
        await browser.screenshot(ARTIFACTS / "case-page.png")
