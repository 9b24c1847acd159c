"""The document: an explainer at a point in time, as plain JSON-serialisable data.

Everything flows through this one shape (docs/architecture.md): import, revisions, publications,
rendering and diffs. This module is pure: no ORM, no request.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import urlsplit

import nh3

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
# The characters of a key (source, question, slug in the text format): every pattern
# naming a key is built from this one.
KEY_PATTERN = "[a-z0-9-]+"
KEY_RE = re.compile(rf"^{KEY_PATTERN}\Z")
# A citation marker "[^key]"; the group is the key.
MARKER_RE = re.compile(rf"\[\^({KEY_PATTERN})\]")
# Anything written like a marker, well-formed or not ("[^]", "[^Tagesschau]"): the text
# format finds these to refuse the malformed ones with a message instead of showing them
# as text. Every MARKER_RE match is one of these.
MARKER_LIKE_RE = re.compile(r"\[\^([^\]\s]*)\]")
PARAGRAPH_SEPARATOR = "\n\n"

# The link policy: a source's link, and an absolute link in text, is http(s) with a host;
# a link in text may also be mailto: or an in-page anchor "#…". Nothing else, and nothing
# a browser cannot parse (the sanitiser would drop it and leave a dead link).
WEB_URL_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = WEB_URL_SCHEMES | {"mailto"}
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL_OR_SPACE_RE = re.compile(r"[\x00-\x20\x7f-\x9f]")

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


def citation_markers(text: str) -> list[str]:
    """Keys of the ``[^key]`` markers in `text`, unique, in order of first appearance."""
    return list(dict.fromkeys(MARKER_RE.findall(text or "")))


def is_safe_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host, no whitespace or control characters,
    that a browser can parse."""
    if not isinstance(url, str) or not url or _CONTROL_OR_SPACE_RE.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 host
        return False
    return (
        parts.scheme.lower() in WEB_URL_SCHEMES and bool(parts.hostname) and _sanitiser_keeps(url)
    )


def is_allowed_link(url: str) -> bool:
    """Whether a link in text may point at `url` (as markdown-it normalised it)."""
    if url.startswith("#"):
        return True
    match = _SCHEME_RE.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme == "mailto":
        return not _CONTROL_OR_SPACE_RE.search(url) and _sanitiser_keeps(url)
    return scheme in LINK_SCHEMES and is_safe_url(url)


def _sanitiser_keeps(url: str) -> bool:
    """Whether nh3, which every rendered link passes, keeps `url`: it parses URLs as
    browsers do (WHATWG), so "http://1.2.3.999/" or "http://a%5b.de/" are dropped there."""
    kept = nh3.clean(
        f'<a href="{escape(url)}"></a>',
        tags={"a"},
        attributes={"a": {"href"}},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
    )
    return "href=" in kept


def lf_line_endings(text: str) -> str:
    """`text` with every line break as LF: browsers post CRLF, old files may hold CR."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    """Strings with LF line endings (CRLF from browsers would read as a change)."""
    return lf_line_endings(value) if isinstance(value, str) else value


def canonical_json(value: Any) -> str:
    """JSON with sorted keys: PostgreSQL's jsonb reorders keys, so hashes use this."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(document: Mapping[str, Any], byline: str = "") -> str:
    """Hash of what a publication would show: the document plus the byline."""
    payload = {"document": normalize_document(document), "byline": byline}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


# How long texts may be: far beyond any real explainer, far below the upload limit
# (DATA_UPLOAD_MAX_MEMORY_SIZE, which counts a multipart body's values in UTF-8 bytes; the
# change form is sent that way once it is long: explainers/static/explainers/plain_post.js),
# so a pasted megabyte is refused with a clear message by the form or the importer instead
# of filling pages, feeds and the search index.
TEASER_MAX = 1_000
INTRO_MAX = 10_000
ANSWER_MAX = 20_000  # about 3,000 words
NOTE_MAX = 2_000  # notes for readers and internal notes
PASSAGE_MAX = 5_000  # a passage to redact

# Matching work one diff may do (see explainers.core.diffing.DiffBudget), shared by all texts of
# the two documents: about half a second at most. Rewriting all 50 answers of 400 words of
# an explainer costs about 2.3 million; past the budget a text is compared by lines, then
# replaced as a whole.
DIFF_WORK_BUDGET = 5_000_000

# What one explainer's answers may become on a page. Every citation marker ("[^dlf]", five
# characters or so) turns into a linked footnote of about a hundred bytes, so a form of
# markers grew twenty times. Checked when the desk saves, imports or publishes; stored
# publications above it still render.
MAX_CITATION_MARKERS = 3_000  # in all answers together; a real explainer has a few hundred
MAX_RENDERED_BYTES = 2_000_000  # all answers rendered as HTML, in UTF-8 bytes
