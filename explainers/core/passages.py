"""Finding a passage in stored text the way a reader sees it (for legal redaction).

The desk types the passage as it reads on the page; the stored Markdown may split it with
a line break, emphasis markers, a link, a character reference or other quotes and dashes.
Both sides are folded to what a reader sees, matched there, and each match is mapped back
to the span of stored text that shows it. Identifiers (slugs, anchors) and links carry a
passage in slug form ("minister-x-soll"), so they are matched that way.

Pure: no ORM, no request.
"""

from __future__ import annotations

import bisect
import html
import re
from urllib.parse import unquote_plus

from explainers.core.documents import german_slugify

REDACTED = "[aus rechtlichen Gründen entfernt]"

_FOLDED = {
    **dict.fromkeys("„“”«»‹›″\u201f", '"'),
    **dict.fromkeys("‚‘’`´′\u201b", "'"),
    **dict.fromkeys("‐‑‒–—―−", "-"),
}
# Shown as nothing: soft hyphen, zero-width characters.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_EMPHASIS = frozenset("*_~")
_REFERENCE_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# What a line may start with that the reader does not see: indentation, quote and list marks.
_LINE_START_RE = re.compile(r"[ \t]*(?:>[ \t]*)*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)?")
_LINK_RE = re.compile(r"(\[)(?!\^)[^\]\n]*(\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\))")
_FOOTNOTE_RE = re.compile(r"\[\^[^\]\s]+\]")
_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!|>~\"'")
_NEW_LINE_RE = re.compile(r"\n(" + _LINE_START_RE.pattern + ")")
_NOT_ALNUM_RE = re.compile(r"[\W_]+")
# Characters fold() shows unchanged, in runs.
_PLAIN_RE = re.compile(
    "(?:[^\\s" + re.escape("".join(sorted({*"*_~\\&", *_FOLDED, *_INVISIBLE}))) + "]| )+"
)


def _hidden_positions(text: str) -> set[int]:
    """Positions of link brackets with their target, and of citation markers."""
    hidden: set[int] = set()
    for match in _LINK_RE.finditer(text):
        hidden.add(match.start(1))
        hidden.update(range(match.start(2), match.end(2)))
    for match in _FOOTNOTE_RE.finditer(text):
        hidden.update(range(match.start(), match.end()))
    return hidden


def fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """What a reader sees of `text`, and for each of its characters the span of `text`
    that shows it. Whitespace runs (line breaks too) read as one space."""
    hidden = _hidden_positions(text)
    stops = sorted(hidden)
    chars: list[str] = []
    spans: list[tuple[int, int]] = []

    def emit(char: str, start: int, end: int) -> None:
        if char in _INVISIBLE:
            return
        if char.isspace():
            if not chars or chars[-1] == " ":
                return
            char = " "
        chars.append(_FOLDED.get(char, char))
        spans.append((start, end))

    i, n = 0, len(text)
    while i < n:
        plain = None if i in hidden else _PLAIN_RE.match(text, i)
        if plain and not (text[i] == " " and (not chars or chars[-1] == " ")):
            # a run shown as it is stored, taken whole: up to the next hidden position or
            # the second of two spaces
            stop = bisect.bisect_left(stops, i)
            end = min(plain.end(), stops[stop]) if stop < len(stops) else plain.end()
            double = text.find("  ", i, end)
            end = double + 1 if double != -1 else end
            chars.extend(text[i:end])
            spans.extend(zip(range(i, end), range(i + 1, end + 1), strict=True))
            i = end
            continue
        char = text[i]
        if i in hidden or char in _INVISIBLE or char in _EMPHASIS:
            i += 1
        elif char == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            emit(text[i + 1], i, i + 2)
            i += 2
        elif char == "&" and (decoded := _reference(text, i)):
            reference, end = decoded
            for part in reference:
                emit(part, i, end)
            i = end
        elif char in "\r\n":
            emit(" ", i, i + 1)
            i = _LINE_START_RE.match(text, i + 1).end() if char == "\n" else i + 1
        else:
            emit(char, i, i + 1)
            i += 1
    return "".join(chars), spans


def _reference(text: str, i: int) -> tuple[str, int] | None:
    """The characters an HTML character reference at `i` stands for, and its end."""
    match = _REFERENCE_RE.match(text, i)
    if match is None or html.unescape(match.group(0)) == match.group(0):
        return None
    return html.unescape(match.group(0)), match.end()


