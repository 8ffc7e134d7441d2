"""The weekly digest (#16 point 2): an advisor's deadlines of the next two weeks, the
overdue ones and the quiet cases, by email once per ISO week, and on demand."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from email.header import decode_header, make_header
from email.message import Message

from activities.digest import _monday_of, render
from core.i18n import Text
from models.clocks import Deadline
from models.digest import Digest, DigestItem, WeeklyDigestInput, digest_key, iso_week
from models.journey import ApplyForRecognition
from starter.cli import main
from tests.conftest import Stack
from tests.support import eventually
from tests.workflows.case_flow import ADVISOR, day, new_case, open_journeys, start_case
from workflows.digest import WeeklyDigestWorkflow


def test_weeks_are_iso_weeks_and_name_the_digest_key() -> None:
    assert iso_week(date(2026, 11, 27)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"  # ISO: the Friday belongs to the old year's last week
    assert _monday_of("2026-W53") == date(2026, 12, 28)
    assert digest_key("m.koch", "2026-W48") == "digest/m.koch/2026-W48"


def test_the_email_lists_every_section_with_case_ids_and_next_steps_in_both_languages() -> None:
    item = DigestItem(
        case_id="WC-7M2K9Q4XTB", where="journey 1", what="Visa decision", due_on=date(2026, 12, 1),
        basis="§31 AufenthV", next_step="record-visa-decision",
    )  # fmt: skip
    digest = Digest(handle="t.lead", role="team_lead", week="2026-W48", as_of=date(2026, 11, 23), due_soon=[item])
    subject, body = render(digest, Text("en"))
    assert subject.startswith("Welcome Center weekly digest 2026-W48 for t.lead: 0 overdue, 1 due within 14 days")
    assert "WC-7M2K9Q4XTB journey 1: due 2026-12-01: Visa decision [§31 AufenthV]" in body
    assert "next: record-visa-decision" in body
    assert "Overdue (0)" in body and "No activity for 30 days (0)" in body and "Escalated" in body
    # German by default (WC_LANGUAGE=de): the same facts, German words and dates, legal terms as they are.
    subject, body = render(digest, Text())
    assert subject.startswith("Welcome Center Wochenübersicht 2026-W48 für t.lead: 0 überfällig, 1 fällig in 14 Tagen")
    assert "WC-7M2K9Q4XTB Verfahren 1: fällig am 01.12.2026: Visa decision [§31 AufenthV]" in body
    assert "nächster Schritt: record-visa-decision" in body and "Stand 23.11.2026" in body
    assert "Überfällig (0)" in body and "Seit 30 Tagen ohne Aktivität (0)" in body and "Teamleitung" in body


async def overdue_case(stack: Stack) -> tuple[str, list[Deadline]]:
    """A case whose journey applied for recognition long ago (the story is told in the past):
    the authority's receipt clock is overdue."""
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    await journey.contract()
    await journey.do(ApplyForRecognition, applied_on=day(5), body="Handwerkskammer Hannover")
    deadlines = [d for d in (await journey.view()).state.deadlines if d.open]
    assert any(d.due_on < date.today() for d in deadlines)
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
    assert mine == {(case_id, d.label, d.due_on.isoformat()) for d in deadlines if (d.due_on - date.today()).days <= 14}
    overdue = {(i["what"], i["due_on"]) for i in digest["overdue"] if i["case_id"] == case_id}
    assert overdue == {(d.label, d.due_on.isoformat()) for d in deadlines if d.due_on < date.today()}


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))  # German umlauts arrive encoded


async def test_the_weekly_run_sends_each_digest_once_per_week(stack: Stack) -> None:
    case_id, _ = await overdue_case(stack)
    week = iso_week(date.today())  # the queue has only this case; the key is per person and week

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
