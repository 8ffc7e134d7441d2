"""The office's occupation list (#13, config/occupations.yaml): a case's occupation is a
code from it, so the ``Occupation`` search attribute carries no free text.

Loaded once per process like the staff list and read only at the door (the starter, and
the case workflow when it starts, never on replay): a code removed later never breaks a
running case, whose input keeps the code it started with.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from models.said import Said, say
from models.yaml_file import load_yaml

DEFAULT_OCCUPATIONS_FILE = Path(__file__).resolve().parents[1] / "config" / "occupations.yaml"


class Occupation(BaseModel):
    kldb: str = Field(pattern=r"^[0-9]{5}$", description="KldB 2010 code, five digits")
    name: str = Field(min_length=2, max_length=120)


class Occupations(BaseModel):
    source: str
    verified: bool
    occupations: dict[str, Occupation] = Field(min_length=1)

    @field_validator("occupations")
    @classmethod
    def _codes(cls, value: dict[str, Occupation]) -> dict[str, Occupation]:
        for code in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", code):
                raise ValueError(f"{code!r}: a code is lower-case letters, digits and underscores")
        return value


_current: Occupations | None = None


def load_occupations(path: Path) -> Occupations:
    return load_yaml(path, Occupations, "occupations_file")


def use(occupations: Occupations | None) -> None:
    global _current
    _current = occupations


def refusal(code: str) -> Said | None:
    """Why ``code`` is not an occupation of the list, or None."""
    if _current is None or code in _current.occupations:
        return None
    return say("not an occupation code of the list; use one of: {codes}", codes=", ".join(_current.occupations))


def name(code: str) -> str | None:
    """The occupation's name on the loaded list (None: not on it, or no list loaded)."""
    occupation = _current.occupations.get(code) if _current else None
    return occupation.name if occupation is not None else None


def label(code: str, long: bool = False) -> str:
    """What the report and ``status`` show: the code with its KldB code, or (long) the
    name with both. An occupation written as text before the list existed shows as it was."""
    occupation = _current.occupations.get(code) if _current else None
    if occupation is None:
        return code
    return f"{occupation.name} ({code}, KldB {occupation.kldb})" if long else f"{code} (KldB {occupation.kldb})"
