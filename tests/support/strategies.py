"""Hypothesis strategies for the property tests, each defined once: documents and the texts
that fill them, text-format input, Markdown, keys and link targets.

`documents(flavour)` fills every free-text field with one flavour of text:

- "markdown": what an editor writes: German sentences, lists, quotes, citation markers of
  the document's own sources, and paragraphs that look like the text format's syntax. The
  documents are valid and normalised, so export → import gives each back exactly.
- "unicode": any Unicode with the text format's own syntax mixed in; keys, dates and source
  kinds as the format requires. For promises that must hold whatever the text holds.
- "tokens": a small vocabulary (umlauts, spaces, paragraph breaks, "<script>") and question
  and source keys from a short list, so that two documents share keys and words and a diff
  of them has unchanged, moved and edited parts. Normalised.

`raw_documents()` is anything a stored document might hold, fields missing, keys duplicated.

Pure (Hypothesis and explainers.core only), so tests/test_textformat.py still runs without
Django.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from hypothesis import strategies as st

from explainers.core.documents import (
    KEY_RE,
    SOURCE_KINDS,
    german_slugify,
    normalize_document,
    question_key,
    unique_slug,
)

Flavour = Literal["markdown", "unicode", "tokens"]

# --- pieces of syntax -----------------------------------------------------------------------

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
# Whole lines of the text format: headers, questions, source lines and what looks like them.
FORMAT_LINES = [
    "Titel: Kopf", "Slug: kopf", "Sprache: en", "Dachzeile: D", "Bild: b.jpg", "Bild-Alt: A",
    "Verwandt: a, b-2", "", "Teaser.", "Was nun?", "Wie geht es weiter?", "Was nun? {#q-1}",
    "Was dann? {#q-2 cites=cnn}", "Was nun? {#q-1 cites=cnn}", "Ist das so? Ja.", "Ein Satz.",
    "Ein Satz mit CNN.", "Noch ein Satz mit CNN und Table.Media.", "- Punkt", "1. Punkt",
    "> Zitat", "\\Quellen", "\\- Punkt", "\\", "Anzeige", "Weiterlesen:", "Quellen",
    "Verwendete Quellen", "Verwendete Quellen:", "- cnn.com: Bericht",
    "- Berlin.Table vom 1. Mai 2024",
    "- [cnn] CNN: Titel <https://cnn.com/a> vom 1. Mai 2024 {article}",
    "- [pk] Bundespressekonferenz {press_conference}", "Fortsetzung - tagesschau.de: Titel",
    "Fortsetzung",
]  # fmt: skip
MARKDOWN_PIECES = [
    "*", "**", "_", "__", "[", "]", "(", ")", "](", "[x](https://x.de)", "[x](javascript:1)",
    "[x](mailto:a@b.de)", "[x](#frage)", "[x](//evil.example)", "<", ">", "<script>", "&",
    "&lt;", "&#0;", "&#x110000;", "\\", "`", "> ", "- ", "1. ", "99999999999. ", "\n", "\n\n",
    "[^a]", "[^b]", "[^zzz]", "[^", "![b](x.png)", "# ", "<b onclick=x>", "\x00", "\x02",
    "\x03", "\u202e", " ",
]  # fmt: skip
HOSTILE_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&colon;alert(1))",
    "[x](<java&#9;script:alert(1)>)",
    "[x](java&#x0A;script:alert(1))",
    "[x](<javascript :alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](//evil.example)",
    "[x](/relativ)",
    "<javascript:alert(1)>",
]
HOSTILE_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</p><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
]


def mixed(pieces: list[str], max_size: int = 25):
    """Lists of any text and pieces of a syntax (join them for one text)."""
    return st.lists(st.one_of(st.text(max_size=20), st.sampled_from(pieces)), max_size=max_size)


def _lines(line, max_size: int):
    joined = st.tuples(st.lists(line, max_size=max_size), st.sampled_from(["\n", "\r\n", "\n\n"]))
    return joined.map(lambda parts: parts[1].join(parts[0]))


# --- input for the importer's parser and the renderer ---------------------------------------

format_texts = mixed(FORMAT_PIECES).map("".join)
"""Any text, the text format's syntax mixed in anywhere."""

