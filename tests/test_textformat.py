"""Text format v1: import (parse_text, decode_import_bytes) and export (export_text, Markdown).

Pure tests: no database, no Django settings (run with ``-p no:django``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from explainers.core.documents import (
    KEY_RE,
    german_slugify,
    normalize_document,
    question_key,
)
from explainers.core.rendering import render_markdown
from explainers.core.textformat import (
    MAX_IMPORT_BYTES,
    ParsedExplainer,
    TextFormatError,
    decode_import_bytes,
    export_markdown,
    export_text,
    parse_text,
    unsafe_link_targets,
)
from tests.support.strategies import documents

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "explainers" / "fixtures" / "sicherheitsgarantien.txt"
CASES = Path(__file__).resolve().parent / "import_cases"
TITLE = "Sicherheitsgarantien für die Ukraine"
SEED_QUESTIONS = [
    "Was sind Sicherheitsgarantien?",
    "Wird die Ukraine Mitglied der Nato?",
    "Wie könnten andere Sicherheitsgarantien aussehen?",
    "Welche Länder würden Truppen stellen für Sicherheitsgarantien?",
    "Würde auch Deutschland Truppen in die Ukraine schicken?",
]
SEED_CITES = [
    ["regierungs-pressekonferenz"],
    [],
    ["deutschlandfunk", "cnn"],
    ["cnn", "tagesschau"],
    ["berlin-table"],
]
SEED_SOURCE_KEYS = [
    "deutschlandfunk",
    "cnn",
    "tagesschau",
    "berlin-table",
    "regierungs-pressekonferenz",
]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides the Django cache fixture of conftest.py: these tests need no Django."""
    yield


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def parse_seed(text: str | None = None) -> ParsedExplainer:
    return parse_text(seed_text() if text is None else text, title=TITLE)


def minimal(body: str, **kwargs) -> ParsedExplainer:
    return parse_text(body, title=kwargs.pop("title", "Test"), **kwargs)


def answers(parsed: ParsedExplainer) -> list[list[str]]:
    return [q["answer"].split("\n\n") for q in parsed.document["questions"]]


# --- the seed ------------------------------------------------------------------------------


def test_seed_has_five_questions_with_exact_texts():
    questions = parse_seed().document["questions"]
    assert [q["question"] for q in questions] == SEED_QUESTIONS


def test_seed_teaser_is_the_first_line():
    first_line = seed_text().split("\n", 1)[0]
    assert parse_seed().document["teaser"] == first_line


def test_seed_intro_has_two_paragraphs_including_the_cut_off_sentence():
    intro = parse_seed().document["intro"].split("\n\n")
    assert len(intro) == 2
    assert intro[0].endswith("empfängt US-Präsident")
    assert intro[1].startswith("Ein zentrales Thema:")


def test_seed_warns_about_the_cut_off_intro_paragraph():
    assert any("empfängt US-Präsident" in warning for warning in parse_seed().warnings)


def test_seed_furniture_is_dropped_and_reported():
    parsed = parse_seed()
    assert parsed.dropped_furniture == ["Empfehlungen der Redaktion"]
    assert "Empfehlungen der Redaktion" not in str(parsed.document)


def test_seed_answer_continues_after_the_furniture_line():
    fourth = answers(parse_seed())[3]
    assert len(fourth) == 4
    assert fourth[3].startswith("Sein Sondergesandter Witkoff")


def test_seed_paragraph_that_begins_with_a_question_is_answer_text():
    fifth = answers(parse_seed())[4]
    assert len(fifth) == 2
    assert fifth[1].startswith("Ist das letzte Wort damit gesprochen? Wohl kaum.")


def test_seed_answer_paragraph_counts():
    assert [len(a) for a in answers(parse_seed())] == [2, 2, 2, 4, 2]


def test_seed_has_five_sources_in_order_with_keys():
    sources = parse_seed().document["sources"]
    assert [s["key"] for s in sources] == SEED_SOURCE_KEYS


def test_seed_sources_publishers_labels_and_kinds():
    sources = parse_seed().document["sources"]
    assert [(s["publisher"], s["label"], s["kind"]) for s in sources] == [
        (
            "deutschlandfunk.de",
            "Botschafter in Deutschland Makeiev drängt auf kraftvolle Sicherheitsgarantien",
            "article",
        ),
        (
            "edition.cnn.com",
            "Top Trump envoy: 'Substantial progress' made in summit with Putin",
            "article",
        ),
        ("tagesschau.de", "Kann ein Frieden gelingen und wenn ja, wie?", "article"),
        ("", "Berlin.Table", "print"),
        ("", "Regierungs-Pressekonferenz", "press_conference"),
    ]


