"""OpenID Connect: people sign in at the office's identity provider (#25 point 2, production).

The authorization code flow with PKCE (RFC 7636): the service sends the browser to the
provider with a fresh state, nonce and code challenge (kept in a short-lived HttpOnly
cookie), takes the code back at ``/auth/callback``, exchanges it with its client secret and
checks the ID token: signed by a key of the provider's JWKS, issued by the configured
issuer, for this client (the audience), not expired (by the office's clock), with the
nonce of this sign-in. The person is the token's ``preferred_username``; they may act only
if the staff file lists them and the provider's group claim gives them the role the list
does (``models/staff.py``). Then the session is the service's own, as with a password.

A bearer token from the provider (a script, the Web UI's access token) is checked the same
way, without the nonce.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from models import clock, staff
from models.said import Said, say

FLOW_COOKIE = "wc_oidc"
FLOW_SECONDS = 600
LEEWAY_SECONDS = 30  # clocks of the provider and the office may differ a little
ALGORITHMS = ["RS256", "PS256", "ES256"]


class SignInRefused(Exception):
    def __init__(self, why: Said) -> None:
        super().__init__(why.english())
        self.why = why


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    groups_claim: str = "groups"
    _metadata: dict[str, Any] | None = field(default=None, repr=False)
    _keys: jwt.PyJWKClient | None = field(default=None, repr=False)

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                answer.raise_for_status()
                found = answer.json()
            if found.get("issuer") != self.issuer:
                raise SignInRefused(say("oidc_issuer: the provider names itself {other}", other=found.get("issuer")))
            self._keys = jwt.PyJWKClient(found["jwks_uri"], cache_keys=True, lifespan=300)
            self._metadata = found
        return self._metadata

    async def start(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """Where to send the browser, and the flow cookie's value (state, nonce, verifier, next)."""
        found = await self.metadata()
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{found['authorization_endpoint']}?{urlencode(query)}", " ".join((state, nonce, verifier, next_path))

    async def finish(self, code: str, state: str, flow: str, redirect_uri: str) -> tuple[str, str, str]:
        """The person signed in, where they wanted to go, and the ID token (for signing out)."""
        parts = flow.split(" ")
        if len(parts) != 4 or not hmac.compare_digest(parts[0], state):
            raise SignInRefused(say("login: this sign-in was not started here, or it took too long; start again"))
        _, nonce, verifier, next_path = parts
        found = await self.metadata()
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(
                found["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(self.client_id, self.client_secret),
            )
        if answer.status_code != 200:
            raise SignInRefused(
                say("login: the identity provider refused the sign-in ({status})", status=answer.status_code)
            )
        id_token = str(answer.json().get("id_token") or "")
        return await self.person(id_token, nonce), next_path, id_token

    async def person(self, token: str, nonce: str | None = None, bearer: bool = False) -> str:
        """Who a token of the provider proves to be, if they may act here. A bearer must be an
        access token: an ID token says who signed in, it is no key to the door."""
        claims = await self.claims(token)
        if bearer and str(claims.get("typ", "")).lower() == "id":
            raise SignInRefused(say("login: the token is meant for another application"))
        if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInRefused(say("login: the token belongs to another sign-in"))
        handle = str(claims.get("preferred_username") or "")
        office = staff.current()
        groups = claims.get(self.groups_claim) or []
        if office is None or not isinstance(groups, list):
            raise SignInRefused(say("login: '{handle}' is not on the staff list", handle=handle))
        _, why = office.role_by_groups(handle, [str(g) for g in groups])  # whole names: no nested look-alike
        if why is not None:
            raise SignInRefused(why)
        return handle

    async def claims(self, token: str) -> dict[str, Any]:
        await self.metadata()
        assert self._keys is not None
        try:
            key = await asyncio.to_thread(self._keys.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"verify_exp": False, "require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidAudienceError:
            raise SignInRefused(say("login: the token is meant for another application")) from None
        except jwt.PyJWTError as err:
            raise SignInRefused(say("login: the token is not valid ({why})", why=type(err).__name__)) from None
        # The office's clock, not the machine's: the tests move it (WC_TEST_DAYS_AHEAD).
        if float(claims["exp"]) + LEEWAY_SECONDS < clock.now().timestamp():
            raise SignInRefused(say("login: the token has expired; sign in again"))
        return claims

    async def sign_out_url(self, id_token: str, after: str) -> str | None:
        end = (await self.metadata()).get("end_session_endpoint")
        if not end:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": after}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{end}?{urlencode(query)}"


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and not token.startswith("wc_")
