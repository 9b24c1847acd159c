"""Properties of the pure core for ANY input: the importer's text parser, the Markdown and
citation renderer and the diff never fail with anything but the documented TextFormatError,
and what they promise holds (the diff rebuilds the target, export → import → export is
stable). No database.

Adds to tests/test_textformat.py (exact round trips of well-formed documents),
tests/test_diffing.py (diffs of documents from a small vocabulary) and
tests/test_rendering.py (safety of answers full of hostile links, with fixed source
numbers): here the text is any Unicode, with the format's own syntax mixed in. The
strategies are in tests/support/strategies.py.
"""

from __future__ import annotations

import copy
import json
import os
from contextlib import suppress
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainers.core.diffing import FIELDS, TEXT_FIELDS, diff_documents
from explainers.core.documents import KEY_RE, normalize_document
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
from tests.support.strategies import (
    any_line,
    any_text,
    documents,
    format_line_texts,
    format_texts,
    markdown_texts,
    raw_document_pairs,
    raw_documents,
    source_number_maps,
)

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", 200))
PROPERTIES = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- the importer's text parser -------------------------------------------------------------


@PROPERTIES
@given(st.one_of(format_texts, format_line_texts), st.sampled_from([None, "Titel", ""]))
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
@given(st.one_of(st.binary(max_size=200), format_texts.map(lambda t: t.encode("utf-8"))))
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


@settings(PROPERTIES, max_examples=2 * EXAMPLES)  # also the format's own lines, as before
@given(st.one_of(format_texts, format_line_texts))
def test_any_parsed_text_round_trips_through_export(text):
    """export → import → export: a parsed document is written and read back unchanged,
    whether it came from any text or from the format's own lines (LF, CRLF, blank lines)."""
    try:
        document = parse_text(text, title="Titel").document
    except TextFormatError:
        return
    exported = export_text(document)
    again = parse_text(exported).document
    assert again == document
    assert export_text(again) == exported


@PROPERTIES
@given(documents("unicode"))
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


@PROPERTIES
@given(markdown_texts, source_number_maps, st.text(max_size=20))
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
@given(markdown_texts)
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


def old_text(ops):
    return "".join(text for op, text in ops if op != "insert")


def new_text(ops):
    return "".join(text for op, text in ops if op != "delete")


@PROPERTIES
@given(raw_documents())
def test_the_diff_of_any_document_with_itself_is_empty(document):
    diff = diff_documents(document, copy.deepcopy(document))
    assert diff["is_empty"]
    assert diff["fields"] == [] and not any(diff["counts"].values())
    assert all(e["status"] == "unchanged" and not e["moved"] for e in diff["questions"])
    json.dumps(diff)


@PROPERTIES
@given(st.one_of(raw_document_pairs(), st.tuples(raw_documents(), raw_documents())))
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
