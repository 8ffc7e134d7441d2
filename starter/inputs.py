"""The starter's input: flags and files read into the models the workflows use, checked
before anything reaches Temporal (bad input: exit code 2 naming the field), and the
workflows' refusals read back (exit code 1)."""

from __future__ import annotations

import argparse
import json
import re
import types
import typing
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, FailureError

from core.validation import describe_validation_error
from models import clock
from models.case import (
    CaseId,
    Stage,
)
from models.door import refusals
from models.said import Said, say

ClientFactory = Callable[[], Awaitable[Client]]


EXIT_REJECTED = 1


EXIT_BAD_INPUT = 2


class Told(Exception):
    """What the starter tells the person, kept as templates (models/said.py) or pydantic's
    error until the reader's language is known; plain text (a server's own words) as it is."""

    def __init__(self, *reasons: Said | str | ValidationError) -> None:
        self.reasons = reasons
        super().__init__(self.render(Said.english))

    def render(self, render: Callable[[Said], str]) -> str:
        return "; ".join(_rendered(r, render) for r in self.reasons)


def _rendered(reason: Said | str | ValidationError, render: Callable[[Said], str]) -> str:
    if isinstance(reason, ValidationError):
        return describe_validation_error(reason, render)
    return render(reason) if isinstance(reason, Said) else reason


class InputError(Told):
    """Bad command-line input, with the field it concerns: "field: why", one or more."""


class Rejected(Told):
    """The command cannot be carried out as things stand."""


def is_yes_no(annotation: Any) -> bool:
    if annotation is bool:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return bool in typing.get_args(annotation)
    return False


def validated_input(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        value = model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as err:
        raise InputError(err) from None
    if found := refusals(value):  # the workflows' validators refuse it too
        raise InputError(*found)
    return value


def rejection_reason(err: WorkflowUpdateFailedError, language: str = "en") -> str:
    """Why the workflow refused: the innermost cause (a rule's message, or the field a
    payload did not fit), without the wrappers' type prefixes; a rule's message in
    ``language`` when it travelled as a template (CaseRuleViolation's detail)."""
    cause: BaseException | None = err.cause
    while isinstance(cause, FailureError) and cause.cause is not None:
        cause = cause.cause
    if language != "en" and isinstance(cause, ApplicationError) and cause.type == "CaseRuleViolation":
        from core.i18n import Text
        from models.said import Said

        try:
            return Text(language).said(Said.model_validate(cause.details[0]))
        except Exception:  # noqa: BLE001 - no template (an older worker): the English message
            pass
    reason = getattr(cause, "message", None) or str(cause or err)
    return re.sub(r"^(\w+(Error|Exception): )+", "", reason)


def parse_case_id(raw: str) -> str:
    try:
        return TypeAdapter(CaseId).validate_python(raw.strip().upper())
    except ValidationError:
        raise InputError(say("case_id: '{raw}' is not a case id (expected WC- and 10 characters)", raw=raw)) from None


def read_fields_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(say("file: cannot read {path}: {why}", path=str(path), why=err.strerror or "")) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise InputError(
            say("file: {path} is not valid {kind}: {why}", path=str(path), kind=kind, why=str(err))
        ) from None
    if not isinstance(data, dict):
        raise InputError(say("file: {path} must hold one object with the fields", path=str(path)))
    return data


def _candidates(raw: list[str] | None) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    result = []
    for item in raw:
        parts = item.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "45+"):
            raise InputError(
                say("candidates: '{item}' must be REF:COUNTRY or REF:COUNTRY:45+, e.g. THAMM-4711:TN", item=item)
            )
        candidate: dict[str, Any] = {"candidate_ref": parts[0], "origin_country": parts[1]}
        if len(parts) == 3:
            candidate["aged_45_or_over_at_first_title"] = True
        result.append(candidate)
    return result


def _documents(raw: list[str] | None) -> list[dict[str, str]] | None:
    if raw is None:
        return None
    result = []
    for item in raw:
        parts = item.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise InputError(say("documents: '{item}' must be CODE:REFERENCE or CODE:REFERENCE:YYYY-MM-DD", item=item))
        received_on = parts[2] if len(parts) == 3 else clock.today().isoformat()
        result.append({"code": parts[0], "reference": parts[1], "received_on": received_on})
    return result


def action_fields(args: argparse.Namespace, model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields from the file, overridden by the flags given."""
    data = read_fields_file(getattr(args, "file", None))
    for name in model.model_fields:
        value = getattr(args, name, None)
        if name == "candidates":
            value = _candidates(value)
        elif name == "documents":
            value = _documents(value)
        if value is not None:
            data[name] = value
        elif name not in data and is_yes_no(model.model_fields[name].annotation):
            data[name] = False  # a yes/no flag not given means no
    return data


def parse_day(name: str, raw: str | None) -> date | None:
    try:
        return TypeAdapter(date).validate_python(raw) if raw else None
    except ValidationError:
        raise InputError(say("{name}: '{raw}' is not a date (YYYY-MM-DD)", name=name, raw=raw or "")) from None


def parse_stage(raw: str) -> str:
    try:
        return Stage(raw.strip().lower()).value
    except ValueError:
        stages = ", ".join(f"'{s.value}'" for s in Stage)
        raise InputError(say("stage: '{raw}' is not one of {stages}", raw=raw, stages=stages)) from None


def print_json(out: TextIO, data: Any) -> None:
    out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
