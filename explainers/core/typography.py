"""Typography for what readers are shown: quotation marks and dashes.

Applied when a page is rendered, never to what is stored: documents, diffs' comparison and
search keep the characters as typed. Markdown goes through markdown-it's own typographer
(`markdown_rules`, used by explainers/core/rendering.py); plain text fields (headline,
questions, source labels, notes) through `typeset`, which runs the same quote rule of
markdown-it over the text.

- German (document language "de"): „…“ and ‚…‘; English ("en"): “…” and ‘…’; other
  languages keep their quotes. A quote without its partner stays as typed, an apostrophe
  inside a word becomes ’.
- A hyphen between spaces becomes an en dash ("2014 - 2016", "Wort - Wort"), and so does one
  between two numbers ("2014-2016", "S. 12-14"); dates (2016-05-03), phone numbers
  (030-1234), words with numbers (COVID-19) keep theirs.
- Web addresses and citation markers are never touched; in Markdown neither are link
  targets or attributes (they are no text), and a backslash keeps a character as typed
  (``\\"``, ``\\-``).

Which typography a publication gets is its `typesetting`, stored with it, so a page
published before keeps rendering exactly as it did.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core.smartquotes import process_inlines
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

from explainers.core.documents import MARKER_RE

# A publication's `typesetting`:
PLAIN = 0  # as typed; sources numbered in stored order (every publication before 2026-12)
READER = 1  # quotes and dashes as above; citations numbered in the order readers meet them
CURRENT = READER  # what a publication made now gets

_QUOTES = {"de": "„“‚‘", "en": "“”‘’"}

_PROTECTED_RE = re.compile(
    rf"(?:[a-z][a-z0-9+.-]*://|mailto:|www\.)[^\s<>\"]*|{MARKER_RE.pattern}", re.IGNORECASE
)
_SPACED_HYPHEN_RE = re.compile(r"(?<=\S) - (?=\S)")
# Two numbers of up to four digits, not part of a longer run of numbers, words, decimals or
# dates; a first number with a leading zero and three digits or more is a dialling code.
_RANGE_RE = re.compile(r"(?<![\w.,:/-])(?!0\d\d)(\d{1,4})-(\d{1,4})(?![\w/-]|[.,:]\d)")
_BREAKS = {"softbreak", "hardbreak"}


def typography_language(language: str | None) -> str | None:
    """The language whose quotation marks `language` uses ("de-AT" → "de"), or None."""
    code = (language or "").split("-")[0].lower()
    return code if code in _QUOTES else None


def quotes_for(language: str | None) -> str | None:
    """The four quotation marks (double open, close, single open, close) of a language."""
    return _QUOTES.get(typography_language(language) or "")


def quoted(text: str, language: str | None) -> str:
    """Typeset `text` to stand inside quotation marks (a `<q>`): its own double quotes
    become single ones, as a quotation within a quotation („Was heißt ‚Bremse‘?“)."""
    text = typeset(text, language)
    quotes = quotes_for(language)
    if quotes is None:
        return text
    return text.translate(str.maketrans({quotes[0]: quotes[2], quotes[1]: quotes[3]}))


def dashes(text: str, *, joined_before: bool = False, joined_after: bool = False) -> str:
    """`text` with en dashes for spaced hyphens and number ranges. `joined_before`/`_after`:
    the text continues a word on that side (Markdown: **fett** - weiter)."""
    if "-" not in text:
        return text
    padded = ("x" if joined_before else "") + text + ("x" if joined_after else "")
    padded = _SPACED_HYPHEN_RE.sub(" \u2013 ", padded)
    text = padded[1 if joined_before else 0 : len(padded) - (1 if joined_after else 0)]
    return _RANGE_RE.sub("\\1\u2013\\2", text)


def typeset(text: str, language: str | None) -> str:
    """Plain text (no Markdown) with the typography of `language`."""
    if not text or not ('"' in text or "'" in text or "-" in text):
        return text or ""
    tokens = _tokens(text)
    quotes = quotes_for(language)
    if quotes is not None and ('"' in text or "'" in text):
        process_inlines(tokens, StateCore("", _quote_parser(quotes), {}))
    _dash_tokens(tokens)
    return "".join(token.content for token in tokens)


def markdown_rules(md: MarkdownIt, language: str | None) -> MarkdownIt:
    """Switch on the typography of `language` in a markdown-it parser."""
    quotes = quotes_for(language)
    if quotes is not None:
        md.options["typographer"] = True
        md.options["quotes"] = quotes
        md.enable("smartquotes")
        # Web addresses and markers in the text become tokens of their own first: the
        # quote rule reads around them but changes only text ("Hanlon's_razor" stays).
        md.core.ruler.before("smartquotes", "protected_text", _protected_rule)
        md.add_render_rule("protected_text", _render_protected)
    # Before text_join, so that a backslash-escaped hyphen is still a token of its own.
    md.core.ruler.before("text_join", "dashes", _dashes_rule)
    return md


def _protected_rule(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = [
                part
                for child in token.children
                for part in (_split_protected(child) if child.type == "text" else [child])
            ]


def _split_protected(token: Token) -> list[Token]:
    if not _PROTECTED_RE.search(token.content):
        return [token]
    return [
        Token("protected_text" if part.type == "code_inline" else "text", "", 0,
              content=part.content, level=token.level)
        for part in _tokens(token.content)
    ]  # fmt: skip


def _render_protected(self, tokens, idx, options, env) -> str:
    return escapeHtml(tokens[idx].content)


def _dashes_rule(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children and "-" in token.content:
            _dash_tokens(token.children)


def _dash_tokens(tokens: list[Token]) -> None:
    """En dashes in the text tokens, web addresses in them left alone."""
    for i, token in enumerate(tokens):
        if token.type != "text" or "-" not in token.content:
            continue
        before = i > 0 and tokens[i - 1].type not in _BREAKS
        after = i + 1 < len(tokens) and tokens[i + 1].type not in _BREAKS
        token.content = _outside_protected(
            token.content,
            lambda part, first, last, b=before, a=after: dashes(
                part, joined_before=b or not first, joined_after=a or not last
            ),
        )


def _outside_protected(text: str, change: Callable[[str, bool, bool], str]) -> str:
    """`change(part, is_first, is_last)` applied to the parts of `text` between web
    addresses and citation markers."""
    pieces, start = [], 0
    matches = list(_PROTECTED_RE.finditer(text))
    for match in matches:
        pieces.append(change(text[start : match.start()], start == 0, False))
        pieces.append(match.group(0))
        start = match.end()
    pieces.append(change(text[start:], start == 0, True))
    return "".join(pieces)


def _tokens(text: str) -> list[Token]:
    """Plain text as markdown-it tokens: its words as text, web addresses and markers as
    tokens the quote rule reads around but never changes."""
    tokens, start = [], 0
    for match in _PROTECTED_RE.finditer(text):
        if match.start() > start:
            tokens.append(Token("text", "", 0, content=text[start : match.start()]))
        tokens.append(Token("code_inline", "", 0, content=match.group(0)))
        start = match.end()
    if start < len(text):
        tokens.append(Token("text", "", 0, content=text[start:]))
    return tokens


@functools.lru_cache(maxsize=len(_QUOTES))
def _quote_parser(quotes: str) -> MarkdownIt:
    return MarkdownIt("zero", {"typographer": True, "quotes": quotes})