question_shaped = st.text(max_size=30).map(lambda t: "W" + t.replace("\n", " ") + "?")
format_line_texts = st.one_of(
    # Only the format's own lines: most make a document, with headers and source lists.
    _lines(st.sampled_from(FORMAT_LINES), max_size=14),
    # Its lines among question-shaped lines of any text and any text; most have a question,
    # so they get past "no question".
    _lines(
        st.one_of(
            st.sampled_from(FORMAT_LINES),
            question_shaped,
            st.text(max_size=40),
            mixed(FORMAT_PIECES, max_size=6).map("".join),
        ),
        max_size=15,
    ),
)
"""Texts made of whole lines, joined by LF, CRLF or blank lines."""

markdown_texts = mixed(MARKDOWN_PIECES).map("".join)
"""Any text with the Markdown subset's syntax (links, markers, raw HTML) mixed in."""

hostile_markdown_texts = st.lists(
    st.one_of(
        st.text(),
        st.sampled_from(
            HOSTILE_LINKS
            + HOSTILE_HTML
            + ["[ok](https://ok.de)", "[^a]", "[^b]", "[^x]", "*", "**", "[", "](", "\n\n", "> "]
        ),
    ),
    max_size=8,
).map("".join)
"""Any text with script, event handlers and every spelling of a hostile link mixed in."""

NESTING_PREFIXES = ["> ", "- ", "1. ", "* ", "  ", "   "]


@st.composite
def nested_markdown_texts(draw) -> str:
    """Lines "wortN" behind up to 26 quote, list and indent prefixes."""
    lines = []
    for number in range(draw(st.integers(1, 5))):
        prefix = "".join(draw(st.lists(st.sampled_from(NESTING_PREFIXES), max_size=26)))
        lines.append(f"{prefix}wort{number}")
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines)


marker_texts = st.lists(
    st.sampled_from(["[^a]", "[^b-1]", "[^", "]", "[", "^", "a", "b-1", "A", "_", " ", "x"])
    | st.text(alphabet="ab-1A_ [^]", max_size=6),
    max_size=10,
).map(lambda parts: "Antwort " + "".join(parts) + ".")
"""Answers with markers of the source keys "a" and "b-1", broken ones and look-alikes."""


key_candidates = st.text(alphabet="abzAZ09-_äß.^", min_size=1, max_size=12)
"""Strings near the key pattern: valid keys and ones with capitals, umlauts, dots."""

link_targets = st.tuples(
    st.sampled_from(
        [
            "http://",
            "https://",
            "HTTPS://",
            "mailto:",
            "javascript:",
            "JavaScript:",
            "ftp://",
            "data:",
            "//",
            "#",
            "",
            "http:",
            "vbscript:",
            "java\tscript:",
            "&#106;avascript:",
        ]
    ),  # fmt: skip
    st.text(alphabet="ab.de/?#%@:[]&;=\x01\x7f\u00a0", max_size=12),
).map("".join)
"""Link targets of every scheme, allowed or not, with control characters and entities."""

# --- keys, dates ----------------------------------------------------------------------------

format_keys = st.from_regex(KEY_RE, fullmatch=True).filter(lambda k: len(k) <= 12)
iso_dates = st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
source_number_maps = st.dictionaries(
    st.sampled_from(["a", "b", "c", "zzz"]) | format_keys, st.integers(1, 10**6), max_size=4
)
"""Source key → footnote number, as the renderer is given them (any keys, any numbers)."""

# --- "unicode" text -------------------------------------------------------------------------

any_line = st.one_of(st.text(max_size=30), mixed(FORMAT_PIECES, max_size=6).map("".join))
any_text = st.one_of(st.text(max_size=60), mixed(FORMAT_PIECES, max_size=12).map("".join))

# --- "markdown" text ------------------------------------------------------------------------

