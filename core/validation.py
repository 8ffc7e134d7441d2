"""One wording for bad input, wherever it is refused: "field: reason; field: reason", in the
reader's language (#24 point 4). The field is named by its code (the flag without its
dashes); the reason is pydantic's error type read as a template of our own, or a model's
own refusal (``models.said.Invalid``), both rendered like everything the workflows say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from models.said import Invalid, Said, say

Render = Callable[[Said], str]  # core.i18n.Text.said, or Said.english

_NUMBER = ("int_parsing", "int_type", "int_from_float")
_DECIMAL = ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number")
_DATE = (
    "date_parsing",
    "date_type",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "datetime_parsing",
    "datetime_type",
    "datetime_from_date_parsing",
)
_LONGEST_INPUT = 40  # characters of what was typed, quoted back


def describe_validation_error(err: ValidationError, render: Render | None = None) -> str:
    render = render or Said.english
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"])
        message = render(reason(e))
        lines.append(f"{field}: {message}" if field and not message.startswith(f"{field}:") else message)
    return "; ".join(lines)


def reason(e: Any) -> Said:
    """Why one field was refused (one entry of ``ValidationError.errors()``)."""
    kind, ctx = e["type"], e.get("ctx") or {}
    typed = _shown(e.get("input"))
    if kind == "value_error" and isinstance(ctx.get("error"), Invalid):
        return ctx["error"].said
    if kind == "missing":
        return say("required")
    if kind == "extra_forbidden":
        return say("not a field of this action")
    if kind in _NUMBER:
        return say("not a whole number: '{input}'", input=typed)
    if kind in _DECIMAL:
        return say("not a number: '{input}'", input=typed)
    if kind == "decimal_max_places":
        return say("at most {places} decimal places", places=ctx.get("decimal_places", ""))
    if kind in _DATE:
        return say("not a date (YYYY-MM-DD): '{input}'", input=typed)
    if kind in ("bool_parsing", "bool_type"):
        return say("yes or no, not '{input}'", input=typed)
    if kind in ("enum", "literal_error"):
        choices = str(ctx.get("expected", "")).replace(" or ", ", ")
        return say("'{input}' is not one of {choices}", input=typed, choices=choices)
    if kind == "string_too_short":
        return say("at least {n} characters", n=ctx.get("min_length", ""))
    if kind == "string_too_long":
        return say("at most {n} characters", n=ctx.get("max_length", ""))
    if kind == "too_short":
        return say("at least {n} entries", n=ctx.get("min_length", ""))
    if kind == "too_long":
        return say("at most {n} entries", n=ctx.get("max_length", ""))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _bound(kind, ctx)
    if kind == "string_pattern_mismatch":
        return say("'{input}' does not have the expected form", input=typed)
    if kind == "string_type":
        return say("must be text")
    if kind == "list_type":
        return say("must be a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return say("must be a group of fields")
    # Anything else (a plain ValueError of an operator's file, a type we never meet): pydantic's
    # English, which the tests of German output would catch where staff can meet it.
    return Said(text=str(e["msg"]).removeprefix("Value error, ").replace("{", "{{").replace("}", "}}"))


def _bound(kind: str, ctx: dict[str, Any]) -> Said:
    if kind == "greater_than":
        return say("must be more than {n}", n=str(ctx.get("gt", "")))
    if kind == "greater_than_equal":
        return say("must be at least {n}", n=str(ctx.get("ge", "")))
    if kind == "less_than":
        return say("must be less than {n}", n=str(ctx.get("lt", "")))
    return say("must be at most {n}", n=str(ctx.get("le", "")))


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _LONGEST_INPUT else text[: _LONGEST_INPUT - 1] + "…"
