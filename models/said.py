"""What the workflows say to staff, kept translatable (#16 point 4).

Workflow code is deterministic and knows no language: it records an English template with
its values (``say("Contract signed on {signed_on}", signed_on=day)``), never a translation.
The English text is the audit trail's ``summary`` as before; whoever shows it to a person
(the email writer, ``status``) renders the template in the office's language with
``core.i18n.Text.said`` (German by default, dates as 27.11.2026). Values are plain data:
text (codes, references, names as recorded), numbers, dates, or a nested ``Said`` for a
clause that is itself a sentence part. ``say`` marks texts for the catalogue extraction
(``pybabel extract -k say``), like ``t``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Union

from pydantic import BaseModel, ConfigDict


class Day(BaseModel):
    """A date among the values (tagged, so that it stays a date through the history's JSON)."""

    model_config = ConfigDict(frozen=True)

    day: date


SaidValue = Union[str, int, float, Day, "Said"]  # noqa: UP007 - a recursive alias needs Union


class Said(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    values: dict[str, SaidValue] = {}

    def english(self) -> str:
        return self.render(lambda text: text, lambda day: day.isoformat())

    def render(
        self,
        translate: Callable[[str], str],
        day: Callable[[date], str],
        code: Callable[[str, str], str] | None = None,
    ) -> str:
        """``translate`` maps a template to the language's; ``day`` formats a date; ``code``
        (name, value) shows a code value as the reader knows it (an occupation by its name)."""
        values = {
            k: v.render(translate, day, code)
            if isinstance(v, Said)
            else day(v.day)
            if isinstance(v, Day)
            else code(k, v)
            if code is not None and isinstance(v, str)
            else _english_number(k, v)
            for k, v in self.values.items()
        }
        return str(translate(self.text)).format(**values)

    def __str__(self) -> str:
        return self.english()


def _english_number(name: str, value: SaidValue) -> SaidValue:
    """Sums (``..._eur``) and shares (``..._pct``) travel as plain digits; English groups them
    as 4,647.50 and 50.0%, a German reader's ``code`` as 4.647,50 and 50,0 %."""
    if isinstance(value, str) and name.endswith("_eur"):
        return f"{Decimal(value):,}"
    if isinstance(value, str) and name.endswith("_pct"):
        return f"{value}%"
    return value


def say(text: str, **values: str | int | float | date | Said | None) -> Said:
    """An English template with its values; a value None is left out as an empty clause."""
    return Said(text=text, values={k: _value(v) for k, v in values.items()})


def _value(value: str | int | float | date | Said | None) -> SaidValue:
    if value is None:
        return ""
    if isinstance(value, date):
        return Day(day=value)
    return value


class Invalid(ValueError):
    """A model's refusal of its input, kept translatable: pydantic keeps the exception in the
    error's context, so whoever describes the error renders it in the reader's language
    (core/validation.py). Its English text is the ValueError's message, as before."""

    def __init__(self, said: Said) -> None:
        super().__init__(said.english())
        self.said = said


def english(value: str | Said) -> str:
    return value.english() if isinstance(value, Said) else value


Said.model_rebuild()
