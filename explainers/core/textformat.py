"""Plain-text import and export of explainers: text format v1.

A file is optional header lines (``Titel:``, ``Dachzeile:``, ``Sprache:``, ``Slug:``,
``Verwandt:``, ``Bild:``, ``Bild-Alt:``, ``Bildunterschrift:``, ``Bildrechte:``), then the
body: every non-empty line is a paragraph (consecutive ``- ``/``N. `` lines form one list
paragraph, consecutive ``> `` lines one quote paragraph; a line starting with ``• `` or ``– ``,
as pasted from agency copy, is read as a ``- `` list line). The first paragraph is the teaser,
the paragraphs up to the first question line are the intro, and each question line starts a
question whose answer runs to the next question line. A sources heading ("Verwendete Quellen")
starts the source list, which runs to the end of the file. A leading backslash makes a line
plain text (and starts a new paragraph). Lines of page furniture are dropped.

Question line:  ``Was sind Sicherheitsgarantien? {#q-7f3a cites=dlf,cnn}`` (suffix optional)
Source line:    ``- [key] publisher: label <https://url> vom 17. August 2025 {kind}``

``parse_text(export_text(doc)).document == doc`` for every valid normalised document except
for values the format cannot carry: a question starting with a backslash, a paragraph with a
line break that is not between list or quote lines, a line inside a paragraph starting with
``• `` or ``– `` (it becomes a ``- `` list line), a teaser of several paragraphs, a source
label ending in a German date or containing ``<scheme:…>``, and a publisher containing ": ".

This module is pure and import-light: no Django, no database, no request.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from explainers.core.documents import (
    KEY_RE,
    MARKER_LIKE_RE,
    MARKER_RE,
    MAX_CITATION_MARKERS,
    german_slugify,
    join_paragraphs,
    lf_line_endings,
    normalize_document,
    question_key,
    split_paragraphs,
    unique_slug,
)
from explainers.core.textformat_sources import (
    SOURCES_HEADING,
    TextFormatError,
    build_sources,
    german_date,
    is_sources_heading,
    names_source,
    source_line,
)

__all__ = [
    "MAX_IMPORT_BYTES",
    "ParsedExplainer",
    "TextFormatError",
    "decode_import_bytes",
    "export_markdown",
    "export_text",
    "filename_headline_warning",
    "parse_text",
    "unsafe_link_targets",
]

MAX_IMPORT_BYTES = 1_000_000
MAX_QUESTIONS = 300  # far more than any explainer; keeps key and anchor search cheap

# Header name (lower case) -> what it sets: a document field, or an image field.
_HEADERS = {
    "titel": "headline", "dachzeile": "kicker", "sprache": "language", "slug": "slug",
    "verwandt": "related", "bild": "src", "bild-alt": "alt", "bildunterschrift": "caption",
    "bildrechte": "credit",
}  # fmt: skip
_HEADER_RE = re.compile(
    r"(Titel|Dachzeile|Sprache|Slug|Verwandt|Bild-Alt|Bildunterschrift|Bildrechte|Bild)\s*:\s*(.*)",
    re.IGNORECASE,
)
_DRIVE_OR_ADDRESS_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # C:\\…, file:, https:
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_QUESTION_SUFFIX_RE = re.compile(r"\s*\{#([^\s{}]*)(?:\s+cites=([^{}]*))?\s*\}$")
_LIST_LINE_RE = re.compile(r"(?:-|\d{1,3}\.)\s")
_DASH_ITEM_RE = re.compile(r"[•–]\s+")  # a bullet or en dash starting a line: a list item
_SENTENCE_END_RE = re.compile(r"(\S*)([.!?])\s")
_ABBREVIATIONS = frozenset(
    {"abs", "art", "bzw", "ca", "dr", "evtl", "ggf", "inkl", "mio", "mrd", "nr", "prof", "sog",
     "st", "usw", "vgl"}
)  # fmt: skip
_FURNITURE = frozenset(
    line.casefold()
    for line in (
        "Empfehlungen der Redaktion", "Mehr zum Thema", "Lesen Sie auch", "Lesen Sie mehr",
        "Das könnte Sie auch interessieren", "Das könnte Sie interessieren", "Auch interessant",
        "Related", "Read more", "Advertisement", "Anzeige", "Werbung", "Weiterlesen",
        "Mehr lesen", "Zur Startseite", "Newsletter", "Artikel teilen", "Teilen",
    )
)  # fmt: skip
# Browsers drop control characters (tab, newline, …) inside a URL scheme: "java\tscript:".
_GAP = "[\x00-\x1f\x7f]*"
_UNSAFE_LINK_RE = re.compile(
    r"(?<![a-z0-9+.\-])(?:"
    + _GAP.join("javascript")
    + "|"
    + _GAP.join("vbscript")
    + "|"
    + _GAP.join("data")
    + f"(?={_GAP}:{_GAP}(?:[a-z][a-z0-9.+-]*/|[,;]))"  # data: only with a MIME type
    + f"){_GAP}:[^\\s<>\"'\\]]*",
    re.IGNORECASE,
)
_BINARY_BYTES_RE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1_CONTROLS_RE = re.compile("[\x80-\x9f]")
_MAX_QUESTION_LENGTH = 200
_CUT_OFF_MIN_LENGTH = 80


@dataclass
class ParsedExplainer:
    document: dict
    dropped_furniture: list[str] = field(default_factory=list)
    linked_citations: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    image_line: int | None = None  # the line number of "Bild:", for the importer's errors
    language_given: bool = False  # a "Sprache:" line (else the importer detects it)
    headline_from_filename: bool = False  # no title and no "Titel:": read from the file name
    explicit_keys: frozenset[str] = frozenset()  # question keys written in the file ({#…})


@dataclass
class _RawQuestion:
    text: str
    key: str | None  # explicit key from the {#…} suffix
    cites: list[str] | None  # explicit cites; None when the line had no suffix
    answer: list = field(default_factory=list)  # paragraphs (lists of lines while reading)


# --- decoding ------------------------------------------------------------------------------


def decode_import_bytes(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 without BOM, LF line ends, NFC."""
    if not data:
        raise TextFormatError("Die Datei ist leer.")
    if len(data) > MAX_IMPORT_BYTES:
        size = f"{len(data):,}".replace(",", ".")
        raise TextFormatError(f"Die Datei ist zu groß ({size} Bytes); erlaubt ist höchstens 1 MB.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextFormatError("Die Datei ist UTF-16-kodiert. Bitte als UTF-8 speichern.")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if _BINARY_BYTES_RE.search(data):
        raise TextFormatError(
            "Die Datei ist keine Textdatei (sie enthält Binärdaten). "
            "Bitte eine reine Textdatei (.txt, UTF-8) hochladen."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TextFormatError(
            "Die Datei ist nicht UTF-8-kodiert (vielleicht Latin-1 oder Windows-1252). "
            "Bitte als UTF-8 speichern und erneut hochladen."
        ) from err
    if _C1_CONTROLS_RE.search(text):
        raise TextFormatError("Die Datei enthält Steuerzeichen und ist keine reine Textdatei.")
    text = unicodedata.normalize("NFC", _normalize_newlines(text))
    if not text.strip():
        raise TextFormatError("Die Datei enthält keinen Text.")
    return text


def _normalize_newlines(text: str) -> str:
    return lf_line_endings(text.removeprefix("\ufeff"))


def unsafe_link_targets(text: str) -> list[str]:
    """javascript:, vbscript: and data: link targets anywhere in the text, entities decoded."""
    decoded = text
    for _ in range(3):  # "&amp;#106;" needs two rounds
        decoded = html.unescape(decoded)
    targets = []
    for match in _UNSAFE_LINK_RE.finditer(decoded):
        target = match.group(0)
        while target.endswith(")") and target.count(")") > target.count("("):
            target = target[:-1]
        if target not in targets:
            targets.append(target)
    return targets


# --- line classification -------------------------------------------------------------------


def _is_furniture(line: str) -> bool:
    return " ".join(line.rstrip(":").split()).casefold() in _FURNITURE


def _group_of(line: str) -> str | None:
    """'list' or 'quote' for lines that join their neighbours into one paragraph."""
    if _LIST_LINE_RE.match(line) or _DASH_ITEM_RE.match(line):
        return "list"
    if line.startswith("> "):
        return "quote"
    return None


def _is_abbreviation(word: str) -> bool:
    word = word.lstrip("(\"'„“‚")
    return word.isdigit() or len(word) <= 1 or "." in word or word.casefold() in _ABBREVIATIONS


def _has_sentence_break(text: str) -> bool:
    return any(
        mark != "." or not _is_abbreviation(word) for word, mark in _SENTENCE_END_RE.findall(text)
    )


def _is_question_shape(line: str) -> bool:
    """A lone one-sentence question such as 'Was sind Sicherheitsgarantien?'."""
    return (
        line.endswith("?")
        and len(line) <= _MAX_QUESTION_LENGTH
        and (line[0].isupper() or line[0].isdigit())
        and _group_of(line) is None
        and not _has_sentence_break(line[:-1])
    )


def _needs_escape(line: str) -> bool:
    """Would this paragraph line read as something other than text without a backslash?"""
    return (
        not line
        or line.startswith("\\")
        or _DASH_ITEM_RE.match(line) is not None
        or is_sources_heading(line)
        or _is_furniture(line)
        or _HEADER_RE.fullmatch(line) is not None
        or _QUESTION_SUFFIX_RE.search(line) is not None
        or _is_question_shape(line)
    )


def _question_line(line: str, *, shape_allowed: bool) -> _RawQuestion | None:
    match = _QUESTION_SUFFIX_RE.search(line)
    if match:
        text = line[: match.start()].strip()
        if not text:
            raise TextFormatError(f"Vor „{match.group(0).strip()}“ fehlt der Text der Frage.")
        key = match.group(1)
        cites = [cite.strip() for cite in (match.group(2) or "").split(",") if cite.strip()]
        for value in (key, *cites):
            if not KEY_RE.fullmatch(value):
                raise TextFormatError(
                    f"Ungültiger Schlüssel „{value}“ bei der Frage „{text}“: erlaubt sind nur "
                    "Kleinbuchstaben, Ziffern und Bindestriche."
                )
        return _RawQuestion(text, key, cites)
    if shape_allowed and _is_question_shape(line):
        return _RawQuestion(line, None, None)
    return None


# --- parsing -------------------------------------------------------------------------------


def parse_text(
    text: str, *, title: str | None = None, slug: str | None = None, filename: str | None = None
) -> ParsedExplainer:
    text = _checked_text(text)
    lines = text.split("\n")
    headers, body = _read_headers(lines)
    image_line = _image_line(lines, headers.get("src", ""))
    pre, raw_questions, furniture, source_lines = _read_body(body)
    sources = build_sources(source_lines)
    if not raw_questions:
        raise TextFormatError(
            "Keine Frage gefunden. Eine Frage steht allein in einer Zeile und endet mit „?“."
        )
    warnings: list[str] = []
    headline, from_filename = _headline(title, headers, filename, warnings)
    source_keys = [source["key"] for source in sources]
    teaser = pre[0] if pre else ""
    intro = join_paragraphs(pre[1:])
    _check_markers(f"{teaser}\n\n{intro}", "im Vorspann", source_keys)
    questions, linked = _build_questions(raw_questions, sources, warnings)
    _check_marker_count(questions)
    document = {
        "headline": headline,
        "slug": _document_slug(slug, headers, headline),
        "kicker": headers.get("kicker", ""),
        "teaser": teaser,
        "intro": intro,
        "language": _language(headers),
        "image": _image(headers, warnings),
        "questions": questions,
        "sources": sources,
        "related": _related(headers),
    }
    warnings += _cut_off_warnings([teaser, *pre[1:], *(p for q in raw_questions for p in q.answer)])
    return ParsedExplainer(
        normalize_document(document),
        furniture,
        linked,
        warnings,
        image_line,
        language_given=bool(headers.get("language")),
        headline_from_filename=from_filename,
        explicit_keys=frozenset(q.key for q in raw_questions if q.key),
    )


def _checked_text(text: str) -> str:
    text = _normalize_newlines(text or "")
    if not text.strip():
        raise TextFormatError("Der Text ist leer.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
        raise TextFormatError("Der Text ist zu lang; erlaubt ist höchstens 1 MB.")
    unsafe = unsafe_link_targets(text)
    if unsafe:
        raise TextFormatError(
            f"Der Text enthält einen unsicheren Link „{unsafe[0]}“. Erlaubt sind nur "
            "http- und https-Links."
        )
    return text


def _read_headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The header lines at the top (blank lines between them allowed), and the lines after."""
    headers: dict[str, str] = {}
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        match = _HEADER_RE.fullmatch(line)
        if not match or _QUESTION_SUFFIX_RE.search(line):  # "Titel: Frage? {#q-1}" is a question
            return headers, lines[index:]
        name = _HEADERS[match.group(1).casefold()]
        if name in headers:
            raise TextFormatError(f"Die Kopfzeile „{match.group(1)}:“ steht doppelt im Text.")
        headers[name] = match.group(2).strip()
    return headers, []


def _read_body(lines: list[str]) -> tuple[list[str], list[_RawQuestion], list[str], list[str]]:
    """Intro paragraphs (teaser first), questions, dropped furniture, and the source lines."""
    pre: list[list[str]] = []  # paragraphs as lists of lines, joined at the end
    questions: list[_RawQuestion] = []
    furniture: list[str] = []
    source_lines: list[str] = []
    group = None
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        paragraphs = questions[-1].answer if questions else pre
        question = None
        if line.startswith("\\"):
            line = line[1:].strip()
            paragraphs.append([line])
        elif is_sources_heading(line):
            source_lines = _without_furniture(lines[index + 1 :], furniture)
            break
        elif _is_furniture(line):
            furniture.append(line)
            continue
        elif question := _question_line(line, shape_allowed=bool(pre or questions)):
            questions.append(question)
        elif _group_of(line) and _group_of(line) == group:
            paragraphs[-1].append(_as_list_line(line))
        else:
            paragraphs.append([_as_list_line(line)])
        group = None if question else _group_of(line)
    if len(questions) > MAX_QUESTIONS:
        raise TextFormatError(f"Der Text hat mehr als {MAX_QUESTIONS} Fragen.")
    for question in questions:
        question.answer = ["\n".join(paragraph) for paragraph in question.answer]
    return ["\n".join(paragraph) for paragraph in pre], questions, furniture, source_lines


def _as_list_line(line: str) -> str:
    """A line "• Punkt" or "– Punkt" as the list line "- Punkt" the answers' Markdown knows."""
    match = _DASH_ITEM_RE.match(line)
    return f"- {line[match.end() :]}" if match else line


def _without_furniture(lines: list[str], furniture: list[str]) -> list[str]:
    kept = []
    for line in lines:
        if _is_furniture(line.strip()):
            furniture.append(line.strip())
        else:
            kept.append(line)
    return kept


def _build_questions(
    raw_questions: list[_RawQuestion], sources: list[dict], warnings: list[str]
) -> tuple[list[dict], list[tuple[str, str]]]:
    _check_unique([q.key for q in raw_questions if q.key], "Fragen-Schlüssel")
    taken = {q.key for q in raw_questions if q.key}
    source_keys = [source["key"] for source in sources]
    anchors: list[str] = []
    questions, linked = [], []
    for raw in raw_questions:
        key = raw.key or question_key(raw.text, taken)
        taken.add(key)
        anchors.append(unique_slug(german_slugify(raw.text), anchors))
        answer = join_paragraphs(raw.answer)
        if not answer:
            warnings.append(f"Die Frage „{raw.text}“ hat keine Antwort.")
        cited = set(_check_markers(answer, f"in der Antwort auf „{raw.text}“", source_keys))
        if raw.cites is not None:
            _check_known(raw.cites, raw.text, source_keys)
            cited.update(raw.cites)
        else:
            for source in sources:
                if source["key"] not in cited and names_source(answer, source):
                    cited.add(source["key"])
                    linked.append((key, source["key"]))
        cites = [k for k in source_keys if k in cited]
        questions.append(
            {"key": key, "anchor": anchors[-1], "question": raw.text, "answer": answer,
             "cites": cites}
        )  # fmt: skip
    return questions, linked


def _check_markers(text: str, where: str, source_keys: list[str]) -> list[str]:
    """The marker keys in `text`; a malformed marker ("[^Quelle]") or one naming no
    source is refused, where the page would show it as text."""
    keys = MARKER_LIKE_RE.findall(text)
    for key in keys:
        if key not in source_keys:
            raise TextFormatError(
                f"Der Quellenverweis „[^{key}]“ {where} nennt keine Quelle aus der Quellenliste."
            )
    return keys


def _check_marker_count(questions: list[dict]) -> None:
    """Each marker becomes a linked footnote on the page: their number bounds its size."""
    count = sum(len(MARKER_RE.findall(question["answer"])) for question in questions)
    if count > MAX_CITATION_MARKERS:
        raise TextFormatError(
            f"Zu viele Quellenverweise: Die Antworten enthalten {_grouped(count)} Verweise wie "
            f"„[^quelle]“, erlaubt sind höchstens {_grouped(MAX_CITATION_MARKERS)} je "
            f"Erklärstück ({_grouped(count - MAX_CITATION_MARKERS)} zu viel). Jeder Verweis "
            "wird auf der Seite zu einer verlinkten Fußnote; bitte Verweise zusammenfassen."
        )


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _check_known(cites: list[str], question: str, source_keys: list[str]) -> None:
    for key in cites:
        if key not in source_keys:
            raise TextFormatError(
                f"Die Frage „{question}“ zitiert „{key}“, diese Quelle steht nicht in der "
                "Quellenliste."
            )


def _check_unique(keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise TextFormatError(f"Der {what} „{key}“ kommt mehrfach vor.")
        seen.add(key)


def _headline(
    title: str | None, headers: dict[str, str], filename: str | None, warnings: list[str]
) -> tuple[str, bool]:
    """The headline, and whether it was made from the file name."""
    for candidate in (title, headers.get("headline")):
        if candidate and candidate.strip():
            return " ".join(candidate.split()), False
    name = _humanize_filename(filename or "")
    if not name:
        raise TextFormatError(
            "Keine Überschrift gefunden. Bitte einen Titel angeben oder den Text mit einer "
            "Zeile „Titel: …“ beginnen."
        )
    warnings.append(filename_headline_warning(name))
    return name, True


def filename_headline_warning(name: str) -> str:
    taken = f"„{name}“ wurde aus dem Dateinamen übernommen"
    return f"Keine Überschrift angegeben: {taken}. Bitte prüfen."


def _humanize_filename(filename: str) -> str:
    stem = PurePath(filename.replace("\\", "/")).stem
    words = " ".join(re.sub(r"[_\-]+", " ", stem).split())
    return words[:1].upper() + words[1:]


def _document_slug(slug: str | None, headers: dict[str, str], headline: str) -> str:
    explicit = slug if slug not in (None, "") else headers.get("slug")
    if explicit:
        if not KEY_RE.fullmatch(explicit):
            raise TextFormatError(
                f"Ungültiger Slug „{explicit}“: erlaubt sind nur Kleinbuchstaben, Ziffern und "
                "Bindestriche."
            )
        return explicit
    derived = german_slugify(headline)
    if not derived:
        raise TextFormatError(f"Aus der Überschrift „{headline}“ lässt sich kein Slug bilden.")
    return derived


def _language(headers: dict[str, str]) -> str:
    language = headers.get("language") or "de"
    if not _LANGUAGE_RE.fullmatch(language):
        raise TextFormatError(
            f"Ungültige Sprache „{language}“: erwartet wird ein Sprachkürzel wie „de“ oder „en“."
        )
    return language


def _related(headers: dict[str, str]) -> list[str]:
    related: list[str] = []
    for slug in (part.strip() for part in headers.get("related", "").split(",")):
        if slug and not KEY_RE.fullmatch(slug):
            raise TextFormatError(f"Ungültiger Slug „{slug}“ in der Zeile „Verwandt:“.")
        if slug and slug not in related:
            related.append(slug)
    return related


def _image_line(lines: list[str], src: str) -> int | None:
    """The number of the "Bild:" header line, after checking that its path stays inside
    the media storage: no absolute path, drive, address or "..". The importer then looks
    the file up in the storage itself."""
    if not src:
        return None
    number = next(
        number
        for number, line in enumerate(lines, start=1)
        if (match := _HEADER_RE.fullmatch(line.strip())) and match.group(1).casefold() == "bild"
    )
    parts = src.replace("\\", "/").split("/")
    if parts[0] == "" or ".." in parts or _DRIVE_OR_ADDRESS_RE.match(src):
        raise TextFormatError(
            f"Zeile {number} („Bild: {src}“): Der Bildpfad muss eine Datei im Medienordner "
            "nennen, relativ zu ihm – ohne „..“, ohne „/“ am Anfang, ohne Laufwerk oder "
            "Internetadresse."
        )
    return number


def _image(headers: dict[str, str], warnings: list[str]) -> dict | None:
    image = {name: headers.get(name, "") for name in ("src", "alt", "caption", "credit")}
    if image["src"]:
        return image
    if any(image.values()):
        warnings.append("Bildangaben ohne Zeile „Bild:“ wurden ignoriert.")
    return None


def _cut_off_warnings(paragraphs: list[str]) -> list[str]:
    return [
        f"Der Absatz „…{paragraph[-50:]}“ endet ohne Satzzeichen. Ist er abgeschnitten?"
        for paragraph in paragraphs
        if len(paragraph) >= _CUT_OFF_MIN_LENGTH
        and "\n" not in paragraph
        and (paragraph[-1].isalnum() or paragraph[-1] in ",;-–")
    ]


# --- export --------------------------------------------------------------------------------


def export_text(document: dict) -> str:
    """The document in text format v1; ``parse_text`` reads it back unchanged."""
    doc = normalize_document(document)
    chunks = ["\n".join(_header_lines(doc))] if _header_lines(doc) else []
    lead = [doc["teaser"], *split_paragraphs(doc["intro"])]
    if lead != [""]:  # an empty teaser is written as a lone backslash only before an intro
        chunks += _paragraph_chunks(lead, intro=True)
    for question in doc["questions"]:
        cites = ",".join(question["cites"])
        suffix = f"{{#{question['key']}{' cites=' + cites if cites else ''}}}"
        chunks.append(f"{question['question']} {suffix}")
        chunks += _paragraph_chunks(split_paragraphs(question["answer"]), intro=False)
    if doc["sources"]:
        chunks.append(SOURCES_HEADING)
        chunks.append("\n".join(source_line(source) for source in doc["sources"]))
    return "\n\n".join(chunks) + "\n"


def _header_lines(doc: dict) -> list[str]:
    pairs = [
        ("Titel", doc["headline"]),
        ("Slug", doc["slug"]),
        ("Dachzeile", doc["kicker"]),
        ("Sprache", doc["language"]),
        ("Verwandt", ", ".join(doc["related"])),
    ]
    image = doc["image"] or {}
    pairs += [
        ("Bild", image.get("src")),
        ("Bild-Alt", image.get("alt")),
        ("Bildunterschrift", image.get("caption")),
        ("Bildrechte", image.get("credit")),
    ]
    return [f"{name}: {value}" for name, value in pairs if value]


def _paragraph_chunks(paragraphs: list[str], *, intro: bool) -> list[str]:
    """Paragraph texts with a backslash wherever a first line would not read back as text."""
    chunks, previous_group = [], None
    for paragraph in paragraphs:
        first, newline, rest = paragraph.partition("\n")
        group = _group_of(first)
        if _needs_escape(first) or (group and (intro or group == previous_group)):
            first = "\\" + first
        chunks.append(first + newline + rest)
        previous_group = _group_of(paragraph.rsplit("\n", 1)[-1])
    return chunks


def export_markdown(document: dict) -> str:
    """A readable Markdown rendering for people (not meant to be imported again)."""
    doc = normalize_document(document)
    numbers = {source["key"]: n for n, source in enumerate(doc["sources"], start=1)}

    def cite(text: str) -> str:
        return MARKER_LIKE_RE.sub(lambda m: f"[{numbers.get(m.group(1), m.group(1))}]", text)

    parts = [f"# {doc['headline']}"] + ([f"*{doc['kicker']}*"] if doc["kicker"] else [])
    if image := doc["image"]:
        credit = f"({image['credit']})" if image["credit"] else ""
        note = " ".join(filter(None, [image["caption"], credit]))
        parts += [f"![{image['alt']}]({image['src']})"] + ([f"*{note}*"] if note else [])
    parts += [f"**{p}**" for p in split_paragraphs(doc["teaser"])]
    parts += [cite(p) for p in split_paragraphs(doc["intro"])]
    for question in doc["questions"]:
        parts.append(f"## {question['question']}")
        parts += [cite(p) for p in split_paragraphs(question["answer"])]
    if doc["sources"]:
        parts.append("## Verwendete Quellen")
        parts.append("\n".join(_markdown_source(n, s) for n, s in enumerate(doc["sources"], 1)))
    return "\n\n".join(parts) + "\n"


def _markdown_source(number: int, source: dict) -> str:
    text = ": ".join(filter(None, [source["publisher"], source["label"]]))
    if source["date"]:
        text += f", {german_date(source['date'])}"
    if source["url"]:
        text += f", <{source['url']}>"
    return f"{number}. {text}"