def test_seed_dated_outlet_is_print_with_iso_date():
    berlin = parse_seed().document["sources"][3]
    assert berlin["date"] == "2025-08-17"
    assert [s["date"] for s in parse_seed().document["sources"]].count(None) == 4


def test_seed_sources_have_no_invented_urls():
    assert [s["url"] for s in parse_seed().document["sources"]] == [None] * 5


def test_seed_wrapped_source_line_is_not_a_question():
    parsed = parse_seed()
    assert "Putin - tagesschau.de" not in str(parsed.document)
    assert len(parsed.document["questions"]) == 5


def test_seed_questions_cite_sources_named_in_their_answers():
    assert [q["cites"] for q in parse_seed().document["questions"]] == SEED_CITES


def test_seed_name_links_are_reported_as_linked_citations():
    parsed = parse_seed()
    keys = [q["key"] for q in parsed.document["questions"]]
    expected = [(keys[n], source) for n, cites in enumerate(SEED_CITES) for source in cites]
    assert parsed.linked_citations == expected


def test_seed_inserts_no_citation_markers():
    assert "[^" not in str(parse_seed().document)


def test_seed_question_keys_and_anchors_come_from_documents_helpers():
    questions = parse_seed().document["questions"]
    taken: set[str] = set()
    for question, text in zip(questions, SEED_QUESTIONS, strict=True):
        assert question["key"] == question_key(text, taken)
        taken.add(question["key"])
        assert question["anchor"] == german_slugify(text)


def test_seed_headline_slug_and_defaults():
    document = parse_seed().document
    assert document["headline"] == TITLE
    assert document["slug"] == "sicherheitsgarantien-fuer-die-ukraine"
    assert document["language"] == "de"
    assert (document["kicker"], document["image"], document["related"]) == ("", None, [])


def test_seed_document_is_already_normalised():
    document = parse_seed().document
    assert normalize_document(document) == document
    assert list(document) == list(normalize_document({}))


def test_seed_with_crlf_line_endings_gives_the_same_document():
    crlf = seed_text().replace("\n", "\r\n")
    assert parse_seed(crlf).document == parse_seed().document


def test_seed_with_blank_lines_between_paragraphs_gives_the_same_document():
    spaced = seed_text().replace("\n", "\n\n")
    assert parse_seed(spaced).document == parse_seed().document


def test_seed_with_crlf_and_blank_lines_and_trailing_newline_gives_the_same_document():
    variant = seed_text().replace("\n", "\r\n\r\n") + "\r\n"
    assert parse_seed(variant).document == parse_seed().document


def test_seed_bytes_with_bom_decode_to_the_same_document():
    data = b"\xef\xbb\xbf" + SEED_PATH.read_bytes().replace(b"\n", b"\r\n")
    assert parse_seed(decode_import_bytes(data)).document == parse_seed().document


def test_seed_round_trips_through_export_text():
    document = parse_seed().document
    assert parse_text(export_text(document)).document == document


def test_seed_export_is_stable():
    exported = export_text(parse_seed().document)
    assert export_text(parse_text(exported).document) == exported


def test_seed_headline_from_filename_with_warning():
    parsed = parse_text(seed_text(), filename="sicherheitsgarantien.txt")
    assert parsed.document["headline"] == "Sicherheitsgarantien"
    assert parsed.document["slug"] == "sicherheitsgarantien"
    assert any("Dateinamen" in warning for warning in parsed.warnings)


# --- headers, paragraphs, questions --------------------------------------------------------


def test_full_file_headers_fill_the_document():
    document = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8")).document
    assert document["headline"] == "Was die Waffenruhe bedeutet"
    assert document["slug"] == "waffenruhe"
    assert document["kicker"] == "Ukraine-Krieg"
    assert document["related"] == ["sicherheitsgarantien", "nato-gipfel"]
    assert document["image"] == {
        "src": "bilder/waffenruhe.jpg",
        "alt": "Soldaten an der Front",
        "caption": "Ukrainische Soldaten im Donbass",
        "credit": "dpa",
    }