WORDS = [
    "Ukraine", "Frieden", "Garantie", "Straße", "über", "Nato", "Grenze", "Soldaten", "ist",
    "Präsident", "Bündnis", "Europa", "zukünftig", "Gipfel", "Waffenruhe", "Truppen", "wird",
    "Abkommen", "Sicherheit", "Washington", "CNN", "tagesschau.de", "Berlin", "2025", "17.",
    "Art.", "z.B.", "—", "„Zitat“", "(Klammer)", "50.000", "Table.Media",
]  # fmt: skip
TRICKY_PARAGRAPHS = [
    "Quellen", "Verwendete Quellen:", "Sources", "Anzeige", "Newsletter:", "Titel: Falle",
    "Bild: x.jpg", "Ist das so?", "Was nun? {#q-123456}", "Was tun? {#Bad cites=}",
    "\\Backslash", "\\", "- kein Punkt", "1. Punkt", "> Zitat", "Wer? Wie? Was.",
    "- Anzeige", "Text mit [Klammer] und {Klammer}", "cites=a", "#", "-", ">",
]  # fmt: skip
TRICKY_QUESTIONS = [
    "Die Lage in Kürze", "Was kostet das. Und wer zahlt?", "Anzeige", "Quellen",
    "Titel: Frage?", "Was heißt {#x}?", "Wer? Was?", "was klein?", "Ende {article}",
]  # fmt: skip
LABELS = [
    "Berlin.Table", "Regierungs-Pressekonferenz", "Top Trump envoy: 'Substantial progress'",
    "Fazit:", "", "[eckig] Titel", "Titel {mit Klammer}", "Kann ein Frieden gelingen?",
    "3. Quartal 2025", "a <b> c",
]  # fmt: skip
PUBLISHERS = ["", "", "tagesschau.de", "edition.cnn.com", "Der Spiegel", "bbc.co.uk", "ZDF"]
LABEL_WORDS = ["Frieden", "Gipfel", "Nato", "über", "Straße", "CNN", "Berlin.Table", "2025"]
MARKDOWN_SOURCE_KEYS = ["dlf", "cnn", "tagesschau", "berlin-table", "zdf", "q-1", "quelle-2", "a"]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
label_words = st.lists(st.sampled_from(LABEL_WORDS), min_size=1, max_size=5).map(" ".join)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


sentences = words.map(lambda text: capitalised(text) + ".")
question_texts = st.one_of(
    words.map(lambda text: capitalised(text) + "?"), st.sampled_from(TRICKY_QUESTIONS)
)


def paragraphs(keys: list[str]):
    """One paragraph: sentences ending in a marker of one of `keys`, a list, a quote, or a
    paragraph that looks like the text format's syntax."""
    marker = st.sampled_from(keys).map(lambda key: f"[^{key}]") if keys else st.just("")
    text = st.tuples(st.lists(sentences, min_size=1, max_size=3), marker).map(
        lambda parts: " ".join(parts[0]) + parts[1]
    )
    items = st.lists(words, min_size=1, max_size=3)
    lists = st.one_of(
        items.map(lambda xs: "\n".join(f"- {x}" for x in xs)),
        items.map(lambda xs: "\n".join(f"{n}. {x}" for n, x in enumerate(xs, 1))),
        items.map(lambda xs: "\n".join(f"> {x}" for x in xs)),
    )
    return st.one_of(text, text, lists, st.sampled_from(TRICKY_PARAGRAPHS).filter(bool))


def markdown_paragraphs(keys: list[str], max_size: int = 3):
    """Up to `max_size` paragraphs, separated by blank lines."""
    return st.lists(paragraphs(keys), max_size=max_size).map("\n\n".join)


@st.composite
def markdown_sources(draw) -> list[dict]:
    keys = draw(st.lists(st.sampled_from(MARKDOWN_SOURCE_KEYS), unique=True, max_size=4))
    return [
        {
            "key": key,
            "label": draw(st.one_of(label_words, st.sampled_from(LABELS))),
            "publisher": draw(st.sampled_from(PUBLISHERS)),
            "url": draw(st.sampled_from([None, "https://example.org/a?b=1", "http://x.de/"])),
            "date": draw(
                st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))).map(
                    lambda day: day and day.isoformat()
                )
            ),
            "kind": draw(st.sampled_from(SOURCE_KINDS)),
        }
        for key in keys
    ]


# --- "tokens" text --------------------------------------------------------------------------

TOKENS = ["Die", "Ukraine", "ähnliche", "ähnlich", "wie", "Straße", " ", " ", "\n\n", ",", "."]
token_texts = st.lists(st.sampled_from(TOKENS + ["<script>", "–"]), max_size=25).map("".join)
TOKEN_QUESTION_KEYS = [f"q-{i}" for i in range(8)]
TOKEN_SOURCE_KEYS = ["dlf", "cnn", "tagesschau", "table"]


# --- documents ------------------------------------------------------------------------------


