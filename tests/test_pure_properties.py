"""Properties of the pure core for ANY input: the importer's text parser, the Markdown and
citation renderer and the diff never fail with anything but the documented TextFormatError,
and what they promise holds (the diff rebuilds the target, export → import → export is
stable). No database.

Adds to tests/test_textformat.py (round trips of well-formed documents and sampled
lines), tests/test_diffing.py (diffs of documents from a small vocabulary) and
tests/test_rendering.py (safety of answers with fixed source numbers): here the text is
any Unicode, with the format's own syntax mixed in.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from datetime import date
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainers.core.diffing import FIELDS, TEXT_FIELDS, diff_documents
from explainers.core.documents import KEY_RE, SOURCE_KINDS, normalize_document
from explainers.core.rendering import (
    ALLOWED_TAGS,
    render_answer,
    render_document_answers,
    render_markdown,
    to_plain_text,
)
from explainers.core.textformat import (
    MAX_IMPORT_BYTES,
    TextFormatError,
    decode_import_bytes,
    export_text,
    parse_text,
)

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", 200))
PROPERTIES = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# The text format's own syntax, so that random text often means something to the parser.
FORMAT_PIECES = [
    "Titel: ", "Slug: ", "slug-1", "Dachzeile: ", "Sprache: ", "de", "en-GB", "Verwandt: ",
    "a, b", "Bild: ", "x.jpg", "Bild-Alt: ", "Bildunterschrift: ", "Bildrechte: ",
    "Verwendete Quellen", "Quellen:", "Sources", "- ", "– ", "• ", "1. ", "> ", "\\", "{#q-1}",
    "{#q-2 cites=a}", "{#Q}", " cites=", "[^a]", "[^b]", "[^]", "[a] ", "?", "Was nun?",
    "Wie geht es weiter?", "Ist das so? Ja.", "x.de: ", "tagesschau.de", "<https://x.de/a>",
    "<ftp://x>", "<javascript:alert(1)>", "vom 1. Mai 2024", "vom 31. Februar 2025",
    "17.08.2025", "{article}", "{print}", "{podcast}", "Anzeige", "Empfehlungen der Redaktion",
    "\r\n", "\r", "\n", "\n\n", " ", "\t", ":", "[", "]", "{", "}", "<", ">", "*", "**", "_",
    "(", ")", "](", "&amp;", "&#106;", "\ufeff", "\u2028", "\x00", "\x0b", "\x85", "ẞ", "é",
    "e\u0301",
]  # fmt: skip
MARKDOWN_PIECES = [
    "*", "**", "_", "__", "[", "]", "(", ")", "](", "[x](https://x.de)", "[x](javascript:1)",
    "[x](mailto:a@b.de)", "[x](#frage)", "[x](//evil.example)", "<", ">", "<script>", "&",
    "&lt;", "&#0;", "&#x110000;", "\\", "`", "> ", "- ", "1. ", "99999999999. ", "\n", "\n\n",
    "[^a]", "[^b]", "[^zzz]", "[^", "![b](x.png)", "# ", "<b onclick=x>", "\x00", "\x02",
    "\x03", "\u202e", " ",
]  # fmt: skip


def mixed(pieces: list[str], max_size: int = 25):
    """Any text, with pieces of a syntax mixed in."""
    return st.lists(st.one_of(st.text(max_size=20), st.sampled_from(pieces)), max_size=max_size)


text_inputs = mixed(FORMAT_PIECES).map("".join)
# Whole lines: the format's own (headers, questions, source lines), question-shaped lines of
# any text, and any text; most such texts have a question, so they get past "no question".
FORMAT_LINES = [
    "Titel: Kopf", "Slug: kopf", "Sprache: en", "Dachzeile: D", "Bild: b.jpg", "Bild-Alt: A",
    "Verwandt: a, b-2", "", "Teaser.", "Was nun?", "Wie geht es weiter?", "Was nun? {#q-1}",
    "Was dann? {#q-2 cites=cnn}", "Ein Satz mit CNN.", "- Punkt", "1. Punkt", "> Zitat",
    "\\Quellen", "\\", "Anzeige", "Verwendete Quellen", "- cnn.com: Bericht",
    "- [cnn] CNN: Titel <https://cnn.com/a> vom 1. Mai 2024 {article}", "Fortsetzung",
]  # fmt: skip
question_shaped = st.text(max_size=30).map(lambda t: "W" + t.replace("\n", " ") + "?")
line_inputs = st.lists(
    st.one_of(
        st.sampled_from(FORMAT_LINES),
        question_shaped,
        st.text(max_size=40),
        mixed(FORMAT_PIECES, max_size=6).map("".join),
    ),
    max_size=15,
).map("\n".join)
markdown_inputs = mixed(MARKDOWN_PIECES).map("".join)


# --- the importer's text parser -------------------------------------------------------------


@PROPERTIES
@given(st.one_of(text_inputs, line_inputs), st.sampled_from([None, "Titel", ""]))
def test_parse_text_fails_on_any_text_only_with_a_german_text_format_error(text, title):
    try:
        parsed = parse_text(text, title=title, filename="import.txt")
    except TextFormatError as error:
        assert str(error).strip()
        return
    document = parsed.document
    assert normalize_document(document) == document
    assert KEY_RE.fullmatch(document["slug"])
    assert document["questions"]
    json.dumps(document)


@PROPERTIES
@given(st.one_of(st.binary(max_size=200), text_inputs.map(lambda t: t.encode("utf-8"))))
def test_decode_import_bytes_fails_on_any_bytes_only_with_a_text_format_error(data):
    try:
        text = decode_import_bytes(data)
    except TextFormatError as error:
        assert str(error).strip()
        return
    assert text.strip() and "\r" not in text and "\x00" not in text
    with suppress(TextFormatError):  # what decoding lets through, the parser takes or refuses
        parse_text(text, title="Titel")


def test_decode_import_bytes_refuses_one_byte_over_the_limit():
    assert decode_import_bytes(b"a" * MAX_IMPORT_BYTES)
    try:
        decode_import_bytes(b"a" * (MAX_IMPORT_BYTES + 1))
    except TextFormatError as error:
        assert "1 MB" in str(error)
    else:
        raise AssertionError("over the limit and accepted")


@PROPERTIES
@given(st.one_of(text_inputs, line_inputs))
def test_any_parsed_text_round_trips_through_export(text):
    """export → import → export: a parsed document is written and read back unchanged."""
    try:
        document = parse_text(text, title="Titel").document
    except TextFormatError:
        return
    exported = export_text(document)
    again = parse_text(exported).document
    assert again == document
    assert export_text(again) == exported


# Documents with any text in every free-text field (keys, dates and kinds as the format
# requires), for export → import → export.
any_line = st.one_of(st.text(max_size=30), mixed(FORMAT_PIECES, max_size=6).map("".join))
any_text = st.one_of(st.text(max_size=60), mixed(FORMAT_PIECES, max_size=12).map("".join))
format_keys = st.from_regex(KEY_RE, fullmatch=True).filter(lambda k: len(k) <= 12)
iso_dates = st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)


@st.composite
def documents(draw, text=any_text, line=any_line) -> dict:
    source_keys = draw(st.lists(format_keys, unique=True, max_size=3))
    sources = [
        {
            "key": key,
            "label": draw(line),
            "publisher": draw(line),
            "url": draw(st.sampled_from([None, "https://example.org/a?b=1", "http://x.de/"])),
            "date": draw(st.none() | iso_dates),
            "kind": draw(st.sampled_from(SOURCE_KINDS)),
        }
        for key in source_keys
    ]
    question_keys = draw(st.lists(format_keys, unique=True, min_size=1, max_size=4))
    questions = [
        {
            "key": key,
            "anchor": f"frage-{n}",
            "question": draw(line.filter(str.strip)),  # a question is never blank
            "answer": draw(text),
            "cites": draw(st.lists(st.sampled_from(source_keys), unique=True))
            if source_keys
            else [],
        }
        for n, key in enumerate(question_keys)
    ]
    image = draw(
        st.none()
        | st.fixed_dictionaries({"src": line, "alt": line, "caption": line, "credit": line})
    )
    return {
        "headline": draw(line.filter(str.strip)),  # nor is a headline
        "slug": draw(format_keys),
        "kicker": draw(line),
        "teaser": draw(text),
        "intro": draw(text),
        "language": draw(st.sampled_from(["de", "en", "de-AT"])),
        "image": image,
        "questions": questions,
        "sources": sources,
        "related": draw(st.lists(format_keys, unique=True, max_size=2)),
    }


@PROPERTIES
@given(documents())
def test_export_import_export_is_stable_for_any_text(document):
    """What the format cannot carry (see textformat's docstring) may change on the first
    import, or be refused in German; from then on export → import → export is stable."""
    first = export_text(document)
    try:
        imported = parse_text(first).document
    except TextFormatError as error:
        assert str(error).strip()
        return
    second = export_text(imported)
    again = parse_text(second).document
    assert again == imported
    assert export_text(again) == second


# --- the Markdown and citation renderer -----------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def tags_of(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_safe(html: str) -> None:
    for tag, attrs in tags_of(html).tags:
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), attrs
        href = attrs.get("href")
        assert href is None or href.startswith(("https:", "http:", "mailto:", "#")), href


source_number_maps = st.dictionaries(
    st.sampled_from(["a", "b", "c", "zzz"]) | format_keys, st.integers(1, 10**6), max_size=4
)


@PROPERTIES
@given(markdown_inputs, source_number_maps, st.text(max_size=20))
def test_rendering_any_text_with_any_numbers_never_fails_and_stays_safe(text, numbers, cite_prefix):
    for html in (
        render_markdown(text),
        render_answer(text, numbers, cite_id_prefix=cite_prefix),
    ):
        assert isinstance(html, str)
        assert "<script" not in html.lower()
        assert_safe(html)
    assert render_answer(text, numbers, cite_id_prefix=cite_prefix) == render_answer(
        text, numbers, cite_id_prefix=cite_prefix
    )


@PROPERTIES
@given(markdown_inputs)
def test_plain_text_of_any_markdown_has_no_markup_and_no_control_characters(text):
    """The search index and JSON-LD use it; the search highlights with control characters
    (explainers/domain/search.py) that must never come from the text itself."""
    plain = to_plain_text(text)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in plain)
    assert plain == " ".join(plain.split())


@PROPERTIES
@given(st.lists(st.fixed_dictionaries({"key": any_line, "anchor": any_line, "answer": any_text})))
def test_rendering_every_answer_of_any_document_never_fails(questions):
    document = {"questions": questions, "sources": [{"key": "a"}, {"key": ""}]}
    rendered = render_document_answers(document)
    assert set(rendered) == {q["key"] for q in questions}
    for html in rendered.values():
        assert_safe(html)


# --- the diff -------------------------------------------------------------------------------

raw_keys = st.sampled_from(["q-1", "q-2", "q-3", "q-4", "q-5", ""]) | st.text(max_size=4)
raw_questions = st.fixed_dictionaries(
    {
        "key": raw_keys,
        "anchor": any_line,
        "question": any_line,
        "answer": any_text,
        "cites": st.lists(st.sampled_from(["a", "b", "c"]) | any_line, max_size=3),
    }
)
raw_sources = st.fixed_dictionaries(
    {
        "key": st.sampled_from(["a", "b", "c", "d"]) | any_line,
        "label": any_line,
        "publisher": any_line,
        "url": st.none() | any_line,
        "date": st.none() | iso_dates | any_line,
        "kind": st.sampled_from([*SOURCE_KINDS, "podcast"]),
    }
)


@st.composite
def raw_documents(draw) -> dict:
    """Anything a stored document might hold, keys possibly missing or duplicated."""
    document = {
        "headline": draw(any_line),
        "slug": draw(any_line),
        "kicker": draw(any_line),
        "teaser": draw(any_text),
        "intro": draw(any_text),
        "language": draw(any_line),
        "image": draw(
            st.none()
            | st.fixed_dictionaries(
                {"src": any_line, "alt": any_line}, optional={"credit": any_line}
            )
        ),
        "questions": draw(st.lists(raw_questions, max_size=6)),
        "sources": draw(st.lists(raw_sources, max_size=4)),
        "related": draw(st.lists(any_line, max_size=3)),
    }
    dropped = draw(st.sets(st.sampled_from(sorted(document)), max_size=3))
    return {key: value for key, value in document.items() if key not in dropped}


@st.composite
def related_documents(draw):
    """Two documents sharing questions (some edited, moved or dropped) and sources."""
    old, new = draw(raw_documents()), draw(raw_documents())
    kept = [q for q in old.get("questions", []) if draw(st.booleans())]
    edited = [
        {**q, "answer": q["answer"] + draw(any_text)} if draw(st.booleans()) else q for q in kept
    ]
    new["questions"] = draw(st.permutations(edited + new.get("questions", [])))
    return old, new


def old_text(ops):
    return "".join(text for op, text in ops if op != "insert")


def new_text(ops):
    return "".join(text for op, text in ops if op != "delete")


@PROPERTIES
@given(raw_documents())
def test_the_diff_of_any_document_with_itself_is_empty(document):
    diff = diff_documents(document, document)
    assert diff["is_empty"]
    assert diff["fields"] == [] and not any(diff["counts"].values())
    assert all(e["status"] == "unchanged" and not e["moved"] for e in diff["questions"])
    json.dumps(diff)


@PROPERTIES
@given(st.one_of(related_documents(), st.tuples(raw_documents(), raw_documents())))
def test_applying_a_diff_to_the_old_document_gives_the_new_ones_questions(pair):
    old, new = (normalize_document(d) for d in pair)
    diff = diff_documents(*pair)
    json.dumps(diff)
    # Fields: every changed one is listed with both values, text fields word by word.
    rebuilt = {field: old[field] for field in FIELDS}
    for entry in diff["fields"]:
        assert entry["old"] == old[entry["field"]]
        rebuilt[entry["field"]] = entry["new"]
        if entry["field"] in TEXT_FIELDS:
            assert old_text(entry["ops"]) == old[entry["field"]]
            assert new_text(entry["ops"]) == new[entry["field"]]
    assert rebuilt == {field: new[field] for field in FIELDS}
    # Questions: the entries that are not removed, in order, are the new questions; the
    # old question each matches (by key and occurrence) and the entry give its content.
    old_by_identity, seen = {}, {}
    for question in old["questions"]:
        seen[question["key"]] = seen.get(question["key"], 0) + 1
        old_by_identity[(question["key"], seen[question["key"]])] = question
    seen = {}
    questions = []
    for entry in diff["questions"]:
        if entry["status"] == "removed":
            assert (entry["key"], entry["old_position"]) and entry["new_position"] is None
            continue
        seen[entry["key"]] = seen.get(entry["key"], 0) + 1
        before = old_by_identity.get((entry["key"], seen[entry["key"]]))
        question = {"key": entry["key"], "anchor": entry["anchor"], "question": entry["question"]}
        if before is None:
            assert entry["status"] == "added"
        else:
            assert entry["old_question"] in (None, before["question"])
            answer = new_text(entry["answer_ops"]) if entry["answer_changed"] else before["answer"]
            if entry["answer_changed"]:
                assert old_text(entry["answer_ops"]) == before["answer"]
            cites = [c for c in before["cites"] if c not in entry["cites_removed"]]
            question |= {"answer": answer, "cites": sorted({*cites, *entry["cites_added"]})}
        questions.append(question)
    assert len(questions) == len(new["questions"])
    for rebuilt_question, target in zip(questions, new["questions"], strict=True):
        expected = {**target, "cites": sorted(set(target["cites"]))}
        assert rebuilt_question == {k: expected[k] for k in rebuilt_question}
    # Every old question is either matched or listed as removed.
    removed = sum(entry["status"] == "removed" for entry in diff["questions"])
    assert removed == len(old["questions"]) - (len(questions) - diff["counts"]["added"])
    assert diff["is_empty"] == (old == new)