def test_full_file_lists_quotes_and_escapes():
    parsed = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8"))
    assert (
        parsed.document["intro"] == "Seit Wochen wird über eine Waffenruhe verhandelt.\n\nQuellen"
    )
    assert answers(parsed)[0] == [
        "Eine Waffenruhe regelt vor allem drei Dinge:",
        "- ein Ende der Kampfhandlungen\n- eine Linie, an der die Truppen stehen bleiben\n"
        "- eine Kontrolle durch Beobachter",
        "Das sagte ein Experte der Zeitung.[^faz]",
        "> Eine Waffenruhe ist fragil.\n> Sie muss überwacht werden.",
        "Wer überwacht sie?",
    ]
    assert answers(parsed)[1] == ["Das ist offen, berichtet der Spiegel.", "1. Die UN\n2. Die OSZE"]
    assert parsed.dropped_furniture == ["Anzeige"]


def test_full_file_explicit_key_and_cites_plus_markers():
    parsed = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8"))
    first, second = parsed.document["questions"]
    assert first["key"] == "q-waffenruhe"
    assert first["cites"] == ["faz", "zdf"]
    assert second["cites"] == ["spiegel"]
    assert parsed.linked_citations == [(second["key"], "spiegel")]


def test_full_file_sources_with_url_date_and_kind():
    sources = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8")).document["sources"]
    assert sources == [
        {"key": "faz", "label": "Was eine Waffenruhe bringt", "publisher": "faz.net",
         "url": "https://www.faz.net/waffenruhe", "date": "2025-03-03", "kind": "article"},
        {"key": "zdf", "label": "Interview mit einem Militärexperten", "publisher": "ZDF",
         "url": None, "date": None, "kind": "broadcast"},
        {"key": "spiegel", "label": "Wer die Waffenruhe überwacht", "publisher": "spiegel.de",
         "url": None, "date": "2025-03-04", "kind": "article"},
    ]  # fmt: skip


def test_full_file_round_trips():
    document = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8")).document
    assert parse_text(export_text(document)).document == document


def test_list_lines_outside_a_list_are_separate_paragraphs_after_text():
    parsed = minimal("Teaser.\nWas nun?\nText.\n- a\n- b\nMehr Text.\n> Zitat")
    assert answers(parsed)[0] == ["Text.", "- a\n- b", "Mehr Text.", "> Zitat"]


def test_list_with_blank_lines_between_items_is_still_one_paragraph():
    parsed = minimal("Teaser.\n\nWas nun?\n\n- a\n\n- b\n\n1. c")
    assert answers(parsed)[0] == ["- a\n- b\n1. c"]


def test_escaped_list_line_starts_a_new_list_paragraph():
    parsed = minimal("Teaser.\nWas nun?\n- a\n\\- b\n- c")
    assert answers(parsed)[0] == ["- a", "- b\n- c"]


def test_bullet_and_en_dash_lines_from_agency_copy_are_list_items():
    parsed = minimal(
        "Teaser.\nWas nun?\nDenkbar ist vieles:\n"
        "• Waffen\n•\tTruppen\n– ein Beitritt\n- Geld\nMehr."
    )
    assert answers(parsed)[0] == [
        "Denkbar ist vieles:",
        "- Waffen\n- Truppen\n- ein Beitritt\n- Geld",
        "Mehr.",
    ]


def test_a_bullet_list_renders_as_a_list_for_readers():
    parsed = minimal("Teaser.\nWas nun?\n• Waffen\n• Truppen")
    html = render_markdown(parsed.document["questions"][0]["answer"])
    assert html.count("<li>") == 2 and "•" not in html


def test_a_dash_inside_a_sentence_or_an_escaped_bullet_stays_text():
    parsed = minimal("Teaser.\nWas nun?\nDas Wort fällt – oft.\n\\• kein Punkt\n–ohne Abstand")
    assert answers(parsed)[0] == ["Das Wort fällt – oft.", "• kein Punkt", "–ohne Abstand"]


def test_a_paragraph_starting_with_a_bullet_is_escaped_on_export_and_read_back_as_text():
    document = minimal("Teaser.\nWas nun?\n\\• kein Punkt\n\\– auch nicht").document
    exported = export_text(document)
    assert "\\• kein Punkt" in exported and "\\– auch nicht" in exported
    assert parse_text(exported).document == document


