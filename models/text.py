"""Text as it may enter a case: normalised (NFC) and free of control and format characters.

Applied in the input models, so the workflows' validators (which read every input through
them) reject such text whatever client sends it, not only the starter. One-line fields
take no line breaks; free text (notes, reasons) takes line breaks and tabs. A NUL would be
refused by PostgreSQL and retried for ever; a bidi override would make a note read other
than it is; both are rejected here, naming the field and the character.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

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
            kind = "a line break" if char in "\n\r\u2028\u2029" else "a control or format character"
            raise ValueError(f"contains {kind} (U+{ord(char):04X}) at position {position}")
    return text


def _one_line(value: object) -> object:
    return _clean(value, multi_line=False)


def _multi_line(value: object) -> object:
    return _clean(value, multi_line=True)


OneLine = BeforeValidator(_one_line)
MultiLine = BeforeValidator(_multi_line)

# Usage: Annotated[str, OneLine, StringConstraints(...)]
__all__ = ["MultiLine", "OneLine", "Annotated"]
