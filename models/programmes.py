"""Candidate reference formats per origin programme (#13, config/programmes.yaml).

Loaded once per process like the staff list and read only by validators (never on replay),
so a changed format never breaks a running case.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, field_validator

from models.said import Said, say
from models.yaml_file import load_yaml

DEFAULT_PROGRAMMES_FILE = Path(__file__).resolve().parents[1] / "config" / "programmes.yaml"


class Programme(BaseModel):
    candidate_ref: str
    explained: str

    @field_validator("candidate_ref")
    @classmethod
    def _a_pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a regular expression: {err}") from None
        return value


class Programmes(BaseModel):
    programmes: dict[str, Programme]


_current: Programmes | None = None


def load_programmes(path: Path) -> Programmes:
    return load_yaml(path, Programmes, "programmes_file")


def use(programmes: Programmes | None) -> None:
    global _current
    _current = programmes


def refusal(programme: str | None, candidate_ref: str) -> Said | None:
    """Why ``candidate_ref`` is not a reference of ``programme``, or None."""
    if _current is None or programme is None:
        return None
    spec = _current.programmes.get(programme)
    if spec is None or re.fullmatch(spec.candidate_ref, candidate_ref):
        return None
    return say(
        "'{candidate_ref}' is not a {programme} reference: {explained}",
        candidate_ref=candidate_ref,
        programme=programme,
        explained=Said(text=spec.explained.replace("{", "{{").replace("}", "}}")),  # the catalogue has it
    )
