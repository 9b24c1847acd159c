"""Editor Markdown (a small subset) to sanitised HTML, with citation markers ``[^key]``.

Pure: no ORM, no request. Answers are rendered once per publication and stored.

The subset: paragraphs, ``*em*``/``**strong**``, ``[text](https://…)`` links, bullet and
numbered lists, ``> `` quotes, hard line breaks and backslash escapes. Everything else
(headings, code, images, tables, raw HTML, reference links) stays plain escaped text.

Link policy (``explainers.documents.is_allowed_link``, used by the renderer and by
:func:`unsafe_links`): a link target is allowed if it is ``http``/``https`` with a host,
``mailto:``, or an in-page anchor ``#…`` (e.g. to another question). Relative paths and
protocol-relative ``//host`` are refused; a refused link is shown as its Markdown text, not
as a link. nh3 stands behind all this with the same schemes.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Mapping
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from explainers.core.documents import (
    LINK_SCHEMES,
    MARKER_RE,
    MAX_CITATION_MARKERS,
    MAX_RENDERED_BYTES,
    WEB_URL_SCHEMES,
    citation_markers,
    is_allowed_link,
    is_safe_url,  # noqa: F401 - the link policy's web check, imported from here too
)
from explainers.core.translation import format_number
from explainers.core.translation import gettext as _
from explainers.core.typography import PLAIN, markdown_rules, typography_language

# Links to the web get rel="noopener noreferrer".
_WEB_PREFIXES = tuple(f"{scheme}:" for scheme in sorted(WEB_URL_SCHEMES))

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "sup", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "id", "aria-label", "rel"}, "ol": {"start"}}
EXTERNAL_REL = "noopener noreferrer"


def unknown_markers(text: str, source_keys: Iterable[str]) -> list[str]:
    """Marker keys in `text` that name none of `source_keys`."""
    known = set(source_keys)
    return [key for key in citation_markers(text) if key not in known]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``[^key]`` becomes a ``citation`` token.

    Not inside link text (no nested links), and not in validation mode (`silent`), which
    markdown-it only uses to find the end of a link text: there a marker is text, so
    ``[siehe [^a]](https://…)`` stays a link whose text shows ``[^a]`` literally.
    """
    if silent or state.linkLevel > 0 or state.src[state.pos] != "[":
        return False
    match = MARKER_RE.match(state.src, state.pos, state.posMax)
    if not match:
        return False
    state.push("citation", "", 0).meta = {"key": match.group(1)}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    key = tokens[idx].meta["key"]
    number = env.get("source_numbers", {}).get(key)
    if number is None:  # unknown source, or plain render_markdown: show as text
        return html.escape(f"[^{key}]")
    if env["cite_id_prefix"] is None:  # no sources on the page to link to (a diff)
        return html.escape(f"[{number}]")
    seen = env.setdefault("seen", {})
    seen[number] = seen.get(number, 0) + 1
    repeat = f"-{seen[number]}" if seen[number] > 1 else ""
    cite_id = html.escape(f"{env['cite_id_prefix']}-{number}{repeat}")
    return (
        f'<sup class="cite"><a href="#quelle-{number}" id="{cite_id}" '
        f'aria-label="Quelle {number}">[{number}]</a></sup>'
    )


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if str(token.attrGet("href") or "").lower().startswith(_WEB_PREFIXES):
        token.attrSet("rel", EXTERNAL_REL)
    return self.renderToken(tokens, idx, options, env)


