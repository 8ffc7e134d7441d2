"""Babel extractor for the starter's help (#24 point 4): besides the texts ``parser.py`` marks
with ``t("...")``, its help is made of the action models' docstrings and field descriptions
and of argparse's own texts. Building the parser with a recording translator yields every
one of them, so the catalogue test asks a German translation for each. Registered in
``babel.cfg`` for ``starter/parser.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from babel.messages.extract import extract_python


def extract_parser_texts(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[Any, ...]]:
    yield from extract_python(fileobj, keywords, comment_tags, options)
    yield from ((0, "", text, ["starter help"]) for text in parser_texts())


def parser_texts() -> list[str]:
    """Every text the starter's parser shows, in the order it is built (English, once each)."""
    from starter.parser import ARGPARSE_TEXTS, build_parser

    seen: dict[str, None] = dict.fromkeys(ARGPARSE_TEXTS)

    def record(text: str) -> str:
        seen[text] = None
        return text

    build_parser(record)
    return list(seen)