def test_header_lines_may_be_separated_by_blank_lines():
    parsed = parse_text("\nTitel: Kopf\n\nSlug: kopf\n\nTeaser.\n\nWas nun?\n\nDas.")
    assert (parsed.document["headline"], parsed.document["slug"]) == ("Kopf", "kopf")
    assert parsed.document["teaser"] == "Teaser."


def test_header_like_question_with_key_after_the_header_is_a_question():
    parsed = parse_text("Titel: Kopf\n\nTitel: Was nun? {#q-1}\nDas.")
    assert parsed.document["headline"] == "Kopf"
    assert parsed.document["questions"][0]["question"] == "Titel: Was nun?"


def test_title_argument_wins_over_header_and_header_over_filename():
    text = "Titel: Aus dem Kopf\n\nTeaser.\nWas nun?\nDas."
    assert parse_text(text, title="Argument").document["headline"] == "Argument"
    assert parse_text(text, filename="datei.txt").document["headline"] == "Aus dem Kopf"
    assert parse_text(text).warnings == []


def test_slug_argument_wins_over_header_and_headline():
    text = "Titel: Große Frage\nSlug: aus-dem-kopf\n\nTeaser.\nWas nun?\nDas."
    assert parse_text(text, slug="argument").document["slug"] == "argument"
    assert parse_text(text).document["slug"] == "aus-dem-kopf"
    assert parse_text(text.replace("Slug: aus-dem-kopf\n", "")).document["slug"] == "grosse-frage"


def test_filename_is_humanised():
    parsed = parse_text("Teaser.\nWas nun?\nDas.", filename="/tmp/waffen_ruhe-fragen.TXT")
    assert parsed.document["headline"] == "Waffen ruhe fragen"


def test_file_without_header_starts_with_the_teaser():
    parsed = minimal("Sprache ist wichtig.\nWas nun?\nDas.")
    assert parsed.document["teaser"] == "Sprache ist wichtig."
    assert parsed.document["intro"] == ""


def test_first_line_is_the_teaser_even_if_it_looks_like_a_question():
    parsed = minimal("Was bedeutet das für Europa?\nWas nun?\nDas.")
    assert parsed.document["teaser"] == "Was bedeutet das für Europa?"
    assert [q["question"] for q in parsed.document["questions"]] == ["Was nun?"]


def test_question_with_explicit_key_can_open_the_file_without_teaser():
    parsed = minimal("Was nun? {#q-1}\nDas.")
    assert parsed.document["teaser"] == ""
    assert parsed.document["questions"][0]["key"] == "q-1"


def test_question_with_explicit_key_has_no_name_links():
    parsed = minimal("T.\nWas nun? {#q-1}\nCNN berichtet.\nQuellen\n- cnn.com: Bericht")
    assert parsed.document["questions"][0]["cites"] == []
    assert parsed.linked_citations == []


def test_explicit_cites_and_markers_are_merged_in_source_order():
    text = "T.\nWas nun? {#q-1 cites=b, a}\nDas.[^c]\nQuellen\n- [c] C\n- [a] A\n- [b] B"
    assert minimal(text).document["questions"][0]["cites"] == ["c", "a", "b"]


def test_empty_explicit_cites_are_allowed():
    assert minimal("T.\nWas nun? {#q-1 cites=}\nDas.").document["questions"][0]["cites"] == []


def test_abbreviations_and_ordinals_do_not_break_a_question():
    text = "T.\nWas geschah am 17. August?\nDas.\nWas sagt Art. 5 z.B. dazu?\nNichts."
    assert len(minimal(text).document["questions"]) == 2


def test_long_or_lowercase_or_multi_sentence_question_lines_are_answer_text():
    long_question = "Warum " + "sehr " * 50 + "lang?"
    text = f"T.\nWas nun?\n{long_question}\nund dann?\nJa. Oder nein?\nGut! Oder?"
    parsed = minimal(text)
    assert len(parsed.document["questions"]) == 1
    assert len(answers(parsed)[0]) == 4


def test_numbered_question_lines_inside_an_answer_stay_a_list():
    parsed = minimal("T.\nWas nun?\nOffen sind:\n1. Wer zahlt?\n2. Wer schickt Truppen?")
    assert len(parsed.document["questions"]) == 1
    assert answers(parsed)[0] == ["Offen sind:", "1. Wer zahlt?\n2. Wer schickt Truppen?"]


