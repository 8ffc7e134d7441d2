"""The tests' detector of English reaching a German reader (#24 point 4).

A German text may carry codes (``shk_installer``, ``WC-0123456789``), flags (``--reason``),
legal names (§81a, Vorabzustimmung) and the values a person typed; what it may not carry is an
English sentence. So: the words of a text, minus flags, codes, metavariables and quoted
values, and any of the common English words below that German does not share is a finding.
"""

from __future__ import annotations

import re

# Frequent English words that are no German words (so "an", "in", "so", "man" are not here),
# and none that names a field (``advisor``, ``party``): a field's name is a code.
ENGLISH_WORDS = frozenset(
    """the is are were be been must should would could can cannot not and or of for with
    when this that these those from to by at its it's it your you who whom which what
    only needs need needed after before required invalid valid input value error
    show help message exit options usage arguments positional expected choose
    any every each has have had does do did than then there their they them here
    open closed sent overdue due since until while where shall may might will into onto
    over under more less most least yes none nothing something refused rejected
    """.split()
)

_SKIPPED = re.compile(
    r"""--?[\w-]+            # a flag
      | \b\w+(?:[-.]\w+)+\b   # a command, a dotted field, a hyphenated word
      | '[^']*' | "[^"]*"    # a quoted value (what the person typed, a code)
      | \{[^}]*\}            # argparse's choices
      | \b\w*[_\d]\w*\b      # a code, a reference, a number
      | \b[A-Z]{2,}\b        # a metavariable, an abbreviation (ABH, BA, CSV)
      | https?://\S+         # an address
    """,
    re.VERBOSE,
)


def english_words(text: str) -> list[str]:
    """The English words in ``text`` (lower-cased, in order)."""
    words = re.findall(r"[A-Za-zÄÖÜäöüß']+", _SKIPPED.sub(" ", text))
    return [w.lower() for w in words if w.lower().strip("'") in ENGLISH_WORDS]


def assert_german(text: str, where: str = "") -> None:
    found = english_words(text)
    assert not found, f"English reaches a German reader{' in ' + where if where else ''}: {found}\n{text}"