def folded_passage(passage: str) -> str:
    return fold(passage or "")[0].strip()


def slug_form(passage: str) -> str:
    """The passage as it would stand in a slug, an anchor or a URL path."""
    return german_slugify(passage or "", max_length=10_000)


def _letters(text: str) -> str:
    """The letters and digits a reader sees, in order (those `fold` keeps), at the regex
    engine's speed: a text whose letters do not hold the passage's cannot show it."""
    dropped = _hidden_positions(text)
    for match in _NEW_LINE_RE.finditer(text):
        dropped.update(range(match.start(1), match.end(1)))
    pieces, start = [], 0
    for position in sorted(dropped):
        pieces.append(text[start:position])
        start = position + 1
    kept = "\0".join([*pieces, text[start:]])  # \0: no reference forms across a gap
    decoded = _REFERENCE_RE.sub(lambda m: html.unescape(m.group(0)), kept)
    return _NOT_ALNUM_RE.sub("", decoded)


def _reader_spans(text: str, wanted: str) -> list[tuple[int, int]]:
    """Where the folded passage `wanted` is in the reader's view of `text`."""
    seen, origin = fold(text)
    hidden = _hidden_positions(text)
    spans = []
    start = seen.find(wanted)
    while start != -1:
        end = start + len(wanted) - 1
        spans.append(_balanced(text, hidden, origin[start][0], origin[end][1]))
        start = seen.find(wanted, start + len(wanted))
    return spans


def passage_spans(text: str, passage: str) -> list[tuple[int, int]]:
    """The spans of stored `text` that show `passage` to a reader, merged, in order."""
    wanted = folded_passage(passage)
    if not text or not wanted:
        return []
    spans = _reader_spans(text, wanted) if _letters(passage) in _letters(text) else []
    typed = passage.strip()
    if typed:  # exactly as typed, also where the reader sees nothing (a link's target)
        start = text.find(typed)
        while start != -1:
            spans.append((start, start + len(typed)))
            start = text.find(typed, start + len(typed))
    slug = slug_form(passage)
    if "-" in slug:  # a multi-word passage as a slug, e.g. quoted in a revision comment
        pattern = re.compile(rf"(?<![a-z0-9]){re.escape(slug)}(?![a-z0-9])")
        spans += [match.span() for match in pattern.finditer(text)]
    return _merged(spans)


def _balanced(text: str, hidden: set[int], start: int, end: int) -> tuple[int, int]:
    """A span that cuts through emphasis or a link takes the markup next to it along, so
    the replacement leaves no lone `*` or `[` behind."""

    def markup(i: int) -> bool:
        return text[i] in _EMPHASIS or i in hidden

    if not any(markup(i) for i in range(start, end)):
        return start, end
    while start > 0 and markup(start - 1):
        start -= 1
    while end < len(text) and markup(end) and not _FOOTNOTE_RE.match(text, end):
        end += 1
    return start, end


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_text(text: str, passage: str, marker: str = REDACTED) -> tuple[str, int]:
    """`text` with every span showing `passage` replaced by `marker`, and their number."""
    spans = passage_spans(text, passage)
    for start, end in reversed(spans):
        text = text[:start] + marker + text[end:]
    return text, len(spans)


def in_identifier(identifier: str, passage: str) -> bool:
    """Whether a slug or anchor carries the passage (as whole dash-separated words)."""
    slug = slug_form(passage)
    name = german_slugify(identifier or "", max_length=10_000)
    return bool(slug) and f"-{slug}-" in f"-{name}-"


def identifier_without(identifier: str, passage: str) -> str:
    """What is left of a slug or anchor once the passage's words are taken out ('' if
    nothing is)."""
    slug = slug_form(passage)
    name = f"-{german_slugify(identifier or '', max_length=10_000)}-"
    while slug and f"-{slug}-" in name:
        name = name.replace(f"-{slug}-", "-")
    return name.strip("-")


def in_url(url: str, passage: str) -> bool:
    """Whether a link shows the passage, in its text or in slug form in its path."""
    if not url:
        return False
    decoded = unquote_plus(url)
    return bool(passage_spans(decoded, passage)) or in_identifier(decoded, passage)
