"""The codec server the Temporal Web UI decodes payloads through (#13).

With payload encryption on, Temporal stores only ciphertext; operations staff still read
each case decoded in the UI, which posts the payloads it shows to this server
(`--ui-codec-endpoint` of the dev server, `TEMPORAL_CODEC_ENDPOINT` of the UI image).
It speaks the codec server protocol: ``POST /decode`` and ``POST /encode`` with a
``Payloads`` message as protobuf JSON, answered alike.

It serves on loopback only, answers browsers only from the Web UI's origin (CORS), and
refuses every other origin; with ``WC_CODEC_TOKEN`` set it also wants
``Authorization: Bearer <token>``.

    python -m core.codec_server      # WC_CODEC_PORT (8081), WC_TEMPORAL_UI_URL, WC_PAYLOAD_KEY_FILE
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import structlog
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from core.client import data_converter
from core.config import Settings, get_settings

log = structlog.get_logger("codec-server")
MAX_BODY = 8 * 1024 * 1024


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class CodecServer:
    """A threaded HTTP server around one payload codec."""

    def __init__(
        self, codec: PayloadCodec, allowed_origin: str, token: str | None = None, port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        self.codec = codec
        self.allowed_origin = origin_of(allowed_origin)
        self.token = token
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.port = int(self.httpd.server_address[1])
        self._thread: threading.Thread | None = None

    def start(self) -> CodecServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="codec-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def convert(self, path: str, payloads: Sequence[Payload]) -> list[Payload]:
        if path == "/decode":
            return asyncio.run(self.codec.decode(payloads))
        return asyncio.run(self.codec.encode(payloads))


def _handler(server: CodecServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # no request lines with payload sizes in the logs; errors are logged below

        def _cors(self) -> bool:
            origin = self.headers.get("Origin")
            if origin is None:
                return True  # not a browser (the CLI, a script on this machine)
            if origin != server.allowed_origin:
                return False
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "POST")
            self.send_header("Access-Control-Allow-Headers", "content-type,x-namespace,authorization")
            self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Vary", "Origin")
            return True

        def _refuse(self, status: HTTPStatus, why: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(why.encode())

        def do_OPTIONS(self) -> None:  # noqa: N802 - the HTTP method
            self.send_response(HTTPStatus.NO_CONTENT if self.headers.get("Origin") == server.allowed_origin else 403)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802 - the HTTP method
            if self.path not in ("/decode", "/encode"):
                return self._refuse(HTTPStatus.NOT_FOUND, "POST /decode or /encode")
            if self.headers.get("Origin") not in (None, server.allowed_origin):
                return self._refuse(HTTPStatus.FORBIDDEN, "origin not allowed")
            if server.token is not None:
                given = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if not hmac.compare_digest(given.encode(), server.token.encode()):
                    return self._refuse(HTTPStatus.UNAUTHORIZED, "token required")
            length = int(self.headers.get("Content-Length", "0"))
            if length > MAX_BODY:
                return self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too large")
            try:
                payloads = json_format.Parse(self.rfile.read(length), Payloads())
                converted = server.convert(self.path, payloads.payloads)
            except Exception as err:  # noqa: BLE001 - a bad request or a payload no key opens
                log.warning("codec request failed", path=self.path, error=type(err).__name__)
                return self._refuse(HTTPStatus.BAD_REQUEST, type(err).__name__)
            body = json.dumps(json_format.MessageToDict(Payloads(payloads=converted))).encode()
            self.send_response(HTTPStatus.OK)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

    return Handler


def from_settings(settings: Settings) -> CodecServer:
    codec = data_converter(settings).payload_codec
    if codec is None:
        raise SystemExit("codec server: no payload keys configured (WC_PAYLOAD_KEY_FILE or WC_PAYLOAD_KEYS)")
    token = settings.codec_token.get_secret_value() if settings.codec_token else None
    return CodecServer(codec, settings.temporal_ui_url, token, settings.codec_port, settings.codec_host)


def main() -> None:
    server = from_settings(get_settings())
    log.info("codec server", url=f"http://127.0.0.1:{server.port}", ui=server.allowed_origin)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