def test_numbered_question_with_explicit_key_is_a_question():
    parsed = minimal("T.\n1. Was nun? {#q-1}\n- Das.")
    assert parsed.document["questions"][0]["question"] == "1. Was nun?"
    assert answers(parsed)[0] == ["- Das."]


def test_question_without_answer_gives_empty_answer_and_warning():
    parsed = minimal("T.\nWas nun?\nWas dann?\nDas.")
    assert parsed.document["questions"][0]["answer"] == ""
    assert any("keine Antwort" in warning for warning in parsed.warnings)


def test_duplicate_question_texts_get_distinct_keys_and_anchors():
    questions = minimal("T.\nWas nun?\nA.\nWas nun?\nB.").document["questions"]
    assert questions[0]["key"] != questions[1]["key"]
    assert [q["anchor"] for q in questions] == ["was-nun", "was-nun-2"]


def test_derived_question_keys_avoid_explicit_ones():
    explicit = question_key("Was nun?")
    text = f"T.\nWas dann? {{#{explicit}}}\nA.\nWas nun?\nB."
    keys = [q["key"] for q in minimal(text).document["questions"]]
    assert keys[0] == explicit
    assert keys[1] != explicit


@pytest.mark.parametrize(
    "line",
    ["Empfehlungen der Redaktion", "MEHR ZUM THEMA", "Lesen Sie auch:", "Anzeige", "Newsletter",
     "Das könnte Sie auch interessieren", "Related", "Advertisement", "Weiterlesen",
     "Zur Startseite"],
)  # fmt: skip
def test_furniture_lines_are_dropped(line):
    parsed = minimal(f"T.\n{line}\nWas nun?\nA.\n{line}\nB.")
    assert parsed.dropped_furniture == [line, line]
    assert answers(parsed)[0] == ["A.", "B."]


def test_furniture_inside_a_sentence_is_kept():
    parsed = minimal("T.\nWas nun?\nDie Anzeige erschien gestern.")
    assert answers(parsed)[0] == ["Die Anzeige erschien gestern."]


def test_escaped_lines_are_plain_text():
    text = "\\Titel: kein Kopf\nWas nun?\n\\Wer weiß?\n\\Quellen\n\\Anzeige\n\\\\Backslash"
    parsed = minimal(text)
    assert parsed.document["teaser"] == "Titel: kein Kopf"
    assert answers(parsed)[0] == ["Wer weiß?", "Quellen", "Anzeige", "\\Backslash"]
    assert parsed.dropped_furniture == []


def test_sources_heading_variants():
    for heading in ("Quellen", "Quellen:", "Sources", "VERWENDETE QUELLEN:"):
        parsed = minimal(f"T.\nWas nun?\nA.\n{heading}\n- Berlin.Table")
        assert [s["label"] for s in parsed.document["sources"]] == ["Berlin.Table"]


# --- sources -------------------------------------------------------------------------------


def source_of(line: str) -> dict:
    return minimal(f"T.\nWas nun?\nA.\nQuellen\n{line}").document["sources"][0]


def test_source_line_with_every_part():
    line = "- [dlf] deutschlandfunk.de: Titel <https://www.deutschlandfunk.de/x> vom 1. März 2024 {interview}"  # noqa: E501
    assert source_of(line) == {
        "key": "dlf",
        "label": "Titel",
        "publisher": "deutschlandfunk.de",
        "url": "https://www.deutschlandfunk.de/x",
        "date": "2024-03-01",
        "kind": "interview",
    }


def test_numeric_german_date_is_read():
    assert source_of("- Berlin.Table 17.08.2025")["date"] == "2025-08-17"


def test_colon_in_label_without_domain_is_not_a_publisher():
    source = source_of("- Fazit: alles gut")
    assert (source["publisher"], source["label"]) == ("", "Fazit: alles gut")


def test_interview_kind_is_inferred():
    assert source_of("- dlf.de: Interview mit Makeiev")["kind"] == "interview"


def test_press_conference_in_english_is_inferred():
    assert source_of("- White House press conference")["kind"] == "press_conference"


def test_source_keys_are_unique():
    text = "T.\nWas nun?\nA.\nQuellen\n- cnn.com: Eins\n- edition.cnn.com: Zwei\n- [cnn-3] Drei"
    keys = [s["key"] for s in minimal(text).document["sources"]]
    assert keys == ["cnn", "cnn-2", "cnn-3"]