@st.composite
def _markdown_documents(draw) -> dict:
    source_list = draw(markdown_sources())
    keys = [source["key"] for source in source_list]
    questions, taken, anchors = [], set(), []
    for text in draw(st.lists(question_texts, min_size=1, max_size=4)):
        key = draw(st.one_of(st.just(question_key(text, taken)), st.sampled_from(["q-1", "x"])))
        key = key if key not in taken else question_key(text, taken)
        taken.add(key)
        anchors.append(unique_slug(german_slugify(text), anchors))
        answer = draw(markdown_paragraphs(keys))
        cited = set(draw(st.lists(st.sampled_from(keys), max_size=2))) if keys else set()
        cited |= {key for key in keys if f"[^{key}]" in answer}
        cites = [k for k in keys if k in cited]
        questions.append(
            {"key": key, "anchor": anchors[-1], "question": text, "answer": answer,
             "cites": cites}
        )  # fmt: skip
    headline = capitalised(draw(words))
    image = draw(
        st.one_of(
            st.none(),
            st.builds(
                lambda alt, caption, credit: {
                    "src": "bilder/x.jpg", "alt": alt, "caption": caption, "credit": credit
                },
                st.sampled_from(["", "Alt"]),
                st.sampled_from(["", "Unterschrift: mit Doppelpunkt"]),
                st.sampled_from(["", "dpa"]),
            ),
        )
    )  # fmt: skip
    return {
        "headline": headline,
        "slug": draw(st.sampled_from([german_slugify(headline) or "x", "slug-2", "a"])),
        "kicker": draw(st.sampled_from(["", "Ukraine-Krieg", "Analyse"])),
        "teaser": draw(st.one_of(st.just(""), paragraphs(keys))),
        "intro": draw(markdown_paragraphs(keys)),
        "language": draw(st.sampled_from(["de", "en", "de-AT"])),
        "image": image,
        "questions": questions,
        "sources": source_list,
        "related": draw(st.lists(st.sampled_from(["a", "b-2", "nato"]), unique=True)),
    }


@st.composite
def _unicode_documents(draw, text=any_text, line=any_line) -> dict:
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


@st.composite
def _token_documents(draw) -> dict:
    sources = [
        {"key": key, "label": draw(token_texts) or f"Quelle {key}", "kind": "article"}
        for key in draw(st.permutations(TOKEN_SOURCE_KEYS))[: draw(st.integers(0, 4))]
    ]
    image = draw(st.none() | st.builds(lambda alt: {"src": "/a.jpg", "alt": alt}, token_texts))
    chosen = draw(st.permutations(TOKEN_QUESTION_KEYS))[
        : draw(st.integers(0, len(TOKEN_QUESTION_KEYS)))
    ]
    cites = st.lists(st.sampled_from(TOKEN_SOURCE_KEYS), unique=True, max_size=3)
    questions = [
        {
            "key": key,
            "anchor": key,
            "question": draw(token_texts) or "?",
            "answer": draw(token_texts),
            "cites": draw(cites),
        }
        for key in chosen
    ]
    return normalize_document(
        {
            "headline": draw(token_texts),
            "slug": "sicherheitsgarantien",
            "intro": "Intro.",
            "image": image,
            "questions": questions,
            "sources": sources,
        }
    )


_DOCUMENTS = {
    "markdown": _markdown_documents,
    "unicode": _unicode_documents,
    "tokens": _token_documents,
}


def documents(flavour: Flavour = "markdown") -> st.SearchStrategy[dict]:
    """Documents with every free-text field in one flavour of text (see the docstring above)."""
    if flavour not in _DOCUMENTS:
        raise ValueError(f"no such flavour of text: {flavour!r}")
    return _DOCUMENTS[flavour]()


@st.composite
def document_pairs(draw) -> tuple[dict, dict]:
    """Two "tokens" documents; the new one keeps some old questions as they were, so pairs
    mix unchanged, moved, edited, added and removed questions."""
    old, new = draw(documents("tokens")), draw(documents("tokens"))
    old_questions = {question["key"]: question for question in old["questions"]}
    new["questions"] = [
        old_questions[question["key"]]
        if question["key"] in old_questions and draw(st.booleans())
        else question
        for question in new["questions"]
    ]
    return old, new


# --- raw documents --------------------------------------------------------------------------

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
def raw_document_pairs(draw) -> tuple[dict, dict]:
    """Two raw documents sharing questions (some edited, moved or dropped) and sources."""
    old, new = draw(raw_documents()), draw(raw_documents())
    kept = [q for q in old.get("questions", []) if draw(st.booleans())]
    edited = [
        {**q, "answer": q["answer"] + draw(any_text)} if draw(st.booleans()) else q for q in kept
    ]
    new["questions"] = draw(st.permutations(edited + new.get("questions", [])))
    return old, new
