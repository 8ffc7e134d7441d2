"""The workspace's action forms (#27 point 1), generated from the action models the process
definition names, as the starter's flags are (starter/parser.py): a changed definition or
model changes the form. A filled form becomes the starter command it stands for, run
through the same door as every command (the validators, the roles, the access log), as the
person signed in.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import enum
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from core.i18n import Text
from models.case import NewCaseRequest
from models.journey import AddNote
from starter.inputs import is_yes_no
from starter.parser import CASE_ACTIONS, JOURNEY_ACTIONS, build_parser

# Fields that are repeatable flags in the starter: one line of the text area per flag.
LINES = {"documents": "--document", "candidates": "--candidate"}
NOT_A_FIELD = {"advisor"}  # the person signed in acts: never a field of the form
# The case's own actions offered per stage (workflows/case_rules.py decides: a form shown
# here that the case refuses says why beside it; this only keeps the page short).
CASE_OFFERS: dict[str, tuple[str, ...]] = {
    "consultation": ("complete-consultation", "change-offered-wage", "withdraw", "close-case"),
    "candidate_selection": ("select-candidates", "change-offered-wage", "withdraw", "close-case"),
    "journeys": ("select-candidates", "change-offered-wage", "withdraw", "close-case"),
}


def t(text: str) -> str:
    """Marks a label for the catalogue; a form is translated where it is made (``Text``)."""
    return text


# Labels of the fields whose model gives no description; translated where the form is shown.
FIELD_LABELS: dict[str, str] = {
    "agreement_signed_on": t("agreement signed on"),
    "applied_on": t("applied on"),
    "appointment_on": t("appointment on"),
    "arrived_on": t("arrived on"),
    "asked_on": t("asked on"),
    "candidates": t("candidates"),
    "checked_on": t("checked on"),
    "complete_on": t("complete on"),
    "confirmed_on": t("confirmed on"),
    "decided_on": t("decided on"),
    "decision": t("decision"),
    "documents": t("documents received"),
    "ended_on": t("ended on"),
    "evidence": t("evidence"),
    "expected_on": t("expected on"),
    "fee_paid_on": t("fee paid on"),
    "filed_on": t("filed on"),
    "issued_on": t("issued on"),
    "moved_in_on": t("moved in on"),
    "party": t("who withdraws"),
    "passed_on": t("passed on"),
    "path": t("path"),
    "paused_on": t("paused on"),
    "reason": t("short note to the reason (no personal data)"),
    "reason_code": t("reason"),
    "recorded_on": t("recorded on"),
    "refusal_grounds": t("grounds of the refusal"),
    "registered_on": t("registered on"),
    "reported_on": t("reported on"),
    "resumed_on": t("resumed on"),
    "signed_on": t("signed on"),
    "started_on": t("started on"),
    "status": t("status"),
    "until": t("until"),
    "valid_until": t("valid until"),
}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text, date, checkbox, select, textarea, lines
    required: bool
    options: tuple[str, ...] = ()
    hint: str = ""
    flag: str = ""  # the starter's flag, where it is not --<name>


@dataclass(frozen=True)
class ActionForm:
    command: str
    title: str
    fields: tuple[FormField, ...]
    candidate: str | None = None  # the journey's candidate reference; None: the case's own action
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)  # field name (or "" for the form) -> why
    hidden: Mapping[str, str] = field(default_factory=dict)  # sent back as they are (new-case: its id)

    @property
    def anchor(self) -> str:
        return f"{self.command}-{self.candidate or 'case'}"


def model_of(command: str) -> type[BaseModel] | None:
    if command == NEW_CASE:
        return NewCaseRequest
    if command == "add-note":
        return AddNote
    if command in CASE_ACTIONS:
        return CASE_ACTIONS[command][1]
    spec = JOURNEY_ACTIONS.get(command)
    return spec.model if spec is not None else None


def action_form(command: str, t: Text, candidate: str | None = None) -> ActionForm | None:
    """The form for a starter command the case or a journey offers; None for one without a form."""
    model = model_of(command)
    if model is None:
        return None
    fields = [_field(name, info, t) for name, info in model.model_fields.items() if name not in NOT_A_FIELD]
    title = t("Add a note") if model is AddNote else t((model.__doc__ or command).strip().splitlines()[0])
    return ActionForm(command, title, tuple(f for f in fields if f is not None), candidate)


def _field(name: str, info: Any, t: Text) -> FormField | None:
    label = t(info.description) if info.description else t(FIELD_LABELS.get(name, name.replace("_", " ")))
    annotation = _plain(info.annotation)
    required = info.is_required()
    if name == "note":
        return FormField(name, t("Note for the audit trail (no personal data)"), "textarea", False)
    if name in LINES:
        hint = (
            t("one per line: CODE:REFERENCE[:YYYY-MM-DD]")
            if name == "documents"
            else t("one per line: REFERENCE:COUNTRY, with :45+ for a candidate aged 45 or more")
        )
        return FormField(name, label, "lines", required, hint=hint)
    if is_yes_no(info.annotation):
        return FormField(name, label, "checkbox", False)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return FormField(name, label, "select", required, tuple(str(m.value) for m in annotation))
    if annotation is datetime.date:
        return FormField(name, label, "date", required)
    return FormField(name, label, "text", required)


def _plain(annotation: Any) -> Any:
    """``X | None`` -> X."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def filled(form: ActionForm, posted: Mapping[str, Any]) -> ActionForm:
    """The form with what was posted, only its own fields (anything else is dropped)."""
    names = {f.name for f in form.fields}
    values = {k: str(v) for k, v in posted.items() if k in names}
    return dataclasses.replace(form, values=values)


