"""Operations' page in the workspace (#27 point 1): an undeliverable email is listed with its
"send again" button; sent while the address is still refused, the door's answer shows on the
page; once the address is right it goes out once, and leaves the list."""

from __future__ import annotations

import re

from activities.notifications import message_id
from models.case import AddCaseNote
from tests.conftest import Stack
from tests.service.office import WebSession, serve_office, with_password
from tests.support import SmtpRecorder, eventually
from tests.workflows.case_flow import ADVISOR, case_update, start_case
from tests.workflows.conftest import outbox_rows
from workflows.case import CaseWorkflow


async def test_operations_resend_an_undeliverable_email_from_the_page(
    mail_stack: tuple[Stack, SmtpRecorder],
) -> None:
    stack, smtp = mail_stack
    smtp.refuse_recipients = True
    handle = await start_case(stack.client, stack.settings.task_queue)
    state = await case_update(handle, CaseWorkflow.add_note, AddCaseNote(advisor=ADVISOR, note="Call on Monday"))
    await eventually(lambda: "undeliverable" in outbox_rows(stack, state.case_id).values())
    key = next(k for k, status in outbox_rows(stack, state.case_id).items() if status == "undeliverable")
    with_password(stack, ADVISOR, "ops.lead")
    async with serve_office(stack, language="de") as url:

        async def listed(browser: WebSession) -> str | None:
            page = (await browser.request("GET", "/operations")).text
            return page if key in page else None

        advisor = WebSession(url)
        await advisor.sign_in(ADVISOR)
        page = await eventually(lambda: listed(advisor), timeout=30)
        assert "E-Mails, die nicht zugestellt werden konnten" in page and "Erneut senden" in page
        token = re.search(r'name="csrf" value="([0-9a-f]*)"', page)
        assert token is not None
        resend = {"csrf": token.group(1), "command": "resend-email", "target": key}
        refused = await advisor.request("POST", "/operations", form=resend)
        assert refused.status == 422 and 'role="alert"' in refused.text
        assert "still undeliverable" in refused.text  # the door's answer, beside the button

        smtp.refuse_recipients = False
        ops = WebSession(url)
        await ops.sign_in("ops.lead")
        page = await eventually(lambda: listed(ops), timeout=30)
        token = re.search(r'name="csrf" value="([0-9a-f]*)"', page)
        assert token is not None
        sent = await ops.request("POST", "/operations", form={**resend, "csrf": token.group(1)})
        assert sent.status == 200, sent.text[-1500:]
        assert smtp.message_ids(state.case_id).count(message_id(key)) == 1
        assert outbox_rows(stack, state.case_id)[key] == "sent"

        async def gone() -> bool:
            return key not in (await ops.request("GET", "/operations")).text

        assert await eventually(gone, timeout=30)
