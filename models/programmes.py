"""Candidate reference formats per origin programme (#13, config/programmes.yaml).

Loaded once per process like the staff list and read only by validators (never on replay),
so a changed format never breaks a running case.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError, field_validator

DEFAULT_PROGRAMMES_FILE = Path(__file__).resolve().parents[1] / "config" / "programmes.yaml"


class Programme(BaseModel):
    candidate_ref: str
    explained: str

    @field_validator("candidate_ref")
    @classmethod
    def _a_pattern(cls, value: str) -> str:
        re.compile(value)
        return value


class Programmes(BaseModel):
    programmes: dict[str, Programme]


_current: Programmes | None = None


def load_programmes(path: Path) -> Programmes:
    try:
        return Programmes.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, re.error) as err:
        raise ValueError(f"programmes_file: cannot read {path}: {err}") from None
    except ValidationError as err:
        raise ValueError(f"programmes_file {path}: {err}") from None


def use(programmes: Programmes | None) -> None:
    global _current
    _current = programmes


def refusal(programme: str | None, candidate_ref: str) -> str | None:
    """Why ``candidate_ref`` is not a reference of ``programme``, or None."""
    if _current is None or programme is None:
        return None
    spec = _current.programmes.get(programme)
    if spec is None or re.fullmatch(spec.candidate_ref, candidate_ref):
        return None
    return f"'{candidate_ref}' is not a {programme} reference: {spec.explained}"