def _parser(validate_link) -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["list", "blockquote", "emphasis", "link", "newline", "escape", "entity"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("link_open", _render_link_open)
    md.validateLink = validate_link
    return md


_MD = _parser(is_allowed_link)


@functools.cache  # one per language with its own quotes, and one for the rest
def _typeset_parser(language: str | None) -> MarkdownIt:
    return markdown_rules(_parser(is_allowed_link), language)


def _parser_for(typesetting: int, language: str | None) -> MarkdownIt:
    """The renderer of a publication's `typesetting` (explainers/core/typography.py)."""
    return _MD if typesetting == PLAIN else _typeset_parser(typography_language(language))


_MD_ANY_LINK = _parser(lambda url: True)  # only to find every link target

# markdown-it stops at this nesting depth: lists and quotes inside deeper ones are dropped
# from the output without a word. A nested list takes two levels (list and item), a quote one.
MAX_NESTING = _MD.options["maxNesting"]
# A block opens at most two levels at once, so a parser allowed two more sees whatever
# the renderer drops.
_MD_DEEPER = _parser(lambda url: True)
_MD_DEEPER.options["maxNesting"] = MAX_NESTING + 2


# The desk's checks below are pure functions of the text, asked of every answer on every
# save although an editor changes one or two: a worker remembers its latest answers'
# results. Reader pages never go through them, so a cold page stays cold.
_DESK_CHECKS_REMEMBERED = 512


@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def too_deeply_nested(text: str) -> bool:
    """True if `text` nests lists and quotes so deep that part of it would not be shown."""
    return len(_MD_DEEPER.parse(text or "")) != len(_MD.parse(text or ""))


def unsafe_links(text: str) -> list[str]:
    """Link targets in `text` that the link policy refuses (they will not become links).

    Unique, in order; as markdown-it decoded them (entities resolved, so ``&#106;avascript:``
    is reported as ``javascript:…``).
    """
    return list(_unsafe_links(text))


@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def _unsafe_links(text: str) -> tuple[str, ...]:
    hrefs = [
        str(token.attrGet("href") or "")
        for block in _MD_ANY_LINK.parse(text or "")
        for token in block.children or ()
        if token.type == "link_open"
    ]
    refused = [_MD_ANY_LINK.normalizeLinkText(href) for href in hrefs if not is_allowed_link(href)]
    return tuple(dict.fromkeys(refused))


def _sanitise(html: str) -> str:
    """Everything rendered passes the allow-list here, which is what makes it safe to
    show; the presenters mark it so for the templates (explainers/reader/presenting.py)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"sup": {"cite"}},
        link_rel=None,
        url_schemes=set(LINK_SCHEMES),
        url_relative=lambda url: url if url.startswith("#") else None,
    )


def render_markdown(text: str, *, typesetting: int = PLAIN, language: str | None = None) -> str:
    """The Markdown subset as sanitised HTML (teaser, intro); markers stay plain text.
    With a `typesetting` other than PLAIN, in the typography of `language`."""
    return _sanitise(_parser_for(typesetting, language).render(text or "", {}))


def render_answer(
    text: str,
    source_numbers: Mapping[str, int],
    *,
    cite_id_prefix: str | None,
    typesetting: int = PLAIN,
    language: str | None = None,
) -> str:
    """An answer as sanitised HTML; ``[^key]`` markers become numbered citation links.

    The id of a citation is ``{cite_id_prefix}-{n}``; a second citation of the same source
    in this answer gets ``{cite_id_prefix}-{n}-2`` and so on. Unknown markers stay text.
    Without a prefix, markers become their number as plain text, "[1]".
    """
    env = {"source_numbers": source_numbers, "cite_id_prefix": cite_id_prefix}
    return _sanitise(_parser_for(typesetting, language).render(text or "", env))


def source_numbers(document: Mapping[str, Any]) -> dict[str, int]:
    """Source key → its 1-based position in the document's sources (first one wins)."""
    numbers: dict[str, int] = {}
    for number, source in enumerate(document.get("sources") or [], start=1):
        numbers.setdefault(source.get("key", ""), number)
    return numbers


def citation_numbers(document: Mapping[str, Any], *, typesetting: int = PLAIN) -> dict[str, int]:
    """Source key → the number readers see for it. PLAIN: its position among the sources
    (`source_numbers`). Later typesettings number in the order readers meet them: the
    sources in the order of their first citation marker, question after question; then
    those a question cites without a marker (its "cites"), in article order; then those
    never cited, in their stored order."""
    if typesetting == PLAIN:
        return source_numbers(document)
    return _reading_order(document)


def _reading_order(document: Mapping[str, Any]) -> dict[str, int]:
    known = [source.get("key", "") for source in document.get("sources") or []]
    known_keys = set(known)
    marked = (
        key
        for question in _questions(document)
        for key in _cited_keys(question.get("answer") or "")
        if key in known_keys
    )
    cited = (
        key for question in _questions(document) for key in question.get("cites") or ()
        if key in known_keys
    )  # fmt: skip
    order = dict.fromkeys([*marked, *cited, *known])
    return {key: number for number, key in enumerate(order, start=1)}


def _questions(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return document.get("questions") or []


def render_document_answers(
    document: Mapping[str, Any], *, typesetting: int = PLAIN
) -> dict[str, str]:
    """Question key → rendered answer; citation ids are prefixed ``{anchor}-zitat``.

    Numbered as `citation_numbers` says, in the typography of the document's language
    unless PLAIN."""
    return render_answers_and_numbers(document, typesetting=typesetting)[0]


def render_answers_and_numbers(
    document: Mapping[str, Any], *, typesetting: int = PLAIN
) -> tuple[dict[str, str], dict[str, int]]:
    """`render_document_answers` and `citation_numbers` at once."""
    language = document.get("language")
    numbers = citation_numbers(document, typesetting=typesetting)
    ordered = tuple(numbers.items())
    rendered = {}
    for question in _questions(document):
        prefix = f"{question.get('anchor') or question['key']}-zitat"
        rendered[question["key"]] = _answer_html(
            question.get("answer") or "", ordered, prefix, typesetting, language
        )
    return rendered, numbers


# Publishing renders every answer again, most of them unchanged since the last
# publication: a worker remembers its latest answers' citations and renderings. A reader
# page meets them only where an article is rendered to be stored, not when it is served.
@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def _cited_keys(text: str) -> tuple[str, ...]:
    """The keys of the answer's markers where the renderer makes them citations (not in
    link text, not escaped), in order."""
    return tuple(
        child.meta["key"]
        for block in _MD.parse(text)
        for child in block.children or ()
        if child.type == "citation"
    )


@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def _answer_html(
    text: str,
    numbers: tuple[tuple[str, int], ...],
    prefix: str,
    typesetting: int,
    language: str | None,
) -> str:
    env = {"source_numbers": dict(numbers), "cite_id_prefix": prefix}
    return _sanitise(_parser_for(typesetting, language).render(text, env))


def answer_marker_count(document: Mapping[str, Any]) -> int:
    """How many citation markers all answers hold together (each one becomes a footnote)."""
    return sum(
        len(MARKER_RE.findall(question.get("answer") or ""))
        for question in document.get("questions") or []
    )


def marker_count_problem(document: Mapping[str, Any]) -> str | None:
    """Why the answers hold too many citation markers, or None; cheap, before rendering."""
    count = answer_marker_count(document)
    if count <= MAX_CITATION_MARKERS:
        return None
    return _(
        "Zu viele Quellenverweise: Die Antworten enthalten %(count)s Verweise wie „[^quelle]“, "
        "erlaubt sind höchstens %(limit)s je Erklärstück (%(over)s zu viel). Jeder Verweis "
        "wird auf der Seite zu einer verlinkten Fußnote; bitte Verweise zusammenfassen."
    ) % {
        "count": format_number(count, grouping=True),
        "limit": format_number(MAX_CITATION_MARKERS, grouping=True),
        "over": format_number(count - MAX_CITATION_MARKERS, grouping=True),
    }


def rendered_size(rendered_answers: Mapping[str, str]) -> int:
    """UTF-8 bytes of the rendered answers together."""
    return sum(len(answer.encode()) for answer in rendered_answers.values())


def rendered_size_problem(rendered_answers: Mapping[str, str]) -> str | None:
    """Why the rendered answers are too large for one explainer's page, or None."""
    return _size_problem(rendered_size(rendered_answers))


def _size_problem(size: int) -> str | None:
    if size <= MAX_RENDERED_BYTES:
        return None
    return _(
        "Die Antworten würden auf der Seite %(size)s groß, erlaubt sind höchstens %(limit)s je "
        "Erklärstück (%(over)s zu viel). Bitte Text oder Quellenverweise kürzen."
    ) % {
        "size": _megabytes(size),
        "limit": _megabytes(MAX_RENDERED_BYTES),
        "over": _megabytes(size - MAX_RENDERED_BYTES),
    }


def expansion_problem(document: Mapping[str, Any]) -> str | None:
    """Why the document's answers would grow beyond what one explainer may become on a
    page (markers counted first, then the answers rendered and measured), or None."""
    return marker_count_problem(document) or rendered_size_problem(
        render_document_answers(document)
    )


def answers_expansion_problem(
    answers: Iterable[tuple[str, str]], source_keys: Iterable[str]
) -> str | None:
    """`expansion_problem` of answers as a form holds them: (anchor, answer) pairs and the
    keys of the sources."""
    answers = list(answers)
    document = {
        "questions": [
            {"key": str(n), "anchor": anchor, "answer": answer}
            for n, (anchor, answer) in enumerate(answers)
        ],
        "sources": [{"key": key} for key in sorted(source_keys)],
    }
    if problem := marker_count_problem(document):
        return problem
    numbers = tuple(source_numbers(document).items())
    size = sum(
        _rendered_answer_size(answer, numbers, f"{anchor or n}-zitat")
        for n, (anchor, answer) in enumerate(answers)
    )
    return _size_problem(size)


@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def _rendered_answer_size(text: str, numbers: tuple[tuple[str, int], ...], prefix: str) -> int:
    return len(render_answer(text, dict(numbers), cite_id_prefix=prefix).encode())


def _megabytes(size: int) -> str:
    return f"{format_number(size / 1_000_000, 1)} MB"


@functools.lru_cache(maxsize=_DESK_CHECKS_REMEMBERED)
def to_plain_text(text: str) -> str:
    """The words of Markdown text without markup or citation markers (for search). Every
    publish indexes every answer again, most of them unchanged: a worker remembers its
    latest answers' words, as it does the desk checks above."""
    html_text = nh3.clean(render_markdown(MARKER_RE.sub("", text)), tags=set())
    words = html.unescape(html_text).translate(_CONTROL_CHARACTERS)
    return " ".join(words.split())


_CONTROL_CHARACTERS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])
