"""The plain-text diff that `import_explainer --dry-run --replace` prints
(explainers/core/diff_text.py): every kind of change named in German, changed words marked
with a few words around them. No database."""

import copy

import pytest

from explainers.core.diff_text import CONTEXT_WORDS, MAX_EXCERPTS, diff_lines, excerpts
from explainers.core.diffing import diff_documents, word_ops
from tests.factories import make_document


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides the Django cache fixture of conftest.py: these tests need no Django."""
    yield


def lines_for(change) -> list[str]:
    old = make_document(questions=3, sources=2)
    new = copy.deepcopy(old)
    change(new)
    return diff_lines(diff_documents(old, new))


def test_no_change_is_one_line():
    assert lines_for(lambda d: None) == ["Keine Änderungen gegenüber dem Arbeitsstand."]


def test_short_fields_show_old_and_new_and_texts_show_the_changed_words():
    def change(d):
        d["language"] = "en"
        d["teaser"] = "Worum es wirklich geht, in einem Satz."

    assert lines_for(change) == [
        "Teaser geändert:",
        "    Worum es {+wirklich +}geht, in einem Satz.",
        "Sprache geändert: „de“ → „en“",
    ]


def test_questions_added_removed_reworded_and_moved():
    def change(d):
        first, second, third = d["questions"]
        second["question"] = "Was genau ist Frage 2?"
        second["anchor"] = "was-genau-ist-frage-2"
        d["questions"] = [third, second]
        d["questions"].append({**first, "key": "q-neu", "question": "Ganz neu?", "anchor": "neu"})

    assert lines_for(change) == [
        "Frage entfernt: „Was ist Frage 1?“",
        "Frage verschoben: „Was ist Frage 3?“ (von Platz 3 auf 1)",
        "Frage geändert: „Was genau ist Frage 2?“",
        "    Wortlaut: „Was ist Frage 2?“ → „Was genau ist Frage 2?“",
        "    Sprungmarke: #frage-2 → #was-genau-ist-frage-2",
        "Frage neu: „Ganz neu?“",
    ]


def test_sources_and_recommendations():
    def change(d):
        d["sources"][1]["label"] = "Neuer Titel"
        d["sources"].append({**d["sources"][0], "key": "dlf", "publisher": "deutschlandfunk.de"})
        d["related"] = ["nato"]

    assert lines_for(change) == [
        "Empfehlungen der Redaktion: +nato",
        "Quelle neu: deutschlandfunk.de: Titel der Quelle 1 [dlf]",
        "Quelle geändert: medium2.de: Neuer Titel [quelle-2]",
        "    label: „Titel der Quelle 2“ → „Neuer Titel“",
    ]


def test_an_excerpt_shows_at_most_context_words_on_each_side():
    words = [f"w{n}" for n in range(40)]
    old = " ".join(words)
    new = " ".join([*words[:20], "NEU", *words[20:]])
    (excerpt,) = excerpts(word_ops(old, new))
    shown = excerpt.strip("…").replace("{+NEU +}", "").split()
    assert shown == words[20 - CONTEXT_WORDS : 20 + CONTEXT_WORDS]
    assert excerpt.startswith("…") and excerpt.endswith("…")


def test_many_changes_are_cut_off_and_counted():
    words = [f"w{n}" for n in range(200)]
    new = [f"X{n}" if n % 20 == 0 else word for n, word in enumerate(words)]
    shown = excerpts(word_ops(" ".join(words), " ".join(new)))
    assert len(shown) == MAX_EXCERPTS + 1
    assert shown[-1] == f"… und {10 - MAX_EXCERPTS} weitere Änderungen"


def test_changes_close_together_share_one_excerpt_with_paragraph_breaks_marked():
    old = "Eins zwei drei.\n\nVier fünf."
    new = "Eins ZWEI drei.\n\nVier FÜNF."
    assert excerpts(word_ops(old, new)) == ["Eins [-zwei-]{+ZWEI+} drei. ¶ Vier [-fünf-]{+FÜNF+}."]
