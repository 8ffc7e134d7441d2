"""One wording for bad input, wherever it is refused: "field: reason; field: reason"."""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation_error(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"])
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            message = "not a field of this action"
        lines.append(f"{field}: {message}" if field and not message.startswith(f"{field}:") else message)
    return "; ".join(lines)
