"""Text as it may enter a case: normalised (NFC) and free of control and format characters.

Applied in the input models, so the workflows' validators (which read every input through
them) reject such text whatever client sends it, not only the starter. One-line fields
take no line breaks; free text (notes, reasons) takes line breaks and tabs. A NUL would be
refused by PostgreSQL and retried for ever; a bidi override would make a note read other
than it is; both are rejected here, naming the field and the character.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

from models.said import Invalid, Said, say

# A field a model must accept as None (entries recorded before it was asked) but the door
# requires of every new input (models/door.py): Field(json_schema_extra={REQUIRED_AT_THE_DOOR: True}).
REQUIRED_AT_THE_DOOR = "required_at_the_door"

SOFT_HYPHEN = "\u00ad"  # pasted from word processors; invisible, dropped rather than refused


def _clean(value: object, multi_line: bool) -> object:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace(SOFT_HYPHEN, ""))
    allowed = {"\n", "\t"} if multi_line else set()
    for position, char in enumerate(text):
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            kind = say("a line break") if char in "\n\r\u2028\u2029" else say("a control or format character")
            raise Invalid(
                say(
                    "contains {kind} (U+{code}) at position {position}",
                    kind=kind,
                    code=f"{ord(char):04X}",
                    position=position,
                )
            )
    return text


def _one_line(value: object) -> object:
    return _clean(value, multi_line=False)


def _multi_line(value: object) -> object:
    return _clean(value, multi_line=True)


OneLine = BeforeValidator(_one_line)
MultiLine = BeforeValidator(_multi_line)

# Usage: Annotated[str, OneLine, StringConstraints(...)]
__all__ = ["FreeText", "MultiLine", "OneLine", "Annotated", "personal_data_in"]


# --- Personal data kept out of free text (#13) ------------------------------------------
# Notes, reasons and references travel into histories, the records and emails: names,
# contacts and identity numbers belong in the document store, referenced by code. These
# patterns catch the common slips; they cannot catch a bare name.
_BIRTH_YEARS = r"(?:19[4-9]\d|200\d|201[0-2])"  # working-age candidates; case events are recent
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b")
# With at least 8 digits (below). Not the tail of a code: in DMS-0201-12345-1 (a document
# reference) the digits follow a hyphen joined to letters, as no phone number does.
_PHONE = re.compile(r"(?<![\w-])(?:\+|0)[\d ()/-]{7,}\d")
_BIRTH_DATE = re.compile(
    rf"\b(?:[0-3]?\d\.[01]?\d\.{_BIRTH_YEARS}|{_BIRTH_YEARS}-[01]\d-[0-3]\d|{_BIRTH_YEARS}[01]\d[0-3]\d)\b"
)
# German passport and ID numbers (9 characters of a reduced alphabet, with digits), and any
# number right after the word passport.
_PASSPORT = re.compile(
    r"\b[CFGHJKLMNPRTVWXYZ](?=\w{0,7}\d)[0-9CFGHJKLMNPRTVWXYZ]{8}\b"
    r"|(?i:\b(?:reise)?pass(?:port|eport)?\b)[\s:#-]*[A-Z0-9]{6,9}\b"
)


def personal_data_in(text: str) -> Said | None:
    """What kind of personal data ``text`` appears to contain, or None."""
    if _EMAIL.search(text):
        return say("an e-mail address")
    if _IBAN.search(text):
        return say("an IBAN")
    if any(sum(c.isdigit() for c in m.group()) >= 8 for m in _PHONE.finditer(text)):
        return say("a phone number")
    if _BIRTH_DATE.search(text):
        return say("a birth date")
    if _PASSPORT.search(text):
        return say("a passport or ID number")
    return None


class _FreeText:
    """Marks a field whose text is checked for personal data at the door (models/door.py)."""

    def __repr__(self) -> str:
        return "FreeText"


FreeText = _FreeText()
