"""Search attributes written lean (#14): only what changed, once per step.

Every upsert is a history event and a billable action. Before the ``lean-upserts`` patch
each change of stage or clock upserted every attribute again, up to four times per advisor
step; since, a step's changes are collected and upserted once, and an attribute is sent
only when its value differs from the last one sent by this run. Workflows started before
the patch keep upserting as they did (their histories replay).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

LEAN_UPSERTS = "lean-upserts"
_UNSENT = object()


class SearchAttributeSync:
    def __init__(self, lean: bool) -> None:
        self._lean = lean
        self._sent: dict[str, Any] = {}
        self._held = 0
        self._pending: list[SearchAttributeUpdate[Any]] | None = None

    def upsert(self, updates: list[SearchAttributeUpdate[Any]]) -> None:
        if not self._lean:
            workflow.upsert_search_attributes(updates)
        elif self._held:
            self._pending = updates  # the newest values win; sent when the step ends
        else:
            self._send(updates)

    @contextmanager
    def step(self) -> Iterator[None]:
        """Changes inside are upserted once, when the outermost step ends."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending is not None:
                pending, self._pending = self._pending, None
                self._send(pending)

    def _send(self, updates: list[SearchAttributeUpdate[Any]]) -> None:
        changed = [u for u in updates if self._sent.get(u.key.name, _UNSENT) != u.value]
        # An attribute no longer given (an outcome cleared, a clock closed) is unset by its
        # key's own update in ``updates``; one that is simply absent keeps its value.
        if changed:
            workflow.upsert_search_attributes(changed)
            self._sent.update({u.key.name: u.value for u in changed})
