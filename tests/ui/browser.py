"""Debian's headless Chromium, driven by Playwright (#27 point 5: no browser download, the
system's own), for the checks of pages that keep polling (the Temporal Web UI) or that
belong to another site (the identity provider's login).

The Temporal Web UI is a single-page app that keeps polling, so "wait until the page
is idle" never comes; instead each check waits until the rendered text shows what it
expects (or fails with the text it saw), then takes a screenshot.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright


def chromium_path() -> str:
    path = os.environ.get("WC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: bin/test installs Debian's chromium package (or set WC_CHROMIUM)")
    return path


class Browser:
    """One page of a fresh browser: open, evaluate, read its text, take a screenshot."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None

    async def __aenter__(self) -> Browser:
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        )
        self._page = await self._browser.new_page(viewport={"width": 1440, "height": 1000})
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()

    async def open(self, url: str) -> None:
        await self._page.goto(url, wait_until="commit")

    async def evaluate(self, expression: str) -> object:
        return await self._page.evaluate(expression)

    async def sign_in(self, url: str, handle: str, password: str) -> None:
        """The office service's login form, filled and sent as a person does."""
        await self.open(f"{url}/login")
        await self.wait_for_text("Password")
        await self._page.fill("#handle", handle)
        await self._page.fill("#password", password)
        await self._page.click("button[type=submit]")
        await self.wait_for_text(f"signed in as {handle}")

    async def text(self) -> str:
        try:
            return str(await self._page.evaluate("document.body ? document.body.innerText : ''"))
        except PlaywrightError:  # between two pages (a form sent, a redirect): no text yet
            return ""

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
        path.parent.mkdir(parents=True, exist_ok=True)
        await self._page.screenshot(path=str(path))
