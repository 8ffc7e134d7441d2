"""Signing in at the office's identity provider (#25 points 2 and 7): the production topology's
office service against a real OpenID Connect provider (Keycloak, cluster/identity.py).
A person signs in through the provider's own login page in Chromium and out again (the
provider's session ends too); a person the provider knows but the staff list does not, or
not in the group of their role, gets no session; a token meant for another application, or
expired by the office's clock, opens nothing; passwords at the service are off."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cluster import identity
from cluster.__main__ import Cluster
from models import clock, staff
from service.oidc import Provider, SignInRefused
from tests.cluster.conftest import STRANGER, UNGROUPED
from tests.ui.browser import Browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
SIGN_IN = "Mit Ihrem Dienstkonto anmelden"  # the cluster's service speaks German, as an office's does
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("WC_TEST_CLUSTER"), reason="WC_TEST_CLUSTER not set (bin/test-cluster)"),
]


def _password(cluster: Cluster, handle: str) -> str:
    lines = (cluster.layout.secrets / "identity-passwords").read_text().splitlines()
    return dict(line.split(" ", 1) for line in lines)[handle]


def _office(cluster: Cluster) -> str:
    return f"http://localhost:{cluster.layout.ports.office}"


def _token(cluster: Cluster, handle: str, client_id: str) -> str:
    """A token from the provider's token endpoint for ``handle`` (direct grant, as a script)."""
    body = urllib.parse.urlencode(
        {"grant_type": "password", "client_id": client_id, "username": handle,
         "password": _password(cluster, handle), "scope": "openid profile"}
    ).encode()  # fmt: skip
    address = cluster.oidc["WC_OIDC_ISSUER"] + "/protocol/openid-connect/token"
    with urllib.request.urlopen(urllib.request.Request(address, data=body), timeout=30) as answer:
        return str(json.loads(answer.read())["access_token"])


def _get(url: str, token: str | None = None, data: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, None


async def _sign_in_at_provider(browser: Browser, office: str, handle: str, password: str) -> None:
    await browser.open(f"{office}/login")
    await browser.wait_for_text(SIGN_IN)
    await browser.evaluate("document.getElementById('single-sign-on').click()")
    await browser.wait_for_text("Password")  # the provider's own page (its own language)
    await browser.screenshot(ARTIFACTS / "single-sign-on-provider.png")
    await browser.evaluate(
        f"document.getElementById('username').value = {json.dumps(handle)};"
        f"document.getElementById('password').value = {json.dumps(password)};"
        "(document.getElementById('kc-login') || document.querySelector('form')).click();"
    )


async def test_a_person_signs_in_at_the_provider_and_out_again(cluster: Cluster) -> None:
    office = _office(cluster)
    async with Browser() as browser:
        await _sign_in_at_provider(browser, office, "m.koch", _password(cluster, "m.koch"))
        await browser.wait_for_text("angemeldet als m.koch", "Temporal Web UI")
        await browser.screenshot(ARTIFACTS / "single-sign-on-signed-in.png")
        assert "wc_session" not in str(await browser.evaluate("document.cookie"))  # HttpOnly
        await browser.open(f"{office}/ui/namespaces/default/workflows")
        await browser.wait_for_text("Workflows")  # the Web UI behind the same sign-in

        await browser.open(f"{office}/")
        await browser.wait_for_text("Abmelden")
        await browser.evaluate("document.querySelector('form[action=\"/logout\"]').submit()")
        await browser.wait_for_text(SIGN_IN)
        await browser.open(f"{office}/")
        await browser.wait_for_text(SIGN_IN)  # the session is gone
        # ... and so is the provider's: it asks for the password again.
        await browser.evaluate("document.getElementById('single-sign-on').click()")
        await browser.wait_for_text("Password")


@pytest.mark.parametrize(
    ("handle", "why"),
    [(STRANGER, "steht nicht auf der Personalliste"), (UNGROUPED, "führt 'a.yilmaz' nicht in der Gruppe für advisor")],
)
async def test_a_person_unfit_to_act_here_gets_no_session(cluster: Cluster, handle: str, why: str) -> None:
    office = _office(cluster)
    async with Browser() as browser:
        await _sign_in_at_provider(browser, office, handle, _password(cluster, handle))
        text = await browser.wait_for_text(why)
        assert "angemeldet als" not in text
        await browser.open(f"{office}/")
        await browser.wait_for_text(SIGN_IN)


async def test_tokens_of_the_provider_open_the_door_only_for_this_service(cluster: Cluster) -> None:
    office = _office(cluster)
    good = await asyncio.to_thread(_token, cluster, "m.koch", identity.SCRIPT_CLIENT_ID)
    assert await asyncio.to_thread(_get, f"{office}/api/me", good) == (200, {"handle": "m.koch"})
    # The realm's admin-cli client issues tokens for the provider's own API, not for the office.
    other = await asyncio.to_thread(_token, cluster, "m.koch", "admin-cli")
    assert (await asyncio.to_thread(_get, f"{office}/api/me", other))[0] == 401
    assert (await asyncio.to_thread(_get, f"{office}/api/me", good[:-4] + "AAAA"))[0] == 401  # signature
    stranger = await asyncio.to_thread(_token, cluster, STRANGER, identity.SCRIPT_CLIENT_ID)
    assert (await asyncio.to_thread(_get, f"{office}/api/me", stranger))[0] == 401
    # Passwords at the service are off where the provider signs people in.
    login = json.dumps({"handle": "m.koch", "password": "irrelevant-password"}).encode()
    assert (await asyncio.to_thread(_get, f"{office}/api/login", None, login))[0] == 403

    # Expiry by the office's clock: the same checks, in this process, a day later.
    staff.use(staff.load_staff(staff.DEFAULT_STAFF_FILE))
    provider = Provider(cluster.oidc["WC_OIDC_ISSUER"], identity.CLIENT_ID, "", "groups")
    assert await provider.person(good) == "m.koch"
    clock.move_ahead(1)
    try:
        with pytest.raises(SignInRefused, match="expired"):
            await provider.person(good)
    finally:
        clock.move_ahead(0)
