"""The codec endpoint the Temporal Web UI decodes payloads through (#13, #25 point 5).

Temporal stores only ciphertext; the Web UI posts the payloads it shows to
``/codec/decode`` (the codec server protocol: a ``Payloads`` message as protobuf JSON,
answered alike). The service answers only a person signed in (the browser's session cookie,
which the UI sends because the service serves it under ``/ui``, or a bearer token), only
for cases their role may read, and writes who decoded which case to the access log. A
destroyed case key is refused within seconds in this process too (``core/case_keys.py``
keeps unwrapped keys a few seconds only). Encoding (the UI's write actions) is operations'.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from google.protobuf import json_format
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from core.case_keys import CASE_KEY
from core.codec import ENCODING, KEY_ID
from models import staff
from records import accounts
from service import auth
from service.oidc import Provider

MAX_BODY = 8 * 1024 * 1024
LOG_EVERY = 600.0  # seconds: a page decodes dozens of payloads; one access record per person, case and view


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def cases_in(payloads: list[Payload]) -> tuple[set[str], bool]:
    """The cases whose keys seal these payloads, and whether any is sealed outside a case."""
    cases, office = set(), False
    for payload in payloads:
        if payload.metadata.get("encoding") != ENCODING:
            continue  # not encrypted: nothing to open
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        if key_id.startswith(CASE_KEY):
            cases.add(key_id.removeprefix(CASE_KEY))
        else:
            office = True
    return cases, office


def routes(codec: PayloadCodec | None, engine: Engine, ui_url: str, provider: Provider | None = None) -> list[Route]:
    allowed_origins = {origin_of(ui_url)}
    logged: dict[tuple[str, str], float] = {}

    def cors(request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin in allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "content-type,x-namespace,authorization"
            response.headers["Vary"] = "Origin"
        return response

    async def preflight(request: Request) -> Response:
        status = 204 if request.headers.get("origin") in allowed_origins else 403
        return cors(request, Response(status_code=status))

    def refuse(request: Request, status: int, why: str) -> Response:
        return cors(request, PlainTextResponse(why, status_code=status))

    async def convert(request: Request) -> Response:
        what = request.path_params["path"].rsplit("/", 1)[-1]  # the protocol: only the last part counts
        if what not in ("decode", "encode"):
            return refuse(request, 404, "POST .../decode or .../encode")
        origin = request.headers.get("origin")
        if origin is not None and origin not in allowed_origins and origin != origin_of(str(request.base_url)):
            return refuse(request, 403, "origin not allowed")
        person = await auth.person(request, engine, provider)
        if person is None:
            return refuse(request, 401, "sign in first")
        if codec is None:
            return refuse(request, 404, "no payload encryption configured")
        body = await request.body()
        if len(body) > MAX_BODY:
            return refuse(request, 413, "too large")
        try:
            payloads = list(json_format.Parse(body, Payloads()).payloads)
        except (json_format.ParseError, ValueError):
            return refuse(request, 400, "not a Payloads message")
        role = staff.role_of(person)
        if what == "encode":
            if role not in staff.WRITES_IN_WEB_UI:
                return refuse(request, 403, "encoding (the Web UI's write actions) is for operations")
            converted = await codec.encode(payloads)
        else:
            cases, office = cases_in(payloads)
            if (cases and role not in staff.READS_CASES) or (office and role not in staff.READS_OFFICE):
                return refuse(request, 403, "your role may not read these payloads")
            try:
                converted = await codec.decode(payloads)
            except Exception as err:  # noqa: BLE001 - a payload no key opens: an erased case, a missing key
                auth.log.warning("codec request failed", error=type(err).__name__)
                return refuse(request, 400, type(err).__name__)
            await _log_reads(engine, person, cases, logged)
        answer = json.dumps(json_format.MessageToDict(Payloads(payloads=converted)))
        return cors(request, Response(answer, media_type="application/json"))

    return [
        Route("/codec/{path:path}", convert, methods=["POST"]),
        Route("/codec/{path:path}", preflight, methods=["OPTIONS"]),
    ]


async def _log_reads(engine: Engine, person: str, cases: set[str], logged: dict[tuple[str, str], float]) -> None:
    now = time.monotonic()
    if len(logged) > 10_000:  # forget what no longer holds a record back
        for key in [k for k, at in logged.items() if now - at >= LOG_EVERY]:
            del logged[key]
    fresh = sorted(c for c in cases if now - logged.get((person, c), -LOG_EVERY) >= LOG_EVERY)
    logged.update({(person, case_id): now for case_id in fresh})
    await asyncio.to_thread(accounts.log_accesses, engine, person, fresh, "decode (Web UI)", 0)
