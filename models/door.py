"""Rules at the door that are not part of the models: free text that looks like personal
data, and the handle reserved for the workflows' own entries.

They run where an input comes in (every Update validator, the starter), never when a
recorded input is decoded again on replay: a rule made stricter later never breaks a
running case whose history holds an input from before it.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from models import staff
from models.case import SYSTEM_HANDLE
from models.text import FreeText, personal_data_in

# Roles an input needs besides carrying cases (by model name: no imports of every model here).
ROLES_FOR = {"EraseCase": staff.ERASES_CASES, "ResendEmail": staff.ANY_ROLE}


def refusals(action: BaseModel) -> list[str]:
    """What the door refuses in ``action``: "field: why" per finding."""
    found: list[str] = []
    handle = getattr(action, "advisor", None)
    if handle == SYSTEM_HANDLE:
        found.append(f"advisor: '{SYSTEM_HANDLE}' is reserved for the entries the workflows make themselves")
    elif isinstance(handle, str):
        roles = ROLES_FOR.get(type(action).__name__, staff.CARRIES_CASES)
        if why := staff.refusal(handle, roles):
            found.append(why)
    _walk(action, "", found)
    return found


def _walk(model: BaseModel, prefix: str, found: list[str]) -> None:
    for name, field in type(model).model_fields.items():
        value: Any = getattr(model, name)
        path = f"{prefix}{name}"
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"{path}.{index}" if isinstance(value, list) else path
            if isinstance(item, BaseModel):
                _walk(item, f"{where}.", found)
            elif (
                isinstance(item, str)
                and _free_text(field.metadata, field.annotation)
                and (kind := personal_data_in(item))
            ):
                found.append(
                    f"{where}: looks like {kind}: keep names, contacts and identity numbers out of the case "
                    "(keep them in the document store and reference the document by its code)"
                )


def _free_text(metadata: list[Any], annotation: Any) -> bool:
    """Marked FreeText, also inside Optional[...] and list[...] (where pydantic keeps the
    marker in the annotation, not in the field's metadata)."""
    if FreeText in metadata:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return FreeText in annotation.__metadata__ or _free_text([], typing.get_args(annotation)[0])
    return any(_free_text([], arg) for arg in typing.get_args(annotation))
