"""The codec server the Web UI decodes through: round trip, CORS for the UI's origin only,
the optional token, loopback only."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.codec import ENCODING, EncryptionCodec, ensure_key_file, parse_keys
from core.codec_server import CodecServer

UI = "http://localhost:8233"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CodecServer]:
    key_file = tmp_path / "payload-keys"
    assert ensure_key_file(key_file, "2026-11") and not ensure_key_file(key_file, "again")
    assert key_file.stat().st_mode & 0o777 == 0o600
    keys, current = parse_keys(key_file.read_text())
    running = CodecServer(EncryptionCodec(keys, current), UI + "/namespaces/default", token=None).start()
    yield running
    running.stop()


def post(server: CodecServer, path: str, body: dict, **headers: str) -> tuple[int, dict, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), {}


def plain(text: str) -> dict:  # type: ignore[type-arg]
    return {
        "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
        "data": base64.b64encode(json.dumps(text).encode()).decode(),
    }


def test_what_the_ui_posts_is_encoded_and_decoded(server: CodecServer) -> None:
    status, headers, encoded = post(server, "/encode", {"payloads": [plain("Rückruf am Montag")]}, Origin=UI)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == UI
    sealed = encoded["payloads"][0]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == ENCODING
    assert "Rückruf".encode() not in base64.b64decode(sealed["data"])
    status, _, decoded = post(server, "/decode", encoded, Origin=UI)
    assert status == 200 and decoded == {"payloads": [plain("Rückruf am Montag")]}


def test_other_origins_are_refused_and_the_server_listens_on_loopback_only(server: CodecServer) -> None:
    status, headers, _ = post(server, "/decode", {"payloads": []}, Origin="http://evil.example")
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    preflight = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/decode", method="OPTIONS", headers={"Origin": "http://evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(preflight, timeout=10)
    assert refused.value.code == 403
    assert server.httpd.server_address[0] == "127.0.0.1"


def test_with_a_token_the_server_wants_it(tmp_path: Path) -> None:
    keys, current = parse_keys("k:" + base64.b64encode(b"k" * 32).decode())
    running = CodecServer(EncryptionCodec(keys, current), UI, token="s3cret").start()
    try:
        assert post(running, "/encode", {"payloads": [plain("x")]})[0] == 401
        assert post(running, "/encode", {"payloads": [plain("x")]}, Authorization="Bearer s3cret")[0] == 200
    finally:
        running.stop()


def test_the_key_commands_the_readme_names_work(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]

    def codec(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core.codec", *argv], cwd=root, capture_output=True, text=True, timeout=60
        )

    printed = codec("new-key", "2026-11")
    assert printed.returncode == 0 and parse_keys(printed.stdout.strip())[1] == "2026-11"
    key_file = tmp_path / "payload-keys"
    assert codec("ensure-key-file", str(key_file), "2026-11").returncode == 0
    assert (
        key_file.stat().st_mode & 0o777 == 0o600
        and "2026-11:" not in codec("ensure-key-file", str(key_file), "x").stdout
    )
    assert codec("rotate-key-file", str(key_file), "2027-01").returncode == 0
    keys, current = parse_keys(key_file.read_text())
    assert current == "2027-01" and set(keys) == {"2027-01", "2026-11"}
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert codec("nonsense").returncode != 0
