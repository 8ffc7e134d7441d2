"""The weekly digest (#16 point 2): an advisor's deadlines of the next two weeks, the
overdue ones and the quiet cases, by email once per ISO week, and on demand."""

from __future__ import annotations

import io
import json
import uuid
from email.header import decode_header, make_header
from email.message import Message

from models import clock
from models.clocks import Deadline
from models.digest import WeeklyDigestInput, digest_key, iso_week
from models.journey import ApplyForRecognition
from starter.cli import main
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, day, new_case, open_journeys, start_case
from workflows.digest import WeeklyDigestWorkflow


async def overdue_case(stack: Stack) -> tuple[str, list[Deadline]]:
    """A case whose journey applied for recognition long ago (the story is told in the past):
    the authority's receipt clock is overdue."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    await journey.do(ApplyForRecognition, applied_on=day(5), body="Handwerkskammer Hannover")
    deadlines = [d for d in (await journey.view()).state.deadlines if d.open]
    assert any(d.due_on < clock.today() for d in deadlines)
    return handle.id.removeprefix("case-"), deadlines


async def test_digest_on_demand_lists_the_open_deadlines_of_the_advisors_cases(stack: Stack) -> None:
    case_id, deadlines = await overdue_case(stack)
    out, err = io.StringIO(), io.StringIO()
    code = await main(["digest", "--advisor", ADVISOR, "--json"], client=stack.client, settings=stack.settings, out=out)
    assert code == 0, err.getvalue()
    digest = json.loads(out.getvalue())
    listed = {(i["case_id"], i["what"], i["due_on"]) for i in digest["overdue"] + digest["due_soon"]}
    mine = {(c, what, due) for c, what, due in listed if c == case_id}
    # Exactly the deadlines due within two weeks or overdue; later ones wait for their week.
    today = clock.today()
    assert mine == {(case_id, d.label, d.due_on.isoformat()) for d in deadlines if (d.due_on - today).days <= 14}
    overdue = {(i["what"], i["due_on"]) for i in digest["overdue"] if i["case_id"] == case_id}
    assert overdue == {(d.label, d.due_on.isoformat()) for d in deadlines if d.due_on < clock.today()}


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))  # German umlauts arrive encoded


async def test_the_weekly_run_sends_each_digest_once_per_week(stack: Stack) -> None:
    case_id, _ = await overdue_case(stack)
    week = iso_week(clock.today())  # the queue has only this case; the key is per person and week

    async def run() -> list[str]:
        result = await stack.client.execute_workflow(
            WeeklyDigestWorkflow.run,
            WeeklyDigestInput(week=week),
            id=f"digest-test-{uuid.uuid4()}",
            task_queue=stack.settings.task_queue,
        )
        return result.sent

    key = digest_key(ADVISOR, week)
    first = await run()
    assert key in first

    def digests() -> list:  # type: ignore[type-arg]
        return [
            m
            for m in stack.smtp.for_case("digest")
            if subject(m).startswith(f"Welcome Center weekly digest {week} for {ADVISOR}")
        ]

    mails = await eventually(digests)
    assert mails[0]["To"] == f"{ADVISOR}@{stack.settings.staff_email_domain}"
    assert case_id in mails[0].get_payload(decode=True).decode()
    # A second run in the same week (a worker restart, a manual run) sends nothing new.
    assert key in await run()
    assert len(digests()) == 1
