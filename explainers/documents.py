"""The document: an explainer at a point in time, as plain JSON-serialisable data.

Everything flows through this one shape (DESIGN.md): import, revisions, publications,
rendering and diffs. This module is pure: no ORM, no request.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

DOCUMENT_KEYS = (
    "headline",
    "slug",
    "kicker",
    "teaser",
    "intro",
    "language",
    "image",
    "questions",
    "sources",
    "related",
)
QUESTION_KEYS = ("key", "anchor", "question", "answer", "cites")
SOURCE_KEYS = ("key", "label", "publisher", "url", "date", "kind")
IMAGE_KEYS = ("src", "alt", "caption", "credit")
# The stored file's pixel size: derived from `src` (files are never overwritten), so kept
# only where asked (built and stored documents) and left out of hashes and diffs.
IMAGE_SIZE_KEYS = ("width", "height")
SOURCE_KINDS = (
    "article",
    "interview",
    "press_conference",
    "print",
    "broadcast",
    "document",
    "other",
)
KEY_RE = re.compile(r"^[a-z0-9-]+\Z")
PARAGRAPH_SEPARATOR = "\n\n"

_GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue", "ß": "ss", "ẞ": "ss"}
)


def german_slugify(text: str, max_length: int = 80) -> str:
    """Slug with the German transliteration (ä→ae, ö→oe, ü→ue, ß→ss); '' if nothing is left."""
    text = text.translate(_GERMAN_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > max_length:
        text = text[:max_length].rsplit("-", 1)[0] or text[:max_length]
    return text.strip("-")


def unique_slug(base: str, taken: Iterable[str], fallback: str = "frage") -> str:
    """`base`, or `base-2`, `base-3`, … whichever is not in `taken`."""
    base = base or fallback
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def question_key(question: str, taken: Iterable[str] = ()) -> str:
    """A stable key for a new question, derived from its text so that parsing stays pure.

    Once given, a key never changes, whatever happens to the wording.
    """
    taken = set(taken)
    seed = " ".join(question.split()).lower()
    salt = 0
    while True:
        digest = hashlib.sha1(f"{seed}\x00{salt}".encode(), usedforsecurity=False).hexdigest()[:6]
        key = f"q-{digest}"
        if key not in taken:
            return key
        salt += 1


def source_key(name: str, taken: Iterable[str] = (), *, domain: str = "") -> str:
    """A short readable key for a source, for markers like ``[^tagesschau]``.

    With a web domain the key is its second-level label (``edition.cnn.com`` → ``cnn``),
    otherwise the slug of the name (``Berlin.Table`` → ``berlin-table``).
    """
    labels = [part for part in domain.lower().split(".") if part]
    base = labels[-2] if len(labels) >= 2 else german_slugify(name, max_length=32)
    return unique_slug(base or "quelle", taken, fallback="quelle")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a teaser, intro or answer (separated by blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    return PARAGRAPH_SEPARATOR.join(p.strip() for p in paragraphs if p and p.strip())


def empty_document() -> dict[str, Any]:
    return {
        "headline": "",
        "slug": "",
        "kicker": "",
        "teaser": "",
        "intro": "",
        "language": "de",
        "image": None,
        "questions": [],
        "sources": [],
        "related": [],
    }


def normalize_document(data: Mapping[str, Any], *, image_size: bool = False) -> dict[str, Any]:
    """The document with exactly the contract's keys, missing ones filled with defaults.

    Documents stored long ago (publications, revisions) pass through here, so a key
    added or dropped by a later release does not break old versions. `image_size` keeps
    the image's `width` and `height` where they are positive whole numbers.
    """
    doc = empty_document()
    for key in DOCUMENT_KEYS:
        if key in data and data[key] is not None:
            doc[key] = _lf(data[key])
    image = data.get("image")
    doc["image"] = (
        {k: str(image.get(k) or "") for k in IMAGE_KEYS} if image and image.get("src") else None
    )
    if doc["image"] and image_size:
        sizes = {k: image.get(k) for k in IMAGE_SIZE_KEYS}
        if all(type(v) is int and v > 0 for v in sizes.values()):
            doc["image"].update(sizes)
    doc["questions"] = [
        {
            "key": q.get("key", ""),
            "anchor": q.get("anchor", ""),
            "question": _lf(q.get("question", "")),
            "answer": _lf(q.get("answer", "")),
            "cites": list(q.get("cites") or []),
        }
        for q in data.get("questions") or []
    ]
    doc["sources"] = [
        {
            "key": s.get("key", ""),
            "label": s.get("label", ""),
            "publisher": s.get("publisher") or "",
            "url": s.get("url") or None,
            "date": s.get("date") or None,
            "kind": s.get("kind") if s.get("kind") in SOURCE_KINDS else "other",
        }
        for s in data.get("sources") or []
    ]
    doc["related"] = list(data.get("related") or [])
    return doc


def _lf(value: Any) -> Any:
    """Text with LF line endings (CRLF from browsers would read as a change)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def canonical_json(value: Any) -> str:
    """JSON with sorted keys: PostgreSQL's jsonb reorders keys, so hashes use this."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(document: Mapping[str, Any], byline: str = "") -> str:
    """Hash of what a publication would show: the document plus the byline."""
    payload = {"document": normalize_document(document), "byline": byline}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()