def test_source_continuation_without_domain_is_joined():
    text = "T.\nWas nun?\nA.\nQuellen\n- spiegel.de: Ein langer\nTitel über zwei Zeilen"
    assert minimal(text).document["sources"][0]["label"] == "Ein langer Titel über zwei Zeilen"


def test_name_link_needs_whole_word_or_compound_end():
    text = "T.\nWas nun?\nDie Tischtabelle und cnnx.\nQuellen\n- cnn.com: A\n- Berlin.Table"
    parsed = minimal(text)
    assert parsed.document["questions"][0]["cites"] == []


def test_single_word_publisher_is_a_name():
    text = "T.\nWas nun?\nDas sagte er im ZDF.\nQuellen\n- [zdf] ZDF: Gespräch {broadcast}"
    assert minimal(text).document["questions"][0]["cites"] == ["zdf"]


def test_short_names_are_ignored():
    text = "T.\nWas nun?\nDas sagte die ARD.\nQuellen\n- ard.de: Bericht\n- ZZ"
    assert minimal(text).document["questions"][0]["cites"] == ["ard"]
    text = "T.\nWas nun?\nDas sagte ZZ.\nQuellen\n- ZZ"
    assert minimal(text).document["questions"][0]["cites"] == []


# --- bad input -----------------------------------------------------------------------------


def assert_german_error(error: pytest.ExceptionInfo) -> None:
    message = str(error.value)
    assert re.search(
        r"\b(der|die|das|ist|sind|keine?|eine?|bitte|nur|steht|fehlt)\b", message, re.I
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t\r\n ",
        b"Teaser\x00mit NUL",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "Grüße aus Köln".encode("latin-1"),
        (CASES / "latin1.txt").read_bytes(),
        "Grüße".encode("utf-16"),
        b"x" * (MAX_IMPORT_BYTES + 1),
    ],
    ids=["empty", "whitespace", "nul", "png", "latin1", "latin1-file", "utf16", "too-large"],
)
def test_bad_bytes_are_refused_in_german(data):
    with pytest.raises(TextFormatError) as error:
        decode_import_bytes(data)
    assert_german_error(error)


def test_non_utf8_message_names_the_encoding():
    with pytest.raises(TextFormatError, match="UTF-8"):
        decode_import_bytes("Grüße".encode("latin-1"))


