"""Helpers of the stateful desk test (tests/test_stateful_desk.py): browser-like forms,
generated text with unique tokens, the working-copy snapshot, and the scans for
redacted passages, slugs and anchors.

Kept apart from the state machine so the machine reads as rules and invariants.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from explainers.models import Explainer, Question, RelatedLink, Source
from tests.browser_form import form_fields

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")

# --- tokens ----------------------------------------------------------------------------------

_MIDDLE = "abcdefghijklmnoprstuvw"  # no q, x, y, z: "qz…x" is never inside another token


def token(n: int) -> str:
    """A unique lowercase word: no token is a substring of another ("qz" + digits + "x")."""
    digits = ""
    n += 1
    while n:
        n, rest = divmod(n, len(_MIDDLE))
        digits += _MIDDLE[rest]
    return f"qz{digits}x"


def norm(text: str) -> str:
    """Text as a reader reads it, and every passage as the desk copies it: character
    references decoded, anything not a letter or digit (markup, line breaks, hyphens of
    slugs) folded to one space, lower case, padded with spaces for whole-word search."""
    text = html_lib.unescape(html_lib.unescape(text or ""))
    return " " + " ".join(re.sub(r"[^0-9a-zäöüß]+", " ", text.lower()).split()) + " "


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]*>", " ", html)


def contains(text: str, phrase: str) -> bool:
    """Is the phrase (words) in `text`, however markup, line breaks, emphasis or
    character references split it?"""
    needle = norm(phrase)
    return needle in norm(text) or needle in norm(strip_tags(text))


def strings_in(value: Any):
    """Every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


# --- browser-like forms ----------------------------------------------------------------------


@dataclass
class HeldForm:
    """A change form as a browser holds it: the fields it would post, the snapshot of
    the working copy when it was loaded, and what the editor typed into it since."""

    role: str
    pk: int
    data: dict[str, Any]
    loaded: dict
    typed_main: dict[str, str] = field(default_factory=dict)
    typed_rows: dict[tuple[str, int, str], str] = field(default_factory=dict)  # (prefix, pk, f)
    new_rows: list[tuple[str, int]] = field(default_factory=list)  # (prefix, form index)
    deleted: set[tuple[str, int]] = field(default_factory=set)
    reordered: set[str] = field(default_factory=set)
    related_touched: bool = False
    tokens: list[str] = field(default_factory=list)

    def touched(self) -> bool:
        return bool(
            self.typed_main
            or self.typed_rows
            or self.new_rows
            or self.deleted
            or self.reordered
            or self.related_touched
        )

    def rows(self, prefix: str) -> list[int]:
        """Form indexes of the rows of an inline, in form order (template rows left out)."""
        total = int(self.data.get(f"{prefix}-TOTAL_FORMS", 0))
        return list(range(total))

    def row_pk(self, prefix: str, index: int) -> int | None:
        value = self.data.get(f"{prefix}-{index}-id") or ""
        return int(value) if value.isdigit() else None


def browser_form(page: str) -> dict[str, Any]:
    """What a browser posts for the explainer form of the change page, with the save button."""
    return {**form_fields(page), "_save": "Sichern"}


def textarea(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\n", "\r\n")


# --- the working copy, as the model compares it ---------------------------------------------

MAIN_FIELDS = ("headline", "slug", "kicker", "teaser", "intro", "language", "byline")
QUESTION_FIELDS = ("question", "anchor", "answer", "extra_cites", "valid_until_note")
SOURCE_FIELDS = ("key", "label", "publisher", "url", "kind")
TEXTAREAS = {"teaser", "intro", "answer"}


def snapshot(pk: int) -> dict:
    explainer = Explainer.objects.get(pk=pk)
    return {
        "main": {name: getattr(explainer, name) for name in MAIN_FIELDS},
        "ready_for_review": explainer.ready_for_review,
        "questions": {
            q["id"]: q
            for q in Question.objects.filter(explainer_id=pk).values("id", *QUESTION_FIELDS)
        },
        "question_order": list(
            Question.objects.filter(explainer_id=pk).values_list("id", flat=True)
        ),
        "sources": {
            s["id"]: s for s in Source.objects.filter(explainer_id=pk).values("id", *SOURCE_FIELDS)
        },
        "source_order": list(Source.objects.filter(explainer_id=pk).values_list("id", flat=True)),
        "related": list(
            RelatedLink.objects.filter(explainer_id=pk).values_list("target_id", flat=True)
        ),
    }


def same(typed: str, stored: str) -> bool:
    """A typed value as the form stores it: CRLF becomes LF, and surrounding white space
    goes (Django's CharField strips)."""
    return (typed or "").replace("\r\n", "\n").strip() == (stored or "").strip()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
