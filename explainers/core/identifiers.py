"""Slugs and question anchors: the one rule every stored copy must keep, and fresh names.

A slug or anchor outside the rule cannot be put into a URL (`reverse()` fails), so one
bad stored copy takes the index, search, sitemap, feeds and the admin down. Publish,
schedule, revert, restore and redaction check here; the database checks the same pattern
(migration 0011) where a row is written past them.

Pure: no ORM, no request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from explainers.core.documents import german_slugify, unique_slug
from explainers.core.translation import gettext as _

# Django's slug, as its <slug:> converter and SlugField accept it.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+\Z"
SLUG_MAX = 120
REDACTED_NAME = "geschwaerzt"
_SLUG_RE = re.compile(SLUG_PATTERN)


class InvalidIdentifier(ValueError):
    """A slug or anchor no URL can carry; the message is for the desk."""


def is_valid_slug(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= SLUG_MAX and bool(_SLUG_RE.match(value))


def is_valid_anchor(value: Any) -> bool:
    """Anchors may be empty (the question's key stands in for them)."""
    return value == "" or is_valid_slug(value)


def document_problems(document: Mapping[str, Any]) -> list[str]:
    """What is wrong with the slug and anchors of a document, in the desk's words."""
    problems = []
    if not is_valid_slug(document.get("slug", "")):
        problems.append(_("Der Kurzname ist ungültig."))
    for question in document.get("questions") or []:
        if not is_valid_anchor(question.get("anchor", "")):
            problems.append(
                _("Die Sprungmarke der Frage „%(q)s“ ist ungültig.")
                % {"q": question.get("question", "")[:80]}
            )
    return problems


def check_document(
    document: Mapping[str, Any], refused: type[Exception] = InvalidIdentifier
) -> None:
    """Raise `refused` (the caller's refusal) if the document's slug or an anchor is bad."""
    problems = document_problems(document)
    if problems:
        raise refused(
            " ".join(problems)
            + " "
            + _("Erlaubt sind nur Buchstaben a–z, Ziffern, Bindestriche und Unterstriche.")
        )


def fresh_name(
    base: str, taken: Iterable[str], fallback: str = REDACTED_NAME, max_length: int = SLUG_MAX
) -> str:
    """A valid slug, anchor or source key from `base` (slugified), not in `taken`."""
    name = german_slugify(base or "", max_length=max_length - 10) or fallback
    return unique_slug(name, taken, fallback=fallback)


def repaired_name(broken: str, taken: Iterable[str], marker: str) -> str:
    """A valid name for one an earlier redaction broke: the marker taken out, the rest
    slugified."""
    return fresh_name((broken or "").replace(marker, " "), taken)
