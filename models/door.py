"""Rules at the door that are not part of the models: free text that looks like personal
data, and the handle reserved for the workflows' own entries.

They run where an input comes in (every Update validator, the starter), never when a
recorded input is decoded again on replay: a rule made stricter later never breaks a
running case whose history holds an input from before it.
"""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from models import occupations, staff
from models.case import SYSTEM_HANDLE
from models.reasons import OTHER
from models.said import Said, say
from models.text import REQUIRED_AT_THE_DOOR, FreeText, personal_data_in

# Roles an input needs besides carrying cases (by model name: no imports of every model here).
ROLES_FOR = {"EraseCase": staff.ERASES_CASES, "ResendEmail": staff.ANY_ROLE, "RepairWorkflow": staff.REPAIRS}


def refusals(action: BaseModel) -> list[Said]:
    """What the door refuses in ``action``: "field: why" per finding, in the reader's language
    when rendered (English: ``str()``)."""
    found: list[Said] = []
    handle = getattr(action, "advisor", None)
    if handle == SYSTEM_HANDLE:
        found.append(
            say("advisor: '{handle}' is reserved for the entries the workflows make themselves", handle=SYSTEM_HANDLE)
        )
    elif isinstance(handle, str):
        roles = ROLES_FOR.get(type(action).__name__, staff.CARRIES_CASES)
        if why := staff.refusal(handle, roles):
            found.append(why)
    _walk(action, "", found)
    found.extend(_reason_refusals(action))
    found.extend(
        say("{field}: required", field=name)
        for name, field in type(action).model_fields.items()
        if isinstance(field.json_schema_extra, dict)
        and field.json_schema_extra.get(REQUIRED_AT_THE_DOOR)
        and getattr(action, name) is None
    )
    occupation = action.__dict__.get("occupation")
    if isinstance(occupation, str) and (why := occupations.refusal(occupation)):
        found.append(say("occupation: {why}", why=why))
    return found


SHORT_NOTE = 200  # characters: a note to a reason code says what, it does not tell a story


def _reason_refusals(action: BaseModel) -> list[Said]:
    """Reasons are codes (#13): required on new inputs; ``other`` needs a short note."""
    field = type(action).model_fields.get("reason_code")
    if field is None:
        return []
    code, note = action.__dict__["reason_code"], action.__dict__.get("reason")
    if code is None:
        codes = _enum_values(field.annotation)
        return [say("reason_code: required: say why with a code ({codes})", codes=", ".join(codes))]
    if code == OTHER and not note:
        return [say("reason: required with reason_code 'other': say briefly what it was (no personal data)")]
    note_field = type(action).model_fields.get("reason")
    if note_field is not None and not note_field.is_required() and note and len(note) > SHORT_NOTE:
        return [
            say(
                "reason: the note to the code has {n} characters; keep it to {most} (no details)",
                n=len(note),
                most=SHORT_NOTE,
            )
        ]
    return []


def _enum_values(annotation: Any) -> list[str]:
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return [str(member.value) for member in arg]
    return []


def _walk(model: BaseModel, prefix: str, found: list[Said]) -> None:
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
                    say(
                        "{field}: looks like {kind}: keep names, contacts and identity numbers out of the case "
                        "(keep them in the document store and reference the document by its code)",
                        field=where,
                        kind=kind,
                    )
                )


def _free_text(metadata: list[Any], annotation: Any) -> bool:
    """Marked FreeText, also inside Optional[...] and list[...] (where pydantic keeps the
    marker in the annotation, not in the field's metadata)."""
    if FreeText in metadata:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return FreeText in annotation.__metadata__ or _free_text([], typing.get_args(annotation)[0])
    return any(_free_text([], arg) for arg in typing.get_args(annotation))
