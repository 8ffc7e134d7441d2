"""German for staff (#16 point 4): the catalogue covers every text the code marks, with the
same placeholders; unknown languages are refused."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.config import Settings
from core.i18n import LOCALE_DIR, Text

ROOT = Path(__file__).resolve().parents[2]


def _catalog(tmp_path: Path) -> tuple[set[str], dict[str, str]]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "t", "-k", "say", "-k", "MilestoneSpec:2", "-k", "Guard:2",
         "--no-location", "--omit-header", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        marked = {str(m.id) for m in read_po(f) if m.id}
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        german = {str(m.id): str(m.string or "") for m in read_po(f) if m.id}
    return marked, german


def test_every_marked_text_has_a_german_translation_with_the_same_placeholders(tmp_path: Path) -> None:
    marked, german = _catalog(tmp_path)
    assert marked, "no marked texts found: the extraction is misconfigured"
    missing = sorted(m for m in marked if not german.get(m))
    assert not missing, f"untranslated (pybabel update, then translate): {missing}"
    for msgid in marked:
        assert set(re.findall(r"{(\w+)}", msgid)) == set(re.findall(r"{(\w+)}", german[msgid])), msgid


def test_dates_per_language_and_unknown_languages_refused() -> None:
    assert Text("de").date(date(2026, 11, 27)) == "27.11.2026"
    assert Text("en").date(date(2026, 11, 27)) == "2026-11-27"
    assert Text().language == "de" and Settings(_env_file=None).language == "de"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="language"):
        Text("fr")
    with pytest.raises(ValueError, match="language"):
        Settings(language="fr", _env_file=None)  # type: ignore[arg-type, call-arg]
