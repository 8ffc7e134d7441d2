"""Debian's headless Chromium, driven over the DevTools protocol.

The Temporal Web UI is a single-page app that keeps polling, so "wait until the page
is idle" never comes; instead each check waits until the rendered text shows what it
expects (or fails with the text it saw), then takes a screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websockets


def chromium_path() -> str:
    path = os.environ.get("WC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: bin/test installs Debian's chromium package (or set WC_CHROMIUM)")
    return path


class Browser:
    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="wc-chromium-")
        self._process: subprocess.Popen[bytes] | None = None
        self._ws: Any = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        self._process = subprocess.Popen(
            [
                chromium_path(),
                "--headless=new",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1440,1000",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = await self._devtools_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.loads(response.read())
        page = next(t for t in targets if t["type"] == "page")
        self._ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _devtools_port(self) -> int:
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text().splitlines()[0])
            await asyncio.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port")

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        await self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(await self._ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def open(self, url: str) -> None:
        await self._call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> object:
        result = await self._call("Runtime.evaluate", expression=expression)
        return result.get("result", {}).get("value")

    async def sign_in(self, url: str, handle: str, password: str) -> None:
        """The office service's login form, filled and sent as a person does."""
        await self.open(f"{url}/login")
        await self.wait_for_text("Password")
        await self.evaluate(
            f"document.getElementById('handle').value = {json.dumps(handle)};"
            f"document.getElementById('password').value = {json.dumps(password)};"
            "document.querySelector('form').submit();"
        )
        await self.wait_for_text(f"signed in as {handle}")

    async def text(self) -> str:
        result = await self._call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
        return str(result.get("result", {}).get("value", ""))

    async def wait_for_text(self, *needles: str, timeout: float = 45) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await self.text()
            if all(n in text for n in needles):
                return text
            await asyncio.sleep(0.5)
        missing = [n for n in needles if n not in text]
        raise AssertionError(f"page never showed {missing}; it showed:\n{text[:3000]}")

    async def screenshot(self, path: Path) -> None:
        result = await self._call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))
