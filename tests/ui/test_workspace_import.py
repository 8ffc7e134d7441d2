"""The import in the workspace (#27 point 1): a file checked first (the dry run's table, its
problems named by row and column), imported only on request, as the person signed in."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from models import clock
from models.case import workflow_id_for
from starter.importing import imported_case_id
from tests.conftest import Stack
from tests.service.office import serve_office, with_password
from tests.support import eventually
from tests.ui.test_workspace_browser import accessible, browser_page, signed_in
from tests.workflows.case_flow import ADVISOR


async def test_a_file_is_checked_then_imported_and_a_bad_one_is_not(stack: Stack, tmp_path: Path) -> None:
    ref, advised = f"WEB-{uuid.uuid4().hex[:8]}", clock.today() - timedelta(days=300)
    good, bad = tmp_path / "past.csv", tmp_path / "bad.csv"
    good.write_text(
        f"case_ref;employer_name;advised_on;occupation;route\n{ref};Firma Gut GmbH;{advised};cnc_machinist;18a\n"
    )
    bad.write_text(
        f"case_ref;employer_name;advised_on;occupation;route\n{ref}-2;Firma Schlecht GmbH;{advised};astronaut;18a\n"
    )
    with_password(stack, ADVISOR)
    async with serve_office(stack, language="de") as url, browser_page() as page:
        await signed_in(page, url, "/import")

        await page.set_input_files("#import-file", str(bad))
        await page.click("button[value=check]")
        text = await page.inner_text("main")
        assert "Probleme" in text and "occupation" in text and "Jetzt importieren" not in text
        await accessible(page, "import-problems")

        await page.set_input_files("#import-file", str(good))
        await page.click("button[value=check]")
        assert "Geprüft: past.csv" in await page.inner_text("main")
        await accessible(page, "import-checked")
        await page.click("button[value=import]")
        assert "Importiert" in await page.inner_text("main")

    async def started() -> bool:
        try:
            await stack.client.get_workflow_handle(workflow_id_for(imported_case_id(ref))).describe()
        except Exception:
            return False
        return True

    assert await eventually(started, timeout=60)
