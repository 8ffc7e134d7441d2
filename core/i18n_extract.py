"""Babel extractor for the texts in the office's files (#16): each deadline's ``label`` in the
policy is shown to staff (status, emails, digest, calendar), each programme's ``explained`` in
an input error (#24); both are translated from the catalogue like the code's texts.
Registered in ``babel.cfg`` (``[extractors]``)."""

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
        if isinstance(clock, dict) and isinstance(clock.get("basis"), str):  # digest, calendar (#24)
            yield 0, "", clock["basis"], [f"deadline-policy.yaml: clocks.{name}.basis"]
    # config/programmes.yaml: how a programme's references look, told to whoever typed one
    for name, programme in sorted((policy.get("programmes") or {}).items()):
        if isinstance(programme, dict) and isinstance(programme.get("explained"), str):
            yield 0, "", programme["explained"], [f"programmes.yaml: programmes.{name}.explained"]