def argv_of(form: ActionForm, case_id: str, person: str) -> list[str]:
    """The starter command the filled form stands for, acting as ``person`` (new-case: the
    case it opens, under the id the form was given, so sending it twice opens one)."""
    if form.command == NEW_CASE:
        argv = [NEW_CASE, "--advisor", person, "--case-id", case_id]
    else:
        argv = [form.command, case_id, "--advisor", person]
    if form.candidate:
        argv += ["--candidate", form.candidate]
    for f in form.fields:
        value = form.values.get(f.name, "").strip()
        if f.kind == "checkbox":
            argv += [_flag(f.name)] if value else []
        elif f.kind == "lines":
            argv += [x for line in value.splitlines() if line.strip() for x in (LINES[f.name], line.strip())]
        elif f.name == "note" and value:
            argv += ["--note", value]
        elif value:
            argv += [f.flag or _flag(f.name), value]
    return argv


NEW_CASE = "new-case"
# new-case flags that are not a person's to fill in the browser: who acts, a file, the id.
_NOT_IN_THE_NEW_CASE_FORM = {"help", "advisor", "file", "case_id", "json"}


def new_case_form(t: Text, case_id: str) -> ActionForm:
    """The new-case form, from the starter's own new-case flags (their help is the label)."""
    sub = next(a for a in build_parser(t)._actions if isinstance(a, argparse._SubParsersAction))
    fields = []
    for action in sub.choices[NEW_CASE]._actions:
        if action.dest in _NOT_IN_THE_NEW_CASE_FORM or not action.option_strings:
            continue
        flag = action.option_strings[-1]
        label = (action.help or flag.removeprefix("--").replace("-", " ")).replace("%%", "%")
        if action.choices:
            fields.append(FormField(action.dest, label, "select", False, tuple(action.choices), flag=flag))
        else:
            fields.append(FormField(action.dest, label, "text", False, flag=flag))
    title = t("open a case for an employer's vacancy")
    return ActionForm(NEW_CASE, title, tuple(fields), hidden={"case_id": case_id})


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


_FIELD_FIRST = re.compile(r"^(?:[^:]{1,40}: )?([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*): (.+)$", re.DOTALL)


def with_errors(form: ActionForm, err: str) -> ActionForm:
    """The starter's error, beside the field it names (``field: why``), else above the form."""
    errors: dict[str, str] = {}
    names = {f.name for f in form.fields} | {"note"}
    for line in err.strip().splitlines():
        found = _FIELD_FIRST.match(line.strip())
        name = found.group(1).split(".")[0].split("[")[0] if found else ""
        if found and name in names:
            errors[name] = errors.get(name, "") + found.group(2)
        else:
            errors[""] = (errors.get("", "") + " " + line.strip()).strip()
    return dataclasses.replace(form, errors=errors)
