"""The pages' language per person (#27 point 1: German, English switchable): a cookie the
person sets with the link in every page's header, read for each request into a context
variable; ``RequestText`` is the office's ``Text`` in that language, and the commands a
page runs answer in it too."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core.config import Settings
from core.i18n import Text
from service.auth import safe_next

COOKIE = "wc_lang"
LANGUAGES = ("de", "en")
_current: ContextVar[str | None] = ContextVar("page_language", default=None)
_texts = {language: Text(language) for language in LANGUAGES}


class RequestText:
    """``Text`` in the language of the request being answered (the office's by default)."""

    def __init__(self, default: str) -> None:
        self._default = default

    @property
    def _text(self) -> Text:
        language = _current.get() or self._default
        return _texts.get(language) or Text(language)

    def current(self) -> Text:
        """The ``Text`` itself, for what takes one (forms, tables)."""
        return self._text

    @property
    def language(self) -> str:
        return self._text.language

    def __call__(self, message: str, **values: object) -> str:
        return self._text(message, **values)

    def __getattr__(self, name: str) -> Any:  # said, date, code, plural: as Text has them
        return getattr(self._text, name)


def spoken(settings: Settings) -> Settings:
    """The settings a command run for this request answers with: in the page's language."""
    language = _current.get()
    return settings.model_copy(update={"language": language}) if language else settings


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = Request(scope).cookies.get(COOKIE)
        token = _current.set(chosen if chosen in LANGUAGES else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def routes() -> list[Route]:
    async def switch(request: Request) -> Response:
        language = request.query_params.get("to", "")
        came_from = urlsplit(request.headers.get("referer", ""))
        back = came_from.path + (f"?{came_from.query}" if came_from.query else "") if came_from.path else "/"
        response = RedirectResponse(safe_next(request.query_params.get("next", back)), status_code=303)
        if language in LANGUAGES:
            response.set_cookie(COOKIE, language, max_age=365 * 86400, samesite="lax", path="/")
        return response

    return [Route("/language", switch, methods=["GET"])]
