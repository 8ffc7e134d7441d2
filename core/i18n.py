"""Staff-facing text in German by default, English on request (#16 point 4; WC_LANGUAGE).

The catalogues are gettext ``.po`` files in ``locale/<lang>/LC_MESSAGES/messages.po``,
maintained with Babel (the commands in ``babel.cfg``: ``pybabel extract -k t -k say`` and
``pybabel update -i locale/messages.pot -d locale``); they are compiled in memory when
first used, so no binary ``.mo`` file lives in the repository. The source strings are
English; German legal terms (Vorabzustimmung, Anerkennung, §81a) stay as they are in both.
Dates are formatted per language (27.11.2026 / 2026-11-27).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from models import occupations
from models.said import Said

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


@lru_cache
def translations(language: str) -> NullTranslations:
    if language not in LANGUAGES:
        raise ValueError(f"language: '{language}' is not one of {', '.join(LANGUAGES)}")
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.exists():
        return NullTranslations()  # the source strings are English
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


class Text:
    """The texts of one language: ``t("...")`` translates, ``t.date(d)`` formats a date."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self._translations = translations(language)

    def __call__(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self._translations.ngettext(singular, plural, n).format(n=n, **values)

    def said(self, value: Said | str | None) -> str:
        """What a workflow said (``models/said.py``), in this language; plain text as it is."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.render(self._translations.gettext, self.date, None if self.language == "en" else self.code)

    def code(self, name: str, value: str) -> str:
        """A code among a template's values as a German reader knows it (#24 point 4): the
        occupation by its name from the office's list, the procedure in words, the policy's
        legal basis translated."""
        if name == "occupation":
            return occupations.name(value) or value
        t = self  # so that the extraction (-k t) finds the text below
        if name == "procedure" and value == "regular":
            return t("regular (procedure)")
        if name.endswith("_eur"):  # a sum as plain digits (models/wage.py)
            return format_decimal(Decimal(value), format="#,##0.00" if "." in value else "#,##0", locale=self.language)
        if name.endswith("_pct"):
            return format_decimal(Decimal(value), format="0.0", locale=self.language) + " %"
        if name == "basis":  # a legal basis of the policy (in the catalogue, core/i18n_extract.py)
            return t(value)
        return value

    def date(self, day: date) -> str:
        return day.isoformat() if self.language == "en" else format_date(day, format="medium", locale=self.language)
