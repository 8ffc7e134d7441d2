"""The Temporal Web UI behind the service's login (#25 points 2 and 5).

The UI server listens on loopback under the path ``/ui`` (``--ui-public-path``); people
reach it only here, signed in. The service passes requests through as they are, with three
changes: a person not signed in is sent to the login page; the UI's write actions (every
request that is not a read) are refused for everyone but operations, and the UI's settings
say so, so it hides their buttons; the UI's codec endpoint is this service's own
``/codec``, on the page's own origin, so the browser sends its session along and each
person decodes what their role may read.
"""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import Engine
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from models import staff
from service import auth

# Requests that read although they are not GETs: a workflow's queries (its stack trace too).
READS = re.compile(r"^/ui/api/v1/namespaces/[^/]+/workflows/[^/]+/query/[^/]+$")
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "host"}
)
# The service's own cookies never go upstream (the provider's ID token is a credential here).
OWN_COOKIES = (auth.SESSION_COOKIE, auth.LOGIN_COOKIE, auth.ID_TOKEN_COOKIE)


def is_write(method: str, path: str) -> bool:
    return method not in ("GET", "HEAD", "OPTIONS") and not READS.match(path)


def plain_path(path: str) -> bool:
    """No dot or empty segment: the path classified here is the path the UI server gets
    (found in review: '/query/..' read as a query, and arrived as a start of a workflow)."""
    inner = path.removesuffix("/").split("/")[1:]
    return all(segment not in ("", ".", "..") for segment in inner)


def routes(upstream: str | None, engine: Engine) -> list[Route]:
    client: list[httpx.AsyncClient] = []

    def http() -> httpx.AsyncClient:
        if not client:
            client.append(httpx.AsyncClient(base_url=upstream or "", timeout=60.0))
        return client[0]

    async def proxy(request: Request) -> Response:
        if upstream is None:
            return Response("no Web UI configured (WC_UI_UPSTREAM_URL)", status_code=404)
        path = request.url.path
        if not plain_path(path) or "\\" in path:
            return JSONResponse({"message": "not a plain path"}, status_code=400)
        person = await auth.session_holder(request, engine)
        if person is None:
            if request.method == "GET" and "/api/" not in path:
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            return JSONResponse({"error": "sign in first"}, status_code=401)
        role = staff.role_of(person)
        writes = role in staff.WRITES_IN_WEB_UI
        if is_write(request.method, path):
            if not writes:
                auth.log.warning("web ui write refused", method=request.method)
                return JSONResponse({"message": "write actions are for operations"}, status_code=403)
            if not auth.csrf_ok(request, "") and request.headers.get("origin") != _origin(request):
                return JSONResponse({"message": "cross-site request refused"}, status_code=403)
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "cookie"]
        if cookies := "; ".join(f"{k}={v}" for k, v in request.cookies.items() if k not in OWN_COOKIES):
            headers.append(("cookie", cookies))
        if path == "/ui/api/v1/settings":
            return await _settings(http(), request, headers, writes)
        body = request.stream() if request.method not in ("GET", "HEAD") else None
        upstream_request = http().build_request(
            request.method, path, params=request.url.query, headers=headers, content=body
        )
        answer = await http().send(upstream_request, stream=True)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}}
        return StreamingResponse(
            answer.aiter_raw(), status_code=answer.status_code, headers=kept, background=BackgroundTask(answer.aclose)
        )

    return [
        Route("/ui", proxy, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        Route("/ui/{path:path}", proxy, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    ]


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _settings(
    http: httpx.AsyncClient, request: Request, headers: list[tuple[str, str]], writes: bool
) -> Response:
    """The UI's settings, as this person may use it: the codec here, write actions per role."""
    answer = await http.get("/ui/api/v1/settings", headers=[(k, v) for k, v in headers if k != "accept-encoding"])
    found = answer.json()
    found["Codec"] = {**(found.get("Codec") or {}), "Endpoint": _origin(request) + "/codec", "PassAccessToken": False}
    found["Codec"]["IncludeCredentials"] = True
    if not writes:
        found["DisableWriteActions"] = True
    return Response(json.dumps(found), status_code=answer.status_code, media_type="application/json")
