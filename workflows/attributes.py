"""Search attributes written lean (#14): only what changed, once per step.

Every upsert is a history event and a billable action. Before the ``lean-upserts`` patch
each change of stage or clock upserted every attribute again, up to four times per advisor
step; since, a step's changes are collected and upserted once, and an attribute is sent
only when its value differs from the last one sent by this run. Workflows started before
the patch keep upserting as they did (their histories replay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

LEAN_UPSERTS = "lean-upserts"
_UNSENT = object()


class SearchAttributeSync:
    """``changed()`` after any change the Web UI shows; ``current()`` gives every attribute as
    it is now and ``details()`` sets the workflow's current details. Inside a ``step()`` both
    run once, when the step ends."""

    def __init__(
        self, lean: bool, current: Callable[[], list[SearchAttributeUpdate[Any]]], details: Callable[[], None]
    ) -> None:
        self._lean = lean
        self._current = current
        self._details = details
        self._sent: dict[str, Any] = {}
        self._held = 0
        self._dirty = False

    def changed(self) -> None:
        if not self._lean:
            workflow.upsert_search_attributes(self._current())
            self._details()
        elif self._held:
            self._dirty = True
        else:
            self._send()

    @contextmanager
    def step(self) -> Iterator[None]:
        """Changes inside are upserted once, when the outermost step ends."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._dirty:
                self._dirty = False
                self._send()

    def _send(self) -> None:
        updates = self._current()
        # An attribute no longer given (an outcome cleared, a clock closed) is unset by its
        # key's own update in ``updates``; one that is simply absent keeps its value.
        changed = [u for u in updates if self._sent.get(u.key.name, _UNSENT) != u.value]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._sent.update({u.key.name: u.value for u in changed})
        self._details()
