"""Typography for readers (explainers/core/typography.py): quotation marks and dashes as a
German (or English) page prints them, computed when rendering, never stored."""

from __future__ import annotations

import pytest

from explainers.core.rendering import (
    render_answer,
    render_document_answers,
    render_markdown,
    to_plain_text,
)
from explainers.core.typography import CURRENT, PLAIN, dashes, quoted, typeset


@pytest.mark.parametrize(
    "typed, german",
    [
        ('Sie sagte "Nein" und ging.', "Sie sagte „Nein“ und ging."),
        ("Das 'kleine' Wort", "Das ‚kleine‘ Wort"),
        ("\"Er sagte 'ja'\", schrieb sie.", "„Er sagte ‚ja‘“, schrieb sie."),
        ("Wie geht's?", "Wie geht’s?"),
        ('Ein "halbes Zitat', 'Ein "halbes Zitat'),  # no partner: left as typed
        ("Berlin - Hamburg", "Berlin – Hamburg"),
        ("Von 2014-2016 und S. 12-14.", "Von 2014–2016 und S. 12–14."),
        ("2014 - 2016", "2014 – 2016"),
    ],
)
def test_german_text_gets_german_quotes_and_dashes(typed, german):
    assert typeset(typed, "de") == german


@pytest.mark.parametrize(
    "typed",
    [
        "am 2016-05-03",  # a date
        "Tel. 030-1234",  # a dialling code
        "COVID-19 und G-20",  # words with numbers
        "ein Bindestrich-Wort",
        "- ein Spiegelstrich",  # nothing before it
        "Version 1.5-2",  # a decimal
        "Seit 10:30-11 Uhr",  # a time
    ],
)
def test_hyphens_that_are_not_dashes_stay(typed):
    assert typeset(typed, "de") == typed


def test_web_addresses_and_markers_keep_their_hyphens():
    typed = 'Siehe https://example.org/2014-2016/a-b - und [^bericht-2014-2016] "dort"'
    assert typeset(typed, "de") == (
        "Siehe https://example.org/2014-2016/a-b – und [^bericht-2014-2016] „dort“"
    )
    # without the address protected, "=2014-2016" would read as a range
    typed = "www.example.org/?jahre=2014-2016 und https://example.org/?von=1-2"
    assert typeset(typed, "de") == typed


def test_english_gets_english_quotes_and_the_same_dashes():
    assert typeset("She said \"no\" - 'twice' in 2014-2016", "en") == (
        "She said “no” – ‘twice’ in 2014–2016"
    )


def test_a_language_without_its_own_quotes_keeps_them_but_gets_dashes():
    assert typeset('Il dit "non" - 2014-2016', "fr") == 'Il dit "non" – 2014–2016'


def test_dashes_only_where_a_word_stands_on_both_sides():
    assert dashes(" - weiter") == " - weiter"
    assert dashes(" - weiter", joined_before=True) == " – weiter"
    assert dashes("Wort - ", joined_after=True) == "Wort – "


def test_markdown_answers_are_typeset_but_link_targets_and_attributes_are_not():
    answer = (
        'Er sagte "Ja" - [Bericht "2014-2016"](https://example.org/a-1-2 "Titel \\"x\\"") '
        "**fett** - weiter [^a]"
    )
    html = render_answer(
        answer, {"a": 1}, cite_id_prefix="frage-1-zitat", typesetting=CURRENT, language="de"
    )
    assert html == (
        "<p>Er sagte „Ja“ – "
        '<a href="https://example.org/a-1-2" title="Titel &quot;x&quot;" '
        'rel="noopener noreferrer">Bericht „2014–2016“</a> '
        "<strong>fett</strong> – weiter "
        '<sup class="cite"><a href="#quelle-1" id="frage-1-zitat-1" aria-label="Quelle 1">'
        "[1]</a></sup></p>\n"
    )


def test_a_backslash_keeps_a_quote_or_hyphen_as_typed():
    html = render_markdown('\\"roh\\" und 2014\\-2016', typesetting=CURRENT, language="de")
    assert html == '<p>"roh" und 2014-2016</p>\n'


def test_quotes_pair_across_emphasis_and_lines():
    html = render_markdown('"*Wort*" und "zwei\nZeilen"', typesetting=CURRENT, language="de")
    assert html == "<p>„<em>Wort</em>“ und „zwei\nZeilen“</p>\n"


def test_plain_typesetting_renders_exactly_as_before():
    answer = 'Er sagte "Ja" - 2014-2016 [^a]'
    assert render_answer(answer, {"a": 1}, cite_id_prefix="x", typesetting=PLAIN) == (
        render_answer(answer, {"a": 1}, cite_id_prefix="x")
    )
    assert '"Ja" - 2014-2016' in render_answer(answer, {"a": 1}, cite_id_prefix=None)


def test_the_typography_follows_the_document_language():
    document = {
        "language": "en",
        "questions": [{"key": "q", "anchor": "a", "answer": 'A "quote" - 1990-1995'}],
        "sources": [],
    }
    assert render_document_answers(document, typesetting=CURRENT) == {
        "q": "<p>A “quote” – 1990–1995</p>\n"
    }
    assert render_document_answers(document) == {"q": '<p>A "quote" - 1990-1995</p>\n'}


def test_search_text_stays_as_typed():
    assert to_plain_text('Er sagte "Ja" - 2014-2016') == 'Er sagte "Ja" - 2014-2016'


def test_a_text_set_inside_quotation_marks_gets_the_inner_ones():
    assert quoted('Was heißt "Bremse" - 2014-2016?', "de") == "Was heißt ‚Bremse‘ – 2014–2016?"
    assert quoted('What is "it"?', "en") == "What is ‘it’?"
    assert quoted('Qu\'est-ce que "ça"?', "fr") == 'Qu\'est-ce que "ça"?'