def test_decode_strips_bom_and_normalises_line_ends():
    assert decode_import_bytes(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"


def test_decode_normalises_to_nfc():
    assert decode_import_bytes("Gru\u0308\u00dfe".encode()) == "Grüße"


def test_decode_accepts_exactly_the_maximum_size():
    assert len(decode_import_bytes(b"a" * MAX_IMPORT_BYTES)) == MAX_IMPORT_BYTES


BAD_TEXTS = {
    "empty": "",
    "whitespace": " \n\n\t ",
    "no-question": "Nur ein Teaser.\nUnd ein Absatz.",
    "unknown-marker": "T.\nWas nun?\nDas.[^unbekannt]",
    "unknown-marker-in-intro": "T.\nIntro.[^unbekannt]\nWas nun?\nDas.",
    "autolink-javascript": "T.\nWas nun?\nKlick <javascript:alert(1)>",
    "markdown-javascript": "T.\nWas nun?\nKlick [x](javascript:alert(1))",
    "mixed-case-javascript": "T.\nWas nun?\nKlick [x](JaVaScRiPt:alert(1))",
    "tab-javascript": "T.\nWas nun?\nKlick [x](java\tscript:alert(1))",
    "entity-javascript": "T.\nWas nun?\nKlick [x](&#106;avascript&colon;alert(1))",
    "data-html": "T.\nWas nun?\nKlick [x](data:text/html;base64,PHNjcmlwdD4=)",
    "vbscript": "T.\nWas nun?\nKlick <vbscript:msgbox(1)>",
    "source-javascript": "T.\nWas nun?\nA.\nQuellen\n- x.de: Titel <javascript:alert(1)>",
    "source-ftp": "T.\nWas nun?\nA.\nQuellen\n- x.de: Titel <ftp://example.org/x>",
    "source-two-urls": "T.\nWas nun?\nA.\nQuellen\n- x.de: T <https://a.de> <https://b.de>",
    "source-bad-kind": "T.\nWas nun?\nA.\nQuellen\n- x.de: Titel {podcast}",
    "source-bad-date": "T.\nWas nun?\nA.\nQuellen\n- x.de: Titel vom 31. Februar 2025",
    "bad-question-key": "T.\nWas nun? {#BadKey}\nDas.",
    "bad-cite-key": "T.\nWas nun? {#q-1 cites=Foo}\nDas.",
    "unknown-cite": "T.\nWas nun? {#q-1 cites=foo}\nDas.",
    "empty-question": "T.\n{#q-1}\nDas.",
    "duplicate-question-keys": "T.\nWas nun? {#q-1}\nA.\nWas dann? {#q-1}\nB.",
    "duplicate-source-keys": "T.\nWas nun?\nA.\nQuellen\n- [a] Eins\n- [a] Zwei",
    "duplicate-header": "Titel: A\nTitel: B\n\nT.\nWas nun?\nA.",
    "bad-header-slug": "Slug: Keine Slug\n\nT.\nWas nun?\nA.",
    "bad-related": "Verwandt: gut, Schlecht!\n\nT.\nWas nun?\nA.",
    "bad-language": "Sprache: Deutsch\n\nT.\nWas nun?\nA.",
}


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_bad_text_is_refused_in_german(text):
    with pytest.raises(TextFormatError) as error:
        parse_text(text, title="Test")
    assert_german_error(error)


def test_unknown_marker_error_names_marker_and_question():
    with pytest.raises(TextFormatError, match=r"\[\^unbekannt\].*Was nun\?"):
        parse_text("T.\nWas nun?\nDas.[^unbekannt]", title="Test")


def test_no_question_error_says_so():
    with pytest.raises(TextFormatError, match="Keine Frage gefunden"):
        parse_text("Nur Text.", title="Test")


@pytest.mark.parametrize("slug", ["Großes Ding", "mit space", "UPPER", "a_b", "ä", "x\n"])
def test_invalid_slug_argument_is_refused(slug):
    with pytest.raises(TextFormatError, match="Slug"):
        parse_text("T.\nWas nun?\nDas.", title="Test", slug=slug)


def test_missing_headline_is_refused():
    with pytest.raises(TextFormatError, match="Überschrift"):
        parse_text("T.\nWas nun?\nDas.")


def test_too_many_questions_are_refused():
    with pytest.raises(TextFormatError, match="Fragen"):
        parse_text("T.\n" + "Was nun?\nA.\n" * 301, title="Test")


def test_too_many_sources_are_refused():
    with pytest.raises(TextFormatError, match="Quellenliste"):
        parse_text("T.\nWas nun?\nA.\nQuellen\n" + "- a\n" * 301, title="Test")


def test_text_over_the_limit_is_refused():
    with pytest.raises(TextFormatError):
        parse_text("T.\nWas nun?\n" + "a" * MAX_IMPORT_BYTES, title="Test")


# --- unsafe links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("<javascript:alert(1)>", "javascript:alert(1)"),
        ("[x](javascript:alert(1))", "javascript:alert(1)"),
        ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
        ("[x](java\tscript:alert(1))", "java\tscript:alert(1)"),
        ("[x](java&#x09;script:alert(1))", "java\tscript:alert(1)"),
        ("[x](&#106;avascript&colon;alert(1))", "javascript:alert(1)"),
        ("[x](&amp;#106;avascript:alert(1))", "javascript:alert(1)"),
        ("bare vbscript:msgbox here", "vbscript:msgbox"),
        ('<a href="data:text/html,<script>">', "data:text/html,"),
        ("[x](DATA:image/svg+xml;base64,AAAA)", "DATA:image/svg+xml;base64,AAAA"),
    ],
)
def test_unsafe_link_targets_are_found(text, target):
    assert unsafe_link_targets(text) == [target]


@pytest.mark.parametrize(
    "text",
    ["[x](https://example.org)", "Big Data: Text/Bild", "Die Sprache JavaScript ist alt.",
     "Metadata:none", "<mailto:a@b.de>", "Java Script: ein Buch"],
)  # fmt: skip
def test_harmless_text_has_no_unsafe_links(text):
    assert unsafe_link_targets(text) == []


# --- export --------------------------------------------------------------------------------


