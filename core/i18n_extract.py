"""Babel extractor for the texts in the policy file (#16): each deadline's ``label`` is shown
to staff (status, emails, digest, calendar) and translated from the catalogue like the code's
texts. Registered in ``babel.cfg`` (``[extractors]``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml


def extract_policy_labels(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    policy = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    for name, clock in sorted((policy.get("clocks") or {}).items()):
        if isinstance(clock, dict) and isinstance(clock.get("label"), str):
            yield 0, "", clock["label"], [f"deadline-policy.yaml: clocks.{name}.label"]
