"""Reading a document from JSON, as `export_explainer --format json` writes it, for
`import_explainer --format json`: export → import gives the same document.

Every field is checked for its type before the document is built, so a hand-edited file is
refused with a German message naming the field, never half read. A question without key or
anchor gets them as the text format gives them. Pure: no Django.
"""

from __future__ import annotations

import json
from typing import Any

from explainers.core.documents import (
    DOCUMENT_KEYS,
    IMAGE_KEYS,
    IMAGE_SIZE_KEYS,
    KEY_RE,
    MARKER_LIKE_RE,
    QUESTION_KEYS,
    SOURCE_KEYS,
    german_slugify,
    normalize_document,
    question_key,
    unique_slug,
)
from explainers.core.textformat import MAX_QUESTIONS, ParsedExplainer, unsafe_link_targets
from explainers.core.textformat_sources import MAX_SOURCES, TextFormatError
from explainers.core.translation import gettext as _

_TEXT_FIELDS = ("headline", "slug", "kicker", "teaser", "intro", "language")


def parse_document_json(
    text: str, *, title: str | None = None, slug: str | None = None
) -> ParsedExplainer:
    """The document in `text`; `title` and `slug` replace its headline and slug."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TextFormatError(
            _(
                "Die Datei ist kein gültiges JSON (Zeile %(line)s, Spalte %(column)s). "
                "Eine Textdatei wird ohne --format json importiert."
            )
            % {"line": error.lineno, "column": error.colno}
        ) from error
    _check_object(data, _("Die Datei"), DOCUMENT_KEYS)
    for name in _TEXT_FIELDS:
        _check_type(data.get(name, ""), str, f"„{name}“")
    if title and title.strip():
        data["headline"] = " ".join(title.split())
    if slug:
        data["slug"] = slug
    if not (data.get("headline") or "").strip():
        raise TextFormatError(_("Das Feld „headline“ (Überschrift) fehlt oder ist leer."))
    if not data.get("slug"):
        data["slug"] = german_slugify(data["headline"])
    if not KEY_RE.fullmatch(data["slug"]):
        raise TextFormatError(
            _("Ungültiger Kurzname „%(slug)s“: erlaubt sind nur Kleinbuchstaben, Ziffern und "
              "Bindestriche.") % {"slug": data["slug"]}
        )  # fmt: skip
    _check_image(data.get("image"))
    sources = _checked_list(data, "sources", SOURCE_KEYS, {"publisher", "url", "date"})
    questions = _checked_list(data, "questions", QUESTION_KEYS, set())
    related = data.get("related") or []
    _check_type(related, list, "„related“")
    for slug_value in related:
        _check_type(slug_value, str, "„related“")
    if len(questions) > MAX_QUESTIONS:
        raise TextFormatError(_("Die Datei hat mehr als %(n)s Fragen.") % {"n": MAX_QUESTIONS})
    if len(sources) > MAX_SOURCES:
        raise TextFormatError(_("Die Datei hat mehr als %(n)s Quellen.") % {"n": MAX_SOURCES})
    _check_source_keys(sources)
    data["questions"] = _questions(questions, [s.get("key") for s in sources])
    if not data["questions"]:
        raise TextFormatError(_("Das Erklärstück hat keine Frage („questions“ ist leer)."))
    explicit = frozenset(q["key"] for q in questions if q.get("key"))
    _refuse_unsafe_links(data)
    return ParsedExplainer(
        normalize_document(data, image_size=True),
        language_given=bool(data.get("language")),
        explicit_keys=explicit,
    )


def looks_like_document_json(text: str) -> bool:
    """Whether a file given as text format is really a JSON document (a common slip)."""
    if not text.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def _check_object(value: Any, where: str, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise TextFormatError(_("%(where)s muss ein JSON-Objekt sein.") % {"where": where})
    unknown = [name for name in value if name not in allowed]
    if unknown:
        raise TextFormatError(
            _("%(where)s enthält das unbekannte Feld „%(name)s“; erlaubt sind: %(allowed)s.")
            % {"where": where, "name": unknown[0], "allowed": ", ".join(allowed)}
        )


def _check_type(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool):
        expected = {str: _("ein Text"), list: _("eine Liste"), int: _("eine ganze Zahl")}[kind]
        raise TextFormatError(
            _("%(where)s muss %(expected)s sein.") % {"where": where, "expected": expected}
        )


def _check_image(image: Any) -> None:
    if image is None:
        return
    _check_object(image, "„image“", IMAGE_KEYS + IMAGE_SIZE_KEYS)
    for name in IMAGE_KEYS:
        _check_type(image.get(name, ""), str, f"„image.{name}“")
    for name in IMAGE_SIZE_KEYS:
        if name in image:
            _check_type(image[name], int, f"„image.{name}“")


def _checked_list(
    data: dict, part: str, allowed: tuple[str, ...], may_be_null: set[str]
) -> list[dict]:
    rows = data.get(part) or []
    _check_type(rows, list, f"„{part}“")
    for number, row in enumerate(rows, start=1):
        where = f"„{part}“ Nr. {number}"
        _check_object(row, where, allowed)
        for name in allowed:
            value = row.get(name)
            if name == "cites":
                _check_type(value or [], list, f"{where}, „cites“")
                for cite in value or []:
                    _check_type(cite, str, f"{where}, „cites“")
            elif not (value is None and (name in may_be_null or name not in row)):
                _check_type(value if name in row else "", str, f"{where}, „{name}“")
    return rows


def _check_source_keys(sources: list[dict]) -> None:
    for number, source in enumerate(sources, start=1):
        if not KEY_RE.fullmatch(source.get("key") or ""):
            raise TextFormatError(
                _("„sources“ Nr. %(n)s: Ungültiger Schlüssel „%(key)s“: erlaubt sind nur "
                  "Kleinbuchstaben, Ziffern und Bindestriche.")
                % {"n": number, "key": source.get("key") or ""}
            )  # fmt: skip


def _questions(questions: list[dict], source_keys: list[str]) -> list[dict]:
    """The questions with key and anchor (given, or made as the text format makes them);
    a key or a citation that names no source is refused."""
    taken = {q["key"] for q in questions if q.get("key")}
    anchors: list[str] = []
    result = []
    for number, raw in enumerate(questions, start=1):
        text = " ".join((raw.get("question") or "").split())
        if not text:
            raise TextFormatError(
                _("„questions“ Nr. %(n)s: Der Text der Frage fehlt.") % {"n": number}
            )
        key = raw.get("key") or question_key(text, taken)
        taken.add(key)
        anchor = raw.get("anchor") or unique_slug(german_slugify(text), anchors)
        anchors.append(anchor)
        for value, message in (
            (key, _("„questions“ Nr. %(n)s: Ungültiger Schlüssel „%(value)s“: erlaubt sind nur "
                    "Kleinbuchstaben, Ziffern und Bindestriche.")),
            (anchor, _("„questions“ Nr. %(n)s: Ungültige Sprungmarke „%(value)s“: erlaubt sind "
                       "nur Kleinbuchstaben, Ziffern und Bindestriche.")),
        ):  # fmt: skip
            if not KEY_RE.fullmatch(value):
                raise TextFormatError(message % {"n": number, "value": value})
        answer = raw.get("answer") or ""
        cites = list(raw.get("cites") or [])
        for cited in [*MARKER_LIKE_RE.findall(answer), *cites]:
            if cited not in source_keys:
                raise TextFormatError(
                    _("Die Frage „%(question)s“ verweist auf „%(key)s“, diese Quelle steht "
                      "nicht in „sources“.") % {"question": text, "key": cited}
                )  # fmt: skip
        result.append({**raw, "key": key, "anchor": anchor, "answer": answer, "cites": cites})
    return result


def _refuse_unsafe_links(value: Any) -> None:
    if isinstance(value, str):
        unsafe = unsafe_link_targets(value)
        if unsafe:
            raise TextFormatError(
                _("Der Text enthält einen unsicheren Link „%(link)s“. Erlaubt sind nur http- und "
                  "https-Links.") % {"link": unsafe[0]}
            )  # fmt: skip
    elif isinstance(value, dict):
        for item in value.values():
            _refuse_unsafe_links(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_unsafe_links(item)