def test_export_text_writes_headers_keys_cites_and_source_lines():
    exported = export_text(parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8")).document)
    lines = exported.split("\n")
    assert lines[:9] == [
        "Titel: Was die Waffenruhe bedeutet",
        "Slug: waffenruhe",
        "Dachzeile: Ukraine-Krieg",
        "Sprache: de",
        "Verwandt: sicherheitsgarantien, nato-gipfel",
        "Bild: bilder/waffenruhe.jpg",
        "Bild-Alt: Soldaten an der Front",
        "Bildunterschrift: Ukrainische Soldaten im Donbass",
        "Bildrechte: dpa",
    ]
    assert lines[9] == ""
    assert "Was regelt eine Waffenruhe? {#q-waffenruhe cites=faz,zdf}" in lines
    assert "\\Quellen" in lines and "\\Wer überwacht sie?" in lines
    assert (
        "- [faz] faz.net: Was eine Waffenruhe bringt <https://www.faz.net/waffenruhe> "
        "vom 3. März 2025 {article}"
    ) in lines
    assert exported.endswith("{article}\n")


def test_export_escapes_lines_that_would_read_otherwise():
    document = parse_seed().document
    document["teaser"] = "Titel: Falle"
    document["intro"] = "- kein Listenpunkt\n\nQuellen\n\nAnzeige"
    document["questions"][0]["answer"] = "Ist das so?\n\n\\Backslash\n\nVerwendete Quellen:"
    exported = export_text(document)
    for line in ["\\Titel: Falle", "\\- kein Listenpunkt", "\\Quellen", "\\Anzeige",
                 "\\Ist das so?", "\\\\Backslash", "\\Verwendete Quellen:"]:  # fmt: skip
        assert f"\n{line}\n" in exported
    assert parse_text(exported).document == document


def test_export_keeps_adjacent_lists_apart():
    document = parse_seed().document
    document["questions"][0]["answer"] = "- a\n\n- b\n- c\n\n1. d\n\n> e\n\n> f"
    assert parse_text(export_text(document)).document == document


def test_export_of_empty_teaser_with_intro():
    document = parse_seed().document
    document["teaser"] = ""
    assert export_text(document).split("\n\n")[1] == "\\"
    assert parse_text(export_text(document)).document == document


def test_export_of_empty_teaser_and_intro():
    document = parse_seed().document
    document["teaser"] = document["intro"] = ""
    assert parse_text(export_text(document)).document == document


def test_export_of_publisher_less_label_with_colon():
    document = parse_seed().document
    document["sources"][3]["label"] = "Fazit: alles gut"
    document["sources"][4].update(publisher="Deutschlandfunk", label="", kind="broadcast")
    exported = export_text(document)
    assert "- [berlin-table] : Fazit: alles gut vom 17. August 2025 {print}" in exported
    assert parse_text(exported).document == document


def test_export_markdown_is_readable():
    document = parse_text((CASES / "full_v1.txt").read_text(encoding="utf-8")).document
    markdown = export_markdown(document)
    assert markdown.startswith("# Was die Waffenruhe bedeutet\n")
    assert "## Was regelt eine Waffenruhe?" in markdown
    assert "Das sagte ein Experte der Zeitung.[1]" in markdown
    assert "## Verwendete Quellen" in markdown
    assert (
        "1. faz.net: Was eine Waffenruhe bringt, 3. März 2025, <https://www.faz.net/waffenruhe>"
        in markdown
    )  # noqa: E501
    assert "3. spiegel.de: Wer die Waffenruhe überwacht, 4. März 2025" in markdown
    assert "{#" not in markdown


def test_export_markdown_of_the_seed_lists_all_sources():
    markdown = export_markdown(parse_seed().document)
    assert "\n4. Berlin.Table, 17. August 2025\n" in markdown
    assert markdown.count("\n## ") == 6


# --- properties (documents from tests/support/strategies.py) ----------------------------

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("TEXTFORMAT_EXAMPLES", 100)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(documents("markdown"))
def test_generated_documents_are_valid_and_normalised(document):
    assert normalize_document(document) == document
    assert KEY_RE.fullmatch(document["slug"])


@PROPERTY_SETTINGS
@given(documents("markdown"))
def test_any_document_round_trips_through_export_text(document):
    assert parse_text(export_text(document)).document == document


@PROPERTY_SETTINGS
@given(documents("markdown"))
def test_export_markdown_never_fails_and_has_every_question(document):
    markdown = export_markdown(document)
    assert markdown.count("\n## ") >= len(document["questions"])
