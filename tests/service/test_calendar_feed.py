"""The calendar feeds served by the office service (#16, #25 point 5): an advisor mints their
own address (a new one stops the earlier), it opens their feed and nothing else, stopping it
works at once, every fetch is in the access log, and an address off this machine must be
HTTPS."""

from __future__ import annotations

import io
import json

from records import accounts
from starter.cli import main
from tests.conftest import Stack
from tests.service.office import WebSession, serve_office
from tests.workflows.case_flow import ADVISOR, new_case, open_journeys, start_case


async def _starter(stack: Stack, *argv: str, **update: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await main(list(argv), settings=stack.settings.model_copy(update=update), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_an_advisor_subscribes_to_their_own_feed_and_can_stop_it(stack: Stack) -> None:
    handle = await start_case(stack.client, stack.settings.task_queue, new_case(positions=1))
    (journey,) = await open_journeys(stack.client, handle, [("THAMM-4711", "TN")])
    async with serve_office(stack) as office:
        code, out, err = await _starter(
            stack, "calendar", "--advisor", ADVISOR, "--subscription-url", service_public_url=office
        )
        assert code == 0, err
        url = out.strip()
        assert url.startswith(f"{office}/calendar/wc_") and url.endswith(".ics")
        path = url.removeprefix(office)

        feed = await WebSession(office).request("GET", path)
        assert feed.status == 200 and feed.body.startswith(b"BEGIN:VCALENDAR")
        assert f"{journey.handle.id}.".encode() in feed.body
        assert feed.headers["content-type"].startswith("text/calendar")
        case_id = handle.id.removeprefix("case-")
        assert (ADVISOR, "calendar feed") in [(r.handle, r.what) for r in accounts.accesses(stack.engine, case_id)]

        # The token opens the feed only: as a command-line token it is refused.
        token = path.removeprefix("/calendar/").removesuffix(".ics")
        command = await WebSession(office).request(
            "POST", "/api/command", body=json.dumps({"argv": ["list"]}).encode(), Authorization=f"Bearer {token}"
        )
        assert command.status == 401

        # A new address stops the earlier one; stopping stops the new one.
        code, out, _ = await _starter(
            stack, "calendar", "--advisor", ADVISOR, "--subscription-url", service_public_url=office
        )
        newer = out.strip().removeprefix(office)
        assert code == 0 and newer != path
        assert (await WebSession(office).request("GET", path)).status == 404
        assert (await WebSession(office).request("GET", newer)).status == 200
        code, out, _ = await _starter(stack, "calendar", "--advisor", ADVISOR, "--stop-subscription")
        assert code == 0 and "1" in out
        assert (await WebSession(office).request("GET", newer)).status == 404
        assert (await WebSession(office).request("GET", "/calendar/wc_guessed.ics")).status == 404


async def test_a_calendar_address_leaves_this_machine_only_over_https(stack: Stack) -> None:
    code, out, err = await _starter(
        stack,
        "calendar", "--advisor", ADVISOR, "--subscription-url",
        service_public_url="http://office.region-hannover.example:8470",
    )  # fmt: skip
    assert code == 2 and "only over HTTPS" in err and out == ""
    code, out, err = await _starter(
        stack,
        "calendar", "--advisor", ADVISOR, "--subscription-url",
        service_public_url="https://office.region-hannover.example",
    )  # fmt: skip
    assert code == 0 and out.startswith("https://office.region-hannover.example/calendar/wc_"), err
