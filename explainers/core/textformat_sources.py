"""The source list of text format v1: reading, writing and naming sources.

One source per line: ``- [key] publisher: label <https://url> vom 17. August 2025 {kind}``,
every part but the label optional. Used by ``explainers.textformat``; pure, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from explainers.core.documents import KEY_PATTERN, SOURCE_KINDS, is_safe_url, source_key


class TextFormatError(ValueError):
    """Input the text format cannot accept; ``str(err)`` is a German message for the editor."""


SOURCES_HEADING = "Verwendete Quellen"

_HEADINGS = frozenset({"verwendete quellen", "quellen", "sources"})
_MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
_MONTH_NUMBERS = {name.casefold(): n for n, name in enumerate(_MONTHS, start=1)} | {"maerz": 3}
_BULLET_RE = re.compile(r"[-–•*](?:\s+|$)")
_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}", re.IGNORECASE)
# " - tagesschau.de: " inside a wrapped line ends one source and starts the next.
_NEXT_SOURCE_RE = re.compile(
    r"\s+[-–]\s+(?=(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}:\s)", re.IGNORECASE
)
_KIND_RE = re.compile(r"\s*\{\s*([A-Za-z_]*)\s*\}$")
_KEY_RE = re.compile(rf"\[({KEY_PATTERN})\](?:\s+|$)")
_ANGLE_RE = re.compile(r"<([^<>\s]*)>")
_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_DATE_RE = re.compile(
    r"(?:^|\s+)(?:vom\s+)?(\d{1,2})\.\s*(?:(\d{1,2})\.\s*|([^\W\d_]+)\s+)(\d{4})$", re.IGNORECASE
)
_VOM_RE = re.compile(r"^vom\s+", re.IGNORECASE)
_PUBLISHER_RE = re.compile(r"(.*?):(?:\s+|$)")
_SECOND_LEVEL = frozenset({"ac", "co", "com", "gov", "net", "or", "org"})
_MIN_NAME_LENGTH = 3
_MAX_OUTLET_WORDS = 4
MAX_SOURCES = 300


@dataclass
class _Draft:
    key: str | None
    label: str
    publisher: str
    url: str | None
    date: str | None
    kind: str | None


def is_sources_heading(line: str) -> bool:
    return " ".join(line.rstrip(":").split()).casefold() in _HEADINGS


def is_domain(text: str) -> bool:
    return bool(_DOMAIN_RE.fullmatch(text))


def german_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


# --- reading -------------------------------------------------------------------------------


def build_sources(lines: list[str]) -> list[dict]:
    """Source dicts (document shape) from the lines after the sources heading."""
    entries = _entries(lines)
    if len(entries) > MAX_SOURCES:
        raise TextFormatError(f"Die Quellenliste hat mehr als {MAX_SOURCES} Einträge.")
    drafts = [_parse_entry(entry) for entry in entries]
    taken: set[str] = set()
    for key in (draft.key for draft in drafts if draft.key):
        if key in taken:
            raise TextFormatError(f"Der Quellen-Schlüssel „{key}“ kommt mehrfach vor.")
        taken.add(key)
    sources = []
    for draft in drafts:
        domain = draft.publisher if is_domain(draft.publisher) else ""
        key = draft.key or source_key(draft.label, taken, domain=domain)
        taken.add(key)
        kind = draft.kind or _infer_kind(draft)
        sources.append(
            {"key": key, "label": draft.label, "publisher": draft.publisher, "url": draft.url,
             "date": draft.date, "kind": kind}
        )  # fmt: skip
    return sources


def _entries(lines: list[str]) -> list[str]:
    """One text per source: bullet lines start one, other lines continue the previous one."""
    entries: list[list[str]] = []  # each entry as its line parts, joined at the end
    for raw in lines:
        line = raw.strip()
        bullet = _BULLET_RE.match(line)
        if bullet:
            entries.append([line[bullet.end() :]])
        elif line:
            first, *following = _NEXT_SOURCE_RE.split(line.removeprefix("\\").strip())
            if entries:
                entries[-1].append(first)
            else:
                entries.append([first])
            entries += [[part] for part in following]
    joined = (" ".join(part.strip() for part in parts if part.strip()) for parts in entries)
    return [entry for entry in joined if entry]


def _parse_entry(entry: str) -> _Draft:
    text, kind = _take_kind(entry.strip())
    text, url = _take_url(text, entry)
    text, day = _take_date(text, entry)
    key_match = _KEY_RE.match(text)
    key = key_match.group(1) if key_match else None
    text = text[key_match.end() :] if key_match else text
    publisher, label = "", text.strip()
    match = _PUBLISHER_RE.match(label)
    # Only a domain counts as publisher in a pasted line; the export's lines carry [key].
    if match and (key is not None or is_domain(match.group(1))):
        publisher, label = match.group(1).strip(), label[match.end() :].strip()
    return _Draft(key, label, publisher, url, day, kind)


def _take_kind(text: str) -> tuple[str, str | None]:
    match = _KIND_RE.search(text)
    if not match:
        return text, None
    kind = match.group(1).lower()
    if kind not in SOURCE_KINDS:
        raise TextFormatError(
            f"Unbekannte Quellenart „{{{match.group(1)}}}“ in der Quelle „{text}“; möglich sind: "
            + ", ".join(SOURCE_KINDS)
            + "."
        )
    return text[: match.start()], kind


def _take_url(text: str, entry: str) -> tuple[str, str | None]:
    url = None
    for match in reversed(list(_ANGLE_RE.finditer(text))):
        target = match.group(1)
        if not _SCHEME_RE.match(target):
            continue  # "<b>" or "<www.x.de>" stays text: no URL is ever invented
        if not is_safe_url(target):
            raise TextFormatError(
                f"Der Link „{target}“ in der Quelle „{entry}“ ist nicht erlaubt: nur http- und "
                "https-Adressen sind möglich."
            )
        if url:
            raise TextFormatError(f"Die Quelle „{entry}“ hat mehr als einen Link.")
        url = target
        text = f"{text[: match.start()].rstrip()} {text[match.end() :].lstrip()}".strip()
    return text, url


def _take_date(text: str, entry: str) -> tuple[str, str | None]:
    match = _DATE_RE.search(text.rstrip())
    if not match:
        return text, None
    day, month_number, month_name, year = match.groups()
    month = int(month_number) if month_number else _MONTH_NUMBERS.get(month_name.casefold())
    if month is None:
        return text, None  # "3. Quartal 2025" is part of the title
    try:
        return text[: match.start()], date(int(year), month, int(day)).isoformat()
    except ValueError as err:
        written = _VOM_RE.sub("", match.group(0).strip())
        raise TextFormatError(
            f"Ungültiges Datum „{written}“ in der Quelle „{entry}“: diesen Tag gibt es nicht."
        ) from err


def _infer_kind(draft: _Draft) -> str:
    label = draft.label.casefold()
    if "pressekonferenz" in label or "press conference" in label:
        return "press_conference"
    if "interview" in label:
        return "interview"
    outlet_name = 0 < len(draft.label.split()) <= _MAX_OUTLET_WORDS
    if draft.date and outlet_name and not draft.publisher and not draft.url:
        return "print"
    return "article"


# --- naming --------------------------------------------------------------------------------


def source_names(source: dict) -> list[str]:
    """Words by which an answer refers to a source (see ``names_source``)."""
    names = []
    publisher, label = source["publisher"], source["label"]
    if is_domain(publisher):
        labels = publisher.lower().split(".")
        second = labels[-2]
        names.append(labels[-3] if second in _SECOND_LEVEL and len(labels) >= 3 else second)
    elif len(publisher.split()) == 1:
        names.append(publisher)  # "ZDF" (several words like "Der Spiegel" would be too vague)
    elif not publisher and len(label.split()) == 1:
        # An outlet or event name such as "Berlin.Table" or "Regierungs-Pressekonferenz".
        names += [label, *label.split("."), label.rsplit("-", 1)[-1]]
    return [name for name in names if len(name) >= _MIN_NAME_LENGTH]


def names_source(text: str, source: dict) -> bool:
    """Does the text name the source, as a whole word or the end of a compound word?"""
    return any(
        re.search(re.escape(name) + r"(?!\w)", text, re.IGNORECASE) for name in source_names(source)
    )


# --- writing -------------------------------------------------------------------------------


def source_line(source: dict) -> str:
    """The source as one line of text format v1 (always with [key] and {kind})."""
    parts = [f"[{source['key']}]"]
    label, publisher = source["label"], source["publisher"]
    if publisher:
        parts.append(f"{publisher}: {label}".rstrip())
    elif _PUBLISHER_RE.match(label):
        parts.append(f": {label}")  # a colon in the label must not read as a publisher
    elif label:
        parts.append(label)
    if source["url"]:
        parts.append(f"<{source['url']}>")
    if source["date"]:
        parts.append(f"vom {german_date(source['date'])}")
    parts.append(f"{{{source['kind']}}}")
    return "- " + " ".join(parts)
